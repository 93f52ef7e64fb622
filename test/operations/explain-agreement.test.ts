import { ApolloServer } from '@apollo/server';
import fc from 'fast-check';
import {
  execute,
  getNamedType,
  isAbstractType,
  isLeafType,
  isObjectType,
  parse,
  validate,
  type GraphQLCompositeType,
  type GraphQLField,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  AUTH_ERROR_HTTP_STATUS,
  createOperationGuardPlugin,
  explain,
  type AuthContext,
  type AuthState,
} from '../../src/index.js';
import { buildGuardedSchema, readFixture } from '../helpers/build-guarded-schema.js';
import { createLibraryResolvers, type ResolverCalls } from '../helpers/library-resolvers.js';
import { EXPIRED_STATE, principalWith } from '../helpers/principal.js';

// Property: on the same operation and caller, explain(), whole-operation enforcement and field-level
// enforcement agree. The resolvers yield a value for every field and one object of every possible
// type in each list, so field-level execution reaches every selection that is not below a denial.

const calls: ResolverCalls = { publish: 0 };
const schema = buildGuardedSchema(readFixture('library.graphql'), createLibraryResolvers(calls));
const PERMISSIONS = ['admin', 'audit:read', 'billing:read', 'docs:write', 'editor'];

const FRAGMENTS: Readonly<Record<string, { on: string; text: string }>> = {
  DocParts: { on: 'Doc', text: 'fragment DocParts on Doc { body notes @include(if: $flag) }' },
  NodeParts: { on: 'Node', text: 'fragment NodeParts on Node { id ... on Priced { price } }' },
};

const directive = fc.constantFrom(
  '',
  '',
  '',
  ' @skip(if: true)',
  ' @include(if: false)',
  ' @include(if: $flag)',
  ' @skip(if: $flag)',
);

function overlaps(a: GraphQLCompositeType, typeName: string): boolean {
  const b = schema.getType(typeName);
  if (b === undefined || b === null) return false;
  const possible = (t: unknown) =>
    isAbstractType(t)
      ? schema.getPossibleTypes(t).map((o) => o.name)
      : isObjectType(t)
        ? [t.name]
        : [];
  const of = new Set(possible(a));
  return possible(b).some((name) => of.has(name));
}

function fieldSelection(
  field: GraphQLField<unknown, unknown>,
  depth: number,
): fc.Arbitrary<string> {
  const args = field.args.length > 0 ? '(title: "t")' : '';
  const named = getNamedType(field.type);
  if (isLeafType(named)) return directive.map((d) => `${field.name}${args}${d}`);
  if (depth <= 0) return directive.map((d) => `${field.name}${args}${d} { __typename }`);
  return fc
    .tuple(directive, selectionSet(named, depth - 1))
    .map(([d, set]) => `${field.name}${args}${d} ${set}`);
}

function selectionSet(type: GraphQLCompositeType, depth: number): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [fc.constant('__typename')];
  if (!isAbstractType(type) || 'getFields' in type) {
    for (const field of Object.values('getFields' in type ? type.getFields() : {})) {
      options.push(fieldSelection(field, depth));
    }
  }
  if (isAbstractType(type)) {
    for (const possible of schema.getPossibleTypes(type)) {
      options.push(
        fc
          .tuple(directive, selectionSet(possible, depth))
          .map(([d, set]) => `... on ${possible.name}${d} ${set}`),
      );
    }
  }
  for (const [name, fragment] of Object.entries(FRAGMENTS)) {
    if (overlaps(type, fragment.on)) options.push(directive.map((d) => `...${name}${d}`));
  }
  return fc
    .array(fc.oneof(...options), { minLength: 1, maxLength: 4 })
    .map((parts) => `{ ${parts.join(' ')} }`);
}

const queryType = schema.getQueryType();
const mutationType = schema.getMutationType();
if (
  queryType === undefined ||
  queryType === null ||
  mutationType === undefined ||
  mutationType === null
) {
  throw new Error('the fixture needs Query and Mutation');
}

const operation = fc
  .oneof(
    selectionSet(queryType, 2).map((set) => ({ keyword: 'query', set })),
    selectionSet(mutationType, 1).map((set) => ({ keyword: 'mutation', set })),
  )
  .map(({ keyword, set }) => {
    const fragments = Object.entries(FRAGMENTS)
      .filter(([name]) => set.includes(`...${name}`))
      .map(([, fragment]) => fragment.text);
    const text = [set, ...fragments].join('\n');
    const header = text.includes('$flag') ? `${keyword} ($flag: Boolean!)` : keyword;
    return `${header} ${text}`;
  });

const caller = fc.oneof(
  fc.constant<AuthState>(ANONYMOUS),
  fc.constant<AuthState>(EXPIRED_STATE),
  fc.subarray(PERMISSIONS).map((permissions): AuthState => ({
    status: 'authenticated',
    principal: principalWith(permissions),
  })),
);

function key(code: unknown, coordinate: unknown, path: readonly (string | number)[]): string {
  return `${String(code)} ${String(coordinate)} ${path.filter((p) => typeof p === 'string').join('.')}`;
}

describe('explain and whole-operation enforcement', () => {
  let apollo: ApolloServer<AuthContext>;
  beforeAll(async () => {
    apollo = new ApolloServer<AuthContext>({ schema, plugins: [createOperationGuardPlugin()] });
    await apollo.start();
  });
  afterAll(() => apollo.stop());

  it('agree with field-level enforcement on generated operations', async () => {
    await fc.assert(
      fc.asyncProperty(operation, caller, fc.boolean(), async (source, auth, flag) => {
        const document = parse(source);
        expect(validate(schema, document)).toEqual([]);
        const variables = source.includes('$flag') ? { flag } : {};

        const explained = explain(schema, document, auth, { variables });
        const executed = await execute({
          schema,
          document,
          variableValues: variables,
          contextValue: { auth },
        });
        const fieldLevel = new Set(
          (executed.errors ?? []).map((e) =>
            key(e.extensions['code'], e.extensions['coordinate'], e.path ?? []),
          ),
        );
        const expected = new Set(explained.denied.map((d) => key(d.code, d.coordinate, d.path)));
        expect([...fieldLevel].sort()).toEqual([...expected].sort());
        expect(explained.allowed).toBe(fieldLevel.size === 0);

        const before = calls.publish;
        const response = await apollo.executeOperation(
          { query: source, variables },
          { contextValue: { auth } },
        );
        if (response.body.kind !== 'single') throw new Error('expected a single result');
        const result = response.body.singleResult;
        const first = explained.denied[0];
        if (first === undefined) {
          expect(result.errors).toBeUndefined();
          expect(result.data).toEqual(executed.data);
        } else {
          expect(response.http.status).toBe(AUTH_ERROR_HTTP_STATUS[first.code]);
          expect(result.data).toBeUndefined();
          expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual([first.code]);
          expect(calls.publish).toBe(before);
        }
      }),
      { numRuns: 200 },
    );
  });
});
