import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  GraphQLSchema,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
} from 'graphql';
import { toGraphQLError } from '../errors/to-graphql-error.js';
import { assertValidObserver, notify, type AuthObserver } from '../observer/auth-observer.js';
import { compileRequirement, type RequirementCheck } from '../policy/check-requirement.js';
import type { Requirement } from '../policy/requirement.js';
import type { AuthState } from '../token/auth-state.js';
import { computeAccessMatrix } from './access-matrix.js';

/** The key under a field's `extensions` where the effective requirement of a wrapped field is kept. */
export const REQUIREMENT_EXTENSION = 'claimgateRequirement';

/** Options of {@link applyAuthDirectives}. */
export interface ApplyAuthDirectivesOptions {
  /**
   * Deny by default: every object field without a requirement requires authentication unless it
   * or its type is marked `@public`. Introspection stays reachable, so Apollo Sandbox still loads.
   * @default false
   */
  readonly denyByDefault?: boolean | undefined;
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
 *   every implementing type; type, interface and field requirements combine with AND. The
 *   requirements are those of {@link computeAccessMatrix} (one implementation for both).
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
  const matrix = computeAccessMatrix(schema, { denyByDefault: options.denyByDefault });
  const mapped = mapSchema(schema, {
    // One object-field mapper (graphql-tools runs only the most specific mapper per field). Interface
    // fields are never resolved: their implementations carry the check.
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      if (fieldConfig.extensions?.[REQUIREMENT_EXTENSION] !== undefined) return fieldConfig;
      const requirement = matrix.get(`${typeName}.${fieldName}`)?.requirement;
      if (requirement === undefined) return fieldConfig;
      return guardField(fieldConfig, requirement, `${typeName}.${fieldName}`, onDenial);
    },
  });
  return markGuarded(mapped);
}

/** The key under a schema's `extensions` that marks it as returned by {@link applyAuthDirectives}. */
const GUARDED_SCHEMA_EXTENSION = 'claimgateGuarded';

function markGuarded(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  return new GraphQLSchema({
    ...config,
    extensions: { ...config.extensions, [GUARDED_SCHEMA_EXTENSION]: true },
  });
}

/** Whether `schema` was returned by {@link applyAuthDirectives} (its fields carry their checks). */
export function isGuardedSchema(schema: GraphQLSchema): boolean {
  return schema.extensions[GUARDED_SCHEMA_EXTENSION] === true;
}

/** The requirement {@link applyAuthDirectives} recorded on a field, or `undefined` when public. */
export function requirementOfField(field: {
  readonly extensions: Readonly<Record<string, unknown>> | null | undefined;
}): Requirement | undefined {
  return field.extensions?.[REQUIREMENT_EXTENSION] as Requirement | undefined;
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
