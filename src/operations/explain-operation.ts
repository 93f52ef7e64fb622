import {
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  parse,
  typeFromAST,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AuthError, AuthErrorCode } from '../errors/auth-error.js';
import { isGuardedSchema, requirementOfField } from '../directives/apply-auth-directives.js';
import { compileRequirement, type RequirementCheck } from '../policy/check-requirement.js';
import type { Requirement } from '../policy/requirement.js';
import { ANONYMOUS, type AuthState, type Principal } from '../token/auth-state.js';

/** A field of an operation that field-level enforcement would deny. */
export interface DeniedField {
  /** The schema coordinate, `Type.field`. */
  readonly coordinate: string;
  /** The response path: response keys (aliases) from the root, list indices omitted. */
  readonly path: readonly string[];
  /** The typed code the field's error would carry. */
  readonly code: AuthErrorCode;
  /** The error field-level enforcement would raise. */
  readonly error: AuthError;
  /** The field's effective requirement. */
  readonly requirement: Requirement;
}

/** What {@link explain} found. */
export interface Explanation {
  /** `true` when no selected field is denied. */
  readonly allowed: boolean;
  /** Denied fields in document order; the selections below a denied field are not visited. */
  readonly denied: readonly DeniedField[];
}

/** Options of {@link explain}. */
export interface ExplainOptions {
  /** The operation to explain when the document holds several. @default the only operation */
  readonly operationName?: string | undefined;
  /** Variable values, for `@skip(if: $var)` and `@include(if: $var)`. @default {} */
  readonly variables?: Readonly<Record<string, unknown>> | undefined;
}

/** Who the operation would run as: an auth state, a principal, or `null` for anonymous. */
export type Caller = AuthState | Principal | null;

/**
 * Which fields of an operation `caller` would be denied, and why, without running a resolver:
 * the selection set is walked as graphql-js executes it, honouring `@skip`/`@include`, fragments
 * and aliases. For an interface or union every possible type is considered, so a field is listed
 * when it would be denied for some runtime type. Selections below a denied field are not visited
 * (they would not resolve). `schema` must be the one {@link applyAuthDirectives} returned.
 *
 * @throws TypeError when `schema` was not returned by `applyAuthDirectives`, or when the operation
 *   does not parse or validate against `schema`, or its variables do not coerce.
 * @example
 * const { denied } = explain(schema, '{ auditLog { action } }', principal);
 * expect(denied.map((d) => d.code)).toEqual(['FORBIDDEN']);
 */
export function explain(
  schema: GraphQLSchema,
  operation: string | DocumentNode,
  caller: Caller,
  options: ExplainOptions = {},
): Explanation {
  assertGuarded(schema);
  const document = typeof operation === 'string' ? parseOrThrow(operation) : operation;
  const errors = validate(schema, document);
  if (errors.length > 0) {
    throw new TypeError(`claimgate: explain() needs a valid operation: ${errors[0]?.message}`);
  }
  const definition = getOperationAST(document, options.operationName);
  if (definition === null || definition === undefined) {
    throw new TypeError(
      'claimgate: explain() found no operation to explain; pass operationName when the document has several.',
    );
  }
  const coerced = getVariableValues(
    schema,
    definition.variableDefinitions ?? [],
    options.variables ?? {},
  );
  if (coerced.errors !== undefined) {
    throw new TypeError(
      `claimgate: explain() could not coerce the variables: ${coerced.errors[0]?.message}`,
    );
  }
  return explainResolvedOperation(
    schema,
    document,
    definition,
    coerced.coerced,
    toAuthState(caller),
  );
}

/**
 * {@link explain} for an operation that is already parsed, validated and has coerced variables
 * (as in an Apollo Server plugin). With `stopAtFirst`, the walk ends at the first denied field:
 * the cost of a rejected operation is then bounded, however large it is.
 */
export function explainResolvedOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  auth: AuthState,
  stopAtFirst = false,
): Explanation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  const walker = new OperationWalker(schema, fragments, variables, auth, stopAtFirst);
  if (root !== undefined && root !== null) walker.walk(root, [operation.selectionSet], []);
  return { allowed: walker.denied.length === 0, denied: walker.denied };
}

class OperationWalker {
  readonly denied: DeniedField[] = [];
  readonly #seen = new Set<string>();
  readonly #checks = new WeakMap<Requirement, RequirementCheck>();

  constructor(
    readonly schema: GraphQLSchema,
    readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    readonly variables: Readonly<Record<string, unknown>>,
    readonly auth: AuthState,
    readonly stopAtFirst: boolean,
  ) {}

  walk(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[], path: string[]): void {
    const fields = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    for (const selectionSet of selectionSets) this.collect(type, selectionSet, fields, visited);
    for (const [key, nodes] of fields) {
      if (this.stopAtFirst && this.denied.length > 0) return;
      const name = nodes[0]?.name.value;
      // __typename, __schema and __type are never guarded: introspection stays reachable.
      if (name === undefined || name.startsWith('__')) continue;
      const field = type.getFields()[name];
      if (field === undefined) continue;
      const fieldPath = [...path, key];
      const requirement = requirementOfField(field);
      if (requirement !== undefined) {
        const decision = this.check(requirement);
        if (!decision.allowed) {
          this.deny({
            coordinate: `${type.name}.${name}`,
            path: fieldPath,
            code: decision.error.code,
            error: decision.error,
            requirement,
          });
          continue;
        }
      }
      const subSelections = nodes.flatMap((node) =>
        node.selectionSet === undefined ? [] : [node.selectionSet],
      );
      if (subSelections.length === 0) continue;
      const named = getNamedType(field.type);
      if (isObjectType(named)) this.walk(named, subSelections, fieldPath);
      else if (isAbstractType(named)) {
        for (const possible of this.schema.getPossibleTypes(named)) {
          if (this.stopAtFirst && this.denied.length > 0) return;
          this.walk(possible, subSelections, fieldPath);
        }
      }
    }
  }

  private check(requirement: Requirement) {
    let check = this.#checks.get(requirement);
    if (check === undefined) {
      check = compileRequirement(requirement);
      this.#checks.set(requirement, check);
    }
    return check(this.auth);
  }

  private deny(denied: DeniedField): void {
    // The same field can be reached once per possible type of an abstract parent: list it once.
    const key = `${denied.coordinate} ${denied.path.join('.')}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.denied.push(denied);
  }

  // graphql-js's CollectFields (spec §6.3.2), for one runtime object type.
  private collect(
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    fields: Map<string, FieldNode[]>,
    visitedFragments: Set<string>,
  ): void {
    for (const selection of selectionSet.selections) {
      if (!this.isIncluded(selection)) continue;
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const list = fields.get(key);
          if (list === undefined) fields.set(key, [selection]);
          else list.push(selection);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (this.applies(selection, type)) {
            this.collect(type, selection.selectionSet, fields, visitedFragments);
          }
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visitedFragments.has(name)) break;
          visitedFragments.add(name);
          const fragment = this.fragments.get(name);
          if (fragment !== undefined && this.applies(fragment, type)) {
            this.collect(type, fragment.selectionSet, fields, visitedFragments);
          }
          break;
        }
      }
    }
  }

  private isIncluded(node: SelectionNode): boolean {
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.variables);
    if (skip?.['if'] === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.variables);
    return include?.['if'] !== false;
  }

  private applies(
    fragment: InlineFragmentNode | FragmentDefinitionNode,
    type: GraphQLObjectType,
  ): boolean {
    const condition = fragment.typeCondition;
    if (condition === undefined) return true;
    const conditionType = typeFromAST(this.schema, condition);
    if (conditionType === type) return true;
    return (
      conditionType !== undefined &&
      isAbstractType(conditionType) &&
      this.schema.isSubType(conditionType, type)
    );
  }
}

function toAuthState(caller: Caller): AuthState {
  if (caller === null) return ANONYMOUS;
  if ('status' in caller) return caller;
  return { status: 'authenticated', principal: caller };
}

function parseOrThrow(source: string): DocumentNode {
  try {
    return parse(source);
  } catch (error) {
    throw new TypeError(
      `claimgate: explain() could not parse the operation: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** @throws TypeError when `schema` did not come from `applyAuthDirectives`. */
export function assertGuarded(schema: GraphQLSchema): void {
  if (!isGuardedSchema(schema)) {
    throw new TypeError(
      'claimgate: pass the schema returned by applyAuthDirectives(); this one carries no requirements.',
    );
  }
}
