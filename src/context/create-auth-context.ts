import { GraphQLError } from 'graphql';
import { assertValidRealm } from '../errors/www-authenticate.js';
import { toGraphQLError } from '../errors/to-graphql-error.js';
import type { AuthState, AuthenticatedState } from '../token/auth-state.js';
import { authenticate } from '../token/authenticate.js';
import type { TokenVerifier } from '../token/create-token-verifier.js';

/** The part of a GraphQL context that claimgate owns: `context.auth`. */
export interface AuthContext {
  readonly auth: AuthState;
}

/** The context inside a field guarded by `@auth` or `@hasPermission`: the principal is present. */
export interface AuthenticatedContext {
  readonly auth: AuthenticatedState;
}

/**
 * `TContext` as seen inside a guarded field: `auth` is narrowed to the authenticated state. Shaped
 * for GraphQL Code Generator's `directiveContextTypes` (`'auth#claimgate#Authenticated'`).
 */
export type Authenticated<TContext> = Omit<TContext, 'auth'> & AuthenticatedContext;

/** The request shape the context builder reads: Node's `IncomingMessage` and Express's fit. */
export interface RequestWithHeaders {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** Options of {@link createAuthContext}. */
export interface AuthContextOptions {
  /** The verifier made by `createTokenVerifier`. */
  readonly verifier: TokenVerifier;
  /**
   * Reject the whole request when a token is present but refused: HTTP 401 with
   * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3) and no execution. When false,
   * the request runs: public fields resolve and each protected field raises the typed error.
   * @default false
   */
  readonly rejectInvalidTokens?: boolean | undefined;
  /** The `realm` of `WWW-Authenticate` challenges. @default undefined (none) */
  readonly realm?: string | undefined;
}

/**
 * Creates an Apollo Server context function that authenticates each request exactly once and puts
 * the outcome in `context.auth`. A request without credentials is anonymous, not an error.
 * @throws TypeError at creation when the options are invalid.
 * @example
 * const authContext = createAuthContext({ verifier });
 * await startStandaloneServer(server, { context: ({ req }) => authContext({ req }) });
 */
export function createAuthContext(
  options: AuthContextOptions,
): (args: { readonly req: RequestWithHeaders }) => Promise<AuthContext> {
  const { verifier, rejectInvalidTokens = false, realm } = options;
  if (verifier === undefined || typeof verifier.verify !== 'function') {
    throw new TypeError(
      'claimgate: createAuthContext needs `verifier` from createTokenVerifier().',
    );
  }
  if (realm !== undefined) assertValidRealm(realm);
  const challenge = realm === undefined ? {} : { realm };

  return async ({ req }) => {
    const header = req.headers['authorization'];
    // Node keeps the first of duplicate Authorization headers; an array only comes from other stacks.
    const authorization = typeof header === 'string' ? header : header?.[0];
    let auth: AuthState;
    try {
      auth = await authenticate(authorization, verifier);
    } catch {
      // Not the client's fault (e.g. a failing key resolver): never a jose message or stack.
      throw new GraphQLError('Authentication failed unexpectedly.', {
        extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } },
      });
    }
    if (rejectInvalidTokens && auth.status === 'failed') {
      throw toGraphQLError(auth.error, { http: true, ...challenge });
    }
    return { auth };
  };
}
