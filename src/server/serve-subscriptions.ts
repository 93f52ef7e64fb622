import type { Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import {
  createWsAuth,
  formatError,
  type AuthObserver,
  type Principal,
  type SecurityMonitor,
  type TokenVerifier,
  type TrustProxyOptions,
  type WsAuth,
} from '../index.js';

/** The largest WebSocket message accepted, in bytes (ws's default is 100 MiB). */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** What {@link serveSubscriptions} set up. */
export interface SubscriptionServer {
  /** Add to Apollo Server's plugins: on stop it closes every socket (1001) and the ws server. */
  readonly drainPlugin: ApolloServerPlugin;
  /** The connection hooks, e.g. for `activeConnections()`. */
  readonly wsAuth: WsAuth;
}

/**
 * Serves GraphQL subscriptions over WebSocket (graphql-ws protocol) on `httpServer` at `path`,
 * Apollo Server 5's documented setup: one `ws` server on the HTTP server's port, `useServer` from
 * graphql-ws, and a plugin that disposes it when Apollo drains. Connections authenticate once, at
 * init, with the same verifier, rate limit and revocation checks as HTTP requests (claimgate's
 * `createWsAuth`).
 */
export function serveSubscriptions(options: {
  readonly httpServer: Server;
  readonly schema: GraphQLSchema;
  readonly verifier: TokenVerifier;
  readonly path?: string;
  /**
   * Rate limiting and revocation, shared with the HTTP context: a client's failures over HTTP and
   * WebSocket count toward one limit, and live connections are re-checked against revocations.
   */
  readonly security?: SecurityMonitor | undefined;
  /** When to believe `X-Forwarded-For` of the upgrade request, as for the HTTP context. */
  readonly trustProxy?: TrustProxyOptions | undefined;
  /** An extra revocation seam, checked at connect and on an interval while connected. */
  readonly isRevoked?: ((principal: Principal) => Promise<boolean>) | undefined;
  /** Receives one authentication event per connection attempt (metrics, logs). */
  readonly observer?: AuthObserver;
  /**
   * How long past `exp` a connection may live, in seconds: the verifier's own tolerance (the
   * largest of several issuers'), so a connection never outlives what HTTP would accept.
   * @default 10
   */
  readonly clockTolerance?: number | undefined;
}): SubscriptionServer {
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path ?? '/graphql',
    maxPayload: MAX_MESSAGE_BYTES,
  });
  const wsAuth = createWsAuth({
    verifier: options.verifier,
    clockTolerance: options.clockTolerance,
    security: options.security,
    trustProxy: options.trustProxy,
    isRevoked: options.isRevoked,
    observer: options.observer,
  });
  const cleanup = useServer(
    {
      schema: options.schema,
      onConnect: wsAuth.onConnect,
      context: wsAuth.context,
      onClose: wsAuth.onClose,
      // Close reasons never carry an internal message, in development too (issue #4) ...
      isProd: true,
      // ... and subscription results and operation errors are masked like HTTP responses.
      onNext: (_ctx, _id, _payload, _args, { data, errors, extensions }) =>
        errors === undefined
          ? undefined
          : {
              ...(data === undefined ? {} : { data }),
              errors: maskAll(errors),
              ...(extensions === undefined ? {} : { extensions }),
            },
      onError: (_ctx, _id, _payload, errors) => maskAll(errors),
    },
    wsServer,
  );
  return {
    wsAuth,
    drainPlugin: {
      serverWillStart() {
        return Promise.resolve({ drainServer: async () => cleanup.dispose() });
      },
    },
  };
}

/** claimgate's `formatError` over graphql-js errors, as Apollo applies it to HTTP responses. */
function maskAll(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => formatError(error.toJSON(), error));
}
