import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  GraphQLError,
  Kind,
  parse,
  Source,
  validateSchema,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { authDirectivesTypeDefs } from '../index.js';
import { UsageError } from './cli-io.js';

/**
 * Builds one schema from SDL files, adding claimgate's directive definitions the files do not
 * define themselves. SDL validation is left to `lint`, which reports unknown directives and
 * arguments by coordinate instead of refusing the schema.
 * @throws UsageError for a missing file, a syntax error (with file:line:column) or a schema
 *   graphql-js cannot build.
 */
export function loadSchemaFiles(files: readonly string[]): GraphQLSchema {
  if (files.length === 0) throw new UsageError('name at least one schema file (.graphql).');
  const definitions: DefinitionNode[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read ${file}.`);
    }
    try {
      definitions.push(...parse(new Source(text, file)).definitions);
    } catch (error) {
      throw new UsageError(describe(error));
    }
  }
  const defined = new Set<string>();
  for (const name of definitions.map(nameOf)) {
    if (name === undefined) continue;
    // graphql-js would keep one of them silently when SDL validation is off.
    if (defined.has(name)) throw new UsageError(`${name} is defined more than once.`);
    defined.add(name);
  }
  const missing = parse(authDirectivesTypeDefs).definitions.filter((definition) => {
    const name = nameOf(definition);
    return name !== undefined && !defined.has(name);
  });
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...missing, ...definitions] };
  let schema: GraphQLSchema;
  try {
    schema = buildASTSchema(document, { assumeValidSDL: true });
  } catch (error) {
    throw new UsageError(`the schema does not build: ${describe(error)}`);
  }
  const errors = validateSchema(schema);
  if (errors.length > 0) {
    throw new UsageError(`the schema is invalid: ${errors.map(describe).join('; ')}`);
  }
  return schema;
}

function nameOf(definition: DefinitionNode): string | undefined {
  switch (definition.kind) {
    case Kind.DIRECTIVE_DEFINITION:
      return `@${definition.name.value}`;
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.UNION_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_DEFINITION:
      return definition.name.value;
    default:
      return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof GraphQLError) {
    const location = error.locations?.[0];
    const source = error.source?.name;
    return location === undefined || source === undefined
      ? error.message
      : `${source}:${location.line}:${location.column}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
