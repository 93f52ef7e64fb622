import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues } from 'graphql';
import { assertValidRealm } from '../errors/www-authenticate.js';
import { toGraphQLError } from '../errors/to-graphql-error.js';
import type { AuthContext } from '../context/create-auth-context.js';
import { assertGuarded, explainResolvedOperation, type DeniedField } from './explain-operation.js';

/** Options of {@link createOperationGuardPlugin}. */
export interface OperationGuardPluginOptions {
  /** The `realm` of `WWW-Authenticate` challenges. @default undefined (none) */
  readonly realm?: string | undefined;
  /**
   * Called with the denied field a rejected operation is refused for, e.g. to log its coordinate
   * (never a token). The check stops at the first denial, so its cost stays bounded.
   * @default undefined
   */
  readonly onReject?: ((denied: DeniedField) => void) | undefined;
}

/**
 * An Apollo Server plugin that checks each operation before execution and rejects it as a whole
 * when any selected field would be denied: HTTP 401 or 403 with `WWW-Authenticate` (RFC 6750 §3)
 * and the typed code of the first denied field, so no resolver runs (a forbidden mutation has no
 * side effect). Without it, claimgate enforces per field and returns partial results.
 *
 * Decisions are {@link explain}'s: `@skip`/`@include`, fragments, interfaces and unions (every
 * possible type) are honoured. The schema must be the one `applyAuthDirectives` returned.
 *
 * @throws TypeError at creation for an invalid realm, and at server start when the schema was not
 *   returned by `applyAuthDirectives`.
 * @example
 * new ApolloServer({ schema, plugins: [createOperationGuardPlugin()] });
 */
export function createOperationGuardPlugin<TContext extends AuthContext>(
  options: OperationGuardPluginOptions = {},
): ApolloServerPlugin<TContext> {
  const { realm, onReject } = options;
  if (realm !== undefined) assertValidRealm(realm);
  const challenge = realm === undefined ? {} : { realm };
  return {
    serverWillStart({ schema }) {
      assertGuarded(schema);
      return Promise.resolve();
    },
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ schema, document, operation, request, contextValue }) {
          // Apollo calls this hook only once an operation was selected; guard the type anyway.
          if (operation === undefined) return Promise.resolve();
          const variables = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          // Variables that do not coerce fail execution before any resolver runs: nothing to guard.
          if (variables.errors !== undefined) return Promise.resolve();
          const { denied } = explainResolvedOperation(
            schema,
            document,
            operation,
            variables.coerced,
            contextValue.auth,
            true,
          );
          const first = denied[0];
          if (first === undefined) return Promise.resolve();
          onReject?.(first);
          return Promise.reject(
            toGraphQLError(first.error, { http: true, coordinate: first.coordinate, ...challenge }),
          );
        },
      });
    },
  };
}
