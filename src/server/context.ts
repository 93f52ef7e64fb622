import type { AuthContext, Authenticated as AuthenticatedOf, Principal } from '../index.js';

/** The example server's GraphQL context: claimgate's `context.auth`. */
export type ServerContext = AuthContext;

/** The context inside guarded fields (codegen's `directiveContextTypes`): a non-null principal. */
export type Authenticated<TContext> = AuthenticatedOf<TContext>;

/** `Me` resolves from the verified principal. */
export type MeModel = Principal;
