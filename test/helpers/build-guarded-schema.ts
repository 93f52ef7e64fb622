import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import { buildASTSchema, parse, type GraphQLSchema } from 'graphql';
import {
  applyAuthDirectives,
  authDirectivesTypeDefs,
  type ApplyAuthDirectivesOptions,
} from '../../src/index.js';

/** The SDL of a fixture under test/fixtures, e.g. `library.graphql`. */
export function readFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}

/** An executable schema of `typeDefs` plus claimgate's directive SDL, not yet guarded. */
export function buildSchema(typeDefs: string, resolvers?: IResolvers): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: [authDirectivesTypeDefs, typeDefs],
    ...(resolvers === undefined ? {} : { resolvers }),
  });
}

/** {@link buildSchema} then `applyAuthDirectives`. */
export function buildGuardedSchema(
  typeDefs: string,
  resolvers?: IResolvers,
  options?: ApplyAuthDirectivesOptions,
): GraphQLSchema {
  return applyAuthDirectives(buildSchema(typeDefs, resolvers), options);
}

/**
 * A schema built from SDL without SDL validation, as `claimgate lint` builds it: unknown
 * directives and arguments stay in the AST for the linter to report.
 */
export function buildUnvalidatedSchema(typeDefs: string): GraphQLSchema {
  return buildASTSchema(parse(`${authDirectivesTypeDefs}\n${typeDefs}`), { assumeValidSDL: true });
}
