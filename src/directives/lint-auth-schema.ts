import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  type ConstDirectiveNode,
  type GraphQLSchema,
} from 'graphql';
import { formatRequirement, requirementImplies } from '../policy/requirement-implies.js';
import type { Requirement } from '../policy/requirement.js';
import { computeAccessMatrix, type AccessMatrix, type FieldAccess } from './access-matrix.js';

/**
 * The checks of {@link lintAuthSchema}:
 *
 * | rule | finds |
 * | --- | --- |
 * | `unknown-directive` | a directive the schema does not define (a misspelt `@hasPermision` protects nothing) |
 * | `unknown-argument` | an argument `@auth`, `@hasPermission` or `@public` does not define |
 * | `invalid-directive` | a `@hasPermission` without exactly one non-empty argument |
 * | `interface-requirement-bypass` | a field of an implementation reachable without its interface's requirement |
 * | `non-null-denial` | a protected non-null field whose denial would null its parent |
 * | `permission-not-allowed` | a permission outside `allowedPermissions` |
 * | `unmarked-root-field` | with `denyByDefault`, a root field with neither a requirement nor `@public` |
 */
export type LintRule =
  | 'unknown-directive'
  | 'unknown-argument'
  | 'invalid-directive'
  | 'interface-requirement-bypass'
  | 'non-null-denial'
  | 'permission-not-allowed'
  | 'unmarked-root-field';

/** One problem {@link lintAuthSchema} found. */
export interface LintFinding {
  readonly rule: LintRule;
  /** Where: a schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `@directive`). */
  readonly coordinate: string;
  readonly message: string;
}

/** Options of {@link lintAuthSchema}. */
export interface LintOptions {
  /** Lint for `applyAuthDirectives(schema, { denyByDefault: true })`. @default false */
  readonly denyByDefault?: boolean | undefined;
  /** The permissions the schema may name; others are findings. @default undefined (any) */
  readonly allowedPermissions?: readonly string[] | undefined;
}

const CLAIMGATE_DIRECTIVES = new Set(['auth', 'hasPermission', 'public']);

/**
 * Checks a schema's use of claimgate's directives for the mistakes that leave data exposed or
 * responses broken, and returns every finding (an empty list when clean), sorted by coordinate.
 * Directive uses are read from the schema's AST nodes, so lint a schema built from SDL.
 * Requirements are those of {@link computeAccessMatrix}.
 * @throws TypeError when `denyByDefault` is set and the schema does not define `@public`.
 */
export function lintAuthSchema(schema: GraphQLSchema, options: LintOptions = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const report = (rule: LintRule, coordinate: string, message: string) =>
    findings.push({ rule, coordinate, message });

  checkDirectiveUses(schema, report);
  const matrix = computeAccessMatrix(schema, {
    denyByDefault: options.denyByDefault,
    onInvalidDirective: (error, coordinate) =>
      report('invalid-directive', coordinate, error.message.replace(/^claimgate: /, '')),
  });
  checkInterfaces(schema, matrix, report);
  checkNonNull(schema, matrix, report);
  if (options.allowedPermissions !== undefined) {
    checkPermissions(matrix, new Set(options.allowedPermissions), report);
  }
  if (options.denyByDefault === true) checkRootFields(schema, matrix, report);

  const seen = new Set<string>();
  return findings
    .filter((f) => {
      const key = `${f.rule} ${f.coordinate} ${f.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort((a, b) =>
      a.coordinate === b.coordinate
        ? a.rule.localeCompare(b.rule)
        : a.coordinate < b.coordinate
          ? -1
          : 1,
    );
}

type Report = (rule: LintRule, coordinate: string, message: string) => void;

function checkDirectiveUses(schema: GraphQLSchema, report: Report): void {
  const check = (nodes: readonly ConstDirectiveNode[] | undefined, coordinate: string) => {
    for (const node of nodes ?? []) {
      const name = node.name.value;
      const definition = schema.getDirective(name);
      if (definition === undefined || definition === null) {
        report(
          'unknown-directive',
          coordinate,
          `@${name} on ${coordinate} is not defined by the schema; it has no effect.`,
        );
        continue;
      }
      if (!CLAIMGATE_DIRECTIVES.has(name)) continue;
      const known = new Set(definition.args.map((arg) => arg.name));
      for (const arg of node.arguments ?? []) {
        if (known.has(arg.name.value)) continue;
        report(
          'unknown-argument',
          coordinate,
          `@${name}(${arg.name.value}: …) on ${coordinate}: @${name} takes ${known.size === 0 ? 'no arguments' : [...known].join(', ')}.`,
        );
      }
    }
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    for (const node of [type.astNode, ...type.extensionASTNodes])
      check(node?.directives, type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        check(field.astNode?.directives, coordinate);
        for (const arg of field.args) check(arg.astNode?.directives, `${coordinate}(${arg.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(field.astNode?.directives, `${type.name}.${field.name}`);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        check(value.astNode?.directives, `${type.name}.${value.name}`);
      }
    }
  }
}

/** The requirement a type declares itself (type-level directives), read off the matrix. */
function typeRequirement(matrix: AccessMatrix, typeName: string): Requirement | undefined {
  for (const access of matrix.values()) {
    if (access.typeName !== typeName) continue;
    return access.sources.find((source) => source.coordinate === typeName)?.requirement;
  }
  return undefined;
}

// claimgate applies an interface's field requirements to the matching fields of every
// implementation, but a type-level requirement on an interface covers only the fields the
// interface declares: the implementation's own fields are reachable without it.
function checkInterfaces(schema: GraphQLSchema, matrix: AccessMatrix, report: Report): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInterfaceType(type) || isIntrospectionType(type)) continue;
    const required = typeRequirement(matrix, type.name);
    for (const implementation of schema.getPossibleTypes(type)) {
      // An implementation with its own type-level requirement has decided for its fields.
      const ownTypeLevel = typeRequirement(matrix, implementation.name) !== undefined;
      for (const field of Object.values(implementation.getFields())) {
        const access = matrix.get(`${implementation.name}.${field.name}`);
        if (access === undefined) continue;
        // A requirement that deny-by-default put on the interface field is display only: @public
        // on the implementation decides (it is not inherited).
        const fromInterface = matrix.get(`${type.name}.${field.name}`);
        const declared = fromInterface?.isDefaulted === true ? undefined : fromInterface;
        const needed =
          declared !== undefined ? declared.requirement : ownTypeLevel ? undefined : required;
        if (needed === undefined || requirementImplies(access.requirement, needed)) continue;
        report(
          'interface-requirement-bypass',
          access.coordinate,
          declared === undefined
            ? `${type.name} requires ${formatRequirement(needed)} for the fields it declares only; ${access.coordinate} is reachable with ${formatRequirement(access.requirement)}. Add the requirement to ${implementation.name} or to the field.`
            : `${declared.coordinate} requires ${formatRequirement(needed)} but ${access.coordinate} is reachable with ${formatRequirement(access.requirement)}.`,
        );
      }
    }
  }
}

// GraphQL nulls the parent of a non-null field that errors (spec §6.4.4): a denial then hides
// the parent's public fields too, or for a root field the whole `data`.
function checkNonNull(schema: GraphQLSchema, matrix: AccessMatrix, report: Report): void {
  const reachers = fieldsReturning(schema, matrix);
  for (const access of matrix.values()) {
    if (access.kind !== 'object' || access.requirement === undefined) continue;
    const type = schema.getType(access.typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[access.fieldName];
    if (field === undefined || !isNonNullType(field.type)) continue;
    // A subscription's root field is checked when the subscription starts (the guarded
    // `subscribe`): a denial refuses the subscription instead of nulling an event.
    if (type === schema.getSubscriptionType()) continue;
    // A type-level requirement makes the object all-or-nothing: nulling it is the intent.
    if (requirementImplies(typeRequirement(matrix, type.name), access.requirement)) continue;
    const ways = reachers.get(type.name) ?? [];
    if (
      ways.length > 0 &&
      ways.every((w) => requirementImplies(w.requirement, access.requirement))
    ) {
      continue; // every way to the parent already requires as much: the field is never denied
    }
    report(
      'non-null-denial',
      access.coordinate,
      `${access.coordinate} is non-null and requires ${formatRequirement(access.requirement)}: a denial nulls ${isRoot(schema, type.name) ? 'the whole response data' : `its parent ${type.name}`}. Make the field nullable.`,
    );
  }
}

function isRoot(schema: GraphQLSchema, typeName: string): boolean {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].some(
    (root) => root?.name === typeName,
  );
}

/** For each object type, the object fields whose (unwrapped) type can produce it. */
function fieldsReturning(schema: GraphQLSchema, matrix: AccessMatrix): Map<string, FieldAccess[]> {
  const result = new Map<string, FieldAccess[]>();
  for (const access of matrix.values()) {
    if (access.kind !== 'object') continue;
    const type = schema.getType(access.typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[access.fieldName];
    if (field === undefined) continue;
    const named = getNamedType(field.type);
    const targets = isAbstractType(named)
      ? schema.getPossibleTypes(named)
      : isObjectType(named)
        ? [named]
        : [];
    for (const target of targets) {
      const list = result.get(target.name);
      if (list === undefined) result.set(target.name, [access]);
      else list.push(access);
    }
  }
  return result;
}

function checkPermissions(matrix: AccessMatrix, allowed: ReadonlySet<string>, report: Report) {
  for (const access of matrix.values()) {
    for (const source of access.sources) {
      for (const permission of source.requirement.clauses.flat()) {
        if (allowed.has(permission)) continue;
        report(
          'permission-not-allowed',
          source.coordinate,
          `${source.coordinate} names permission "${permission}", which is not in the allowed list.`,
        );
      }
    }
  }
}

function checkRootFields(schema: GraphQLSchema, matrix: AccessMatrix, report: Report): void {
  for (const access of matrix.values()) {
    if (!access.isDefaulted || !isRoot(schema, access.typeName)) continue;
    report(
      'unmarked-root-field',
      access.coordinate,
      `${access.coordinate} has neither a requirement nor @public: decide explicitly (deny-by-default requires authentication).`,
    );
  }
}
