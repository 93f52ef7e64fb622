import type { Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import {
  createWsAuth,
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
  readonly production: boolean;
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
}): SubscriptionServer {
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path ?? '/graphql',
    maxPayload: MAX_MESSAGE_BYTES,
  });
  const wsAuth = createWsAuth({
    verifier: options.verifier,
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
      isProd: options.production,
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
