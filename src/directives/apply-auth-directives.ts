import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  isInterfaceType,
  isObjectType,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { toGraphQLError } from '../errors/to-graphql-error.js';
import { assertValidObserver, notify, type AuthObserver } from '../observer/auth-observer.js';
import { compileRequirement, type RequirementCheck } from '../policy/check-requirement.js';
import { AUTHENTICATED, combineRequirements, type Requirement } from '../policy/requirement.js';
import type { AuthState } from '../token/auth-state.js';

/** The key under a field's `extensions` where the effective requirement of a wrapped field is kept. */
export const REQUIREMENT_EXTENSION = 'claimgateRequirement';

type Directable = Parameters<typeof getDirective>[1];

/** Options of {@link applyAuthDirectives}. */
export interface ApplyAuthDirectivesOptions {
  /**
   * Receives one `DenialEvent` per denied field (coordinate, code, requirement; never the token or
   * claims). Allowed fields are not reported and cost nothing extra.
   * @default undefined
   */
  readonly observer?: AuthObserver | undefined;
}

/**
 * Rewrites the resolvers of `schema` so that each field guarded by `@auth` or `@hasPermission`
 * checks `context.auth` before it resolves (and before a subscription's source stream is created).
 * Returns a new schema; `schema` is not modified.
 *
 * - Requirements on a type apply to each of its fields; on an interface, to the matching fields of
 *   every implementing type; type, interface and field requirements combine with AND.
 * - `resolve` (or graphql's default resolver) and `subscribe` are wrapped; the check is synchronous
 *   and adds no promise. A field with no requirement is returned untouched.
 * - The effective requirement is recorded in the field's `extensions.claimgateRequirement`.
 *
 * @throws TypeError when the schema lacks the directive definitions ({@link authDirectivesTypeDefs}),
 *   or a `@hasPermission` use does not have exactly one non-empty argument; the message names the
 *   schema coordinate. Also when `options.observer` is not a valid observer.
 */
export function applyAuthDirectives(
  schema: GraphQLSchema,
  options: ApplyAuthDirectivesOptions = {},
): GraphQLSchema {
  assertDirectivesDefined(schema);
  const { observer } = options;
  assertValidObserver(observer);
  const onDenial = observer?.onDenial;
  return mapSchema(schema, {
    // One composite-field mapper: it sees object fields (wrapped) and interface fields (validated).
    // graphql-tools runs only the most specific mapper per field, so a second one would be skipped.
    [MapperKind.COMPOSITE_FIELD]: (fieldConfig, fieldName, typeName, originalSchema) => {
      const type = originalSchema.getType(typeName);
      if (isInterfaceType(type)) {
        requirementsOf(originalSchema, type, typeName);
        requirementsOf(originalSchema, fieldConfig, `${typeName}.${fieldName}`);
        return fieldConfig;
      }
      if (!isObjectType(type)) return fieldConfig;
      if (fieldConfig.extensions?.[REQUIREMENT_EXTENSION] !== undefined) return fieldConfig;
      const requirement = effectiveRequirement(originalSchema, type, fieldConfig, fieldName);
      if (requirement === undefined) return fieldConfig;
      return guardField(fieldConfig, requirement, `${typeName}.${fieldName}`, onDenial);
    },
  });
}

function effectiveRequirement(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  fieldConfig: GraphQLFieldConfig<unknown, unknown>,
  fieldName: string,
): Requirement | undefined {
  const parts: Requirement[] = [];
  const add = (requirement: Requirement | undefined) => {
    if (requirement !== undefined) parts.push(requirement);
  };
  add(requirementsOf(schema, type, type.name));
  add(requirementsOf(schema, fieldConfig, `${type.name}.${fieldName}`));
  for (const iface of type.getInterfaces()) {
    const field = iface.getFields()[fieldName];
    if (field === undefined) continue;
    add(requirementsOf(schema, iface, iface.name));
    add(requirementsOf(schema, field, `${iface.name}.${fieldName}`));
  }
  return parts.length === 0 ? undefined : combineRequirements(...parts);
}

/** The requirement one schema element declares, or `undefined` when it has no auth directive. */
function requirementsOf(
  schema: GraphQLSchema,
  node: Directable | GraphQLInterfaceType,
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

function guardField(
  fieldConfig: GraphQLFieldConfig<unknown, unknown>,
  requirement: Requirement,
  coordinate: string,
  onDenial: AuthObserver['onDenial'],
): GraphQLFieldConfig<unknown, unknown> {
  const compiled = compileRequirement(requirement);
  const check: RequirementCheck =
    onDenial === undefined
      ? compiled
      : (auth) => {
          const decision = compiled(auth);
          if (!decision.allowed) {
            notify(onDenial, { coordinate, code: decision.error.code, requirement });
          }
          return decision;
        };
  const { resolve = defaultFieldResolver, subscribe } = fieldConfig;
  return {
    ...fieldConfig,
    extensions: { ...fieldConfig.extensions, [REQUIREMENT_EXTENSION]: requirement },
    resolve: guard(resolve, check, coordinate),
    ...(subscribe === undefined ? {} : { subscribe: guard(subscribe, check, coordinate) }),
  };
}

function guard(
  next: GraphQLFieldResolver<unknown, unknown>,
  check: RequirementCheck,
  coordinate: string,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const decision = check(readAuth(context));
    if (!decision.allowed) throw toGraphQLError(decision.error, { coordinate });
    return next(source, args, context, info);
  };
}

function readAuth(context: unknown): AuthState {
  const auth =
    context !== null && typeof context === 'object' && 'auth' in context ? context.auth : undefined;
  if (auth === null || typeof auth !== 'object' || !('status' in auth)) {
    // A wiring mistake on the server, not the client's fault: fail closed, loudly.
    throw new Error(
      'claimgate: context.auth is missing; build the context with createAuthContext() (see README).',
    );
  }
  return auth as AuthState;
}

function assertDirectivesDefined(schema: GraphQLSchema): void {
  const auth = schema.getDirective('auth');
  const hasPermission = schema.getDirective('hasPermission');
  const argNames = new Set(hasPermission?.args.map((arg) => arg.name));
  if (
    auth === undefined ||
    hasPermission === undefined ||
    !['permission', 'anyOf', 'allOf'].every((name) => argNames.has(name))
  ) {
    throw new TypeError(
      'claimgate: the schema does not define @auth and @hasPermission; add authDirectivesTypeDefs to your typeDefs.',
    );
  }
}
