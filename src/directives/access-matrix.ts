import { getDirective } from '@graphql-tools/utils';
import {
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { AUTHENTICATED, combineRequirements, type Requirement } from '../policy/requirement.js';

/** One schema element's own contribution to a field's requirement. */
export interface RequirementSource {
  /** Where the directive sits: a type (`Customer`) or a field (`Billable.balance`). */
  readonly coordinate: string;
  readonly requirement: Requirement;
}

/** The effective access rule of one field, after type, interface and field directives combine. */
export interface FieldAccess {
  /** The schema coordinate, `Type.field`. */
  readonly coordinate: string;
  readonly typeName: string;
  readonly fieldName: string;
  /** Object fields are enforced; interface fields are listed for reference (implementations inherit). */
  readonly kind: 'object' | 'interface';
  /** What a caller needs to resolve the field; `undefined` means public. */
  readonly requirement: Requirement | undefined;
  /** The directives the requirement was combined from, in order: type, field, then each interface. */
  readonly sources: readonly RequirementSource[];
  /** The field or its object type is marked `@public`. */
  readonly isPublic: boolean;
  /** The requirement comes only from the deny-by-default option (no directive declared it). */
  readonly isDefaulted: boolean;
}

/** Every field of a schema with its {@link FieldAccess}, keyed by coordinate, root types first. */
export type AccessMatrix = ReadonlyMap<string, FieldAccess>;

/** Options of {@link computeAccessMatrix}. */
export interface AccessMatrixOptions {
  /**
   * Every field without a requirement requires authentication unless it or its object type is
   * marked `@public`. Introspection (`__schema`, `__type`, `__typename`) stays reachable.
   * @default false
   */
  readonly denyByDefault?: boolean | undefined;
  /**
   * Called for each invalid directive use instead of throwing; the element then counts as
   * `@auth` (fail closed). For linters that report every problem at once.
   * @default undefined (throw the TypeError)
   */
  readonly onInvalidDirective?: ((error: TypeError, coordinate: string) => void) | undefined;
}

type Directable = Parameters<typeof getDirective>[1];

/**
 * Computes the access matrix of `schema`: for every object and interface field, the requirement
 * claimgate enforces. This is the one reader of `@auth`, `@hasPermission` and `@public`;
 * {@link applyAuthDirectives} enforces exactly what it returns.
 *
 * - A type's requirement applies to each of its fields; an interface's (type or field) to the
 *   matching fields of every implementing type; all parts combine with AND.
 * - With `denyByDefault`, a field with no requirement requires authentication unless `@public`.
 *   `@public` never weakens a declared requirement, and is not inherited from interfaces.
 *
 * @throws TypeError when a `@hasPermission` use does not have exactly one non-empty argument, or
 *   `denyByDefault` is set and the schema does not define `@public`; the message names the coordinate.
 */
export function computeAccessMatrix(
  schema: GraphQLSchema,
  options: AccessMatrixOptions = {},
): AccessMatrix {
  const denyByDefault = options.denyByDefault === true;
  if (denyByDefault && schema.getDirective('public') === undefined) {
    throw new TypeError(
      'claimgate: denyByDefault needs the @public directive; add authDirectivesTypeDefs to your typeDefs.',
    );
  }
  const reader = createDirectiveReader(schema, options.onInvalidDirective);
  const matrix = new Map<string, FieldAccess>();
  for (const type of orderedTypes(schema)) {
    const kind = isObjectType(type) ? 'object' : 'interface';
    const typeIsPublic = isObjectType(type) && reader.isPublic(type);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const sources: RequirementSource[] = [];
      const add = (at: string, requirement: Requirement | undefined) => {
        if (requirement !== undefined) sources.push({ coordinate: at, requirement });
      };
      add(type.name, reader.typeRequirement(type));
      add(coordinate, reader.requirementOf(field, coordinate));
      for (const iface of type.getInterfaces()) {
        const inherited = iface.getFields()[field.name];
        if (inherited === undefined) continue;
        add(iface.name, reader.typeRequirement(iface));
        add(
          `${iface.name}.${field.name}`,
          reader.requirementOf(inherited, `${iface.name}.${field.name}`),
        );
      }
      const isPublic = typeIsPublic || reader.isPublic(field);
      const declared =
        sources.length === 0
          ? undefined
          : combineRequirements(...sources.map((s) => s.requirement));
      const isDefaulted = declared === undefined && denyByDefault && !isPublic;
      matrix.set(coordinate, {
        coordinate,
        typeName: type.name,
        fieldName: field.name,
        kind,
        requirement: isDefaulted ? AUTHENTICATED : declared,
        sources,
        isPublic,
        isDefaulted,
      });
    }
  }
  return matrix;
}

/** Object and interface types without introspection types: root types first, then by name. */
function orderedTypes(schema: GraphQLSchema): (GraphQLObjectType | GraphQLInterfaceType)[] {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  const rootNames = new Set(roots.map((root) => root?.name));
  const others = Object.values(schema.getTypeMap())
    .filter(
      (type): type is GraphQLObjectType | GraphQLInterfaceType =>
        (isObjectType(type) || isInterfaceType(type)) &&
        !isIntrospectionType(type) &&
        !rootNames.has(type.name),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...roots.filter((root) => root !== undefined && root !== null), ...others];
}

interface DirectiveReader {
  typeRequirement(type: GraphQLObjectType | GraphQLInterfaceType): Requirement | undefined;
  requirementOf(field: GraphQLField<unknown, unknown>, coordinate: string): Requirement | undefined;
  isPublic(node: GraphQLObjectType | GraphQLField<unknown, unknown>): boolean;
}

function createDirectiveReader(
  schema: GraphQLSchema,
  onInvalid: ((error: TypeError, coordinate: string) => void) | undefined,
): DirectiveReader {
  const typeCache = new Map<string, Requirement | undefined>();
  const hasPublic = schema.getDirective('public') !== undefined;
  const read = (node: Directable, coordinate: string): Requirement | undefined => {
    try {
      return declaredRequirement(schema, node, coordinate);
    } catch (error) {
      if (onInvalid === undefined || !(error instanceof TypeError)) throw error;
      onInvalid(error, coordinate);
      return AUTHENTICATED;
    }
  };
  return {
    typeRequirement(type) {
      if (!typeCache.has(type.name)) typeCache.set(type.name, read(type, type.name));
      return typeCache.get(type.name);
    },
    requirementOf: (field, coordinate) => read(field, coordinate),
    isPublic: (node) => hasPublic && getDirective(schema, node, 'public') !== undefined,
  };
}

/** The requirement one schema element declares, or `undefined` when it has no auth directive. */
function declaredRequirement(
  schema: GraphQLSchema,
  node: Directable,
  coordinate: string,
): Requirement | undefined {
  const auth = getDirective(schema, node, 'auth');
  const hasPermission = getDirective(schema, node, 'hasPermission') ?? [];
  if (auth === undefined && hasPermission.length === 0) return undefined;
  const clauses: string[][] = [];
  for (const args of hasPermission) clauses.push(...clausesOf(args, coordinate));
  return clauses.length === 0 ? AUTHENTICATED : combineRequirements({ clauses });
}

function clausesOf(args: Record<string, unknown>, coordinate: string): string[][] {
  const given = (['permission', 'anyOf', 'allOf'] as const).filter(
    (name) => args[name] !== undefined && args[name] !== null,
  );
  if (given.length !== 1) {
    throw new TypeError(
      `claimgate: @hasPermission on ${coordinate} takes exactly one of permission, anyOf, allOf (got ${given.length === 0 ? 'none' : given.join(' and ')}).`,
    );
  }
  const name = given[0];
  const value = name === undefined ? undefined : args[name];
  const list =
    typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
  if (list.length === 0 || list.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw new TypeError(
      `claimgate: @hasPermission(${String(name)}: …) on ${coordinate} needs at least one non-empty permission.`,
    );
  }
  const permissions = list as string[];
  return name === 'allOf' ? permissions.map((p) => [p]) : [permissions];
}

/** Every permission the schema's directives name, sorted and without duplicates. */
export function listPermissions(matrix: AccessMatrix): string[] {
  const permissions = new Set<string>();
  for (const access of matrix.values()) {
    for (const source of access.sources) {
      for (const clause of source.requirement.clauses) for (const p of clause) permissions.add(p);
    }
  }
  return [...permissions].sort();
}
