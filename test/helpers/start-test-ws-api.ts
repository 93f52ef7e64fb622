import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import {
  applyAuthDirectives,
  authDirectivesTypeDefs,
  createWsAuth,
  type WsAuth,
  type WsAuthOptions,
} from '../../src/index.js';

/** A running graphql-ws server with claimgate on 127.0.0.1 and a random port. */
export interface TestWsApi {
  /** `ws://127.0.0.1:<port>/graphql` */
  readonly url: string;
  readonly wsAuth: WsAuth;
  /** The `ws` server, to count its live sockets. */
  readonly wsServer: WebSocketServer;
  stop(): Promise<void>;
}

/**
 * Starts a `node:http` server with a `ws` server on `/graphql` running graphql-ws's `useServer`,
 * `typeDefs` guarded by claimgate's directives, and the hooks of `createWsAuth(wsAuth)`.
 * `onConnectSettled` sees each `onConnect` outcome after it settled.
 */
export async function startTestWsApi(options: {
  readonly typeDefs: string;
  readonly resolvers?: IResolvers;
  readonly wsAuth: WsAuthOptions;
  readonly onConnectSettled?: (acknowledged: boolean) => void;
}): Promise<TestWsApi> {
  const schema = applyAuthDirectives(
    makeExecutableSchema({
      typeDefs: [authDirectivesTypeDefs, options.typeDefs],
      ...(options.resolvers === undefined ? {} : { resolvers: options.resolvers }),
    }),
  );
  const wsAuth = createWsAuth(options.wsAuth);
  const httpServer = createServer((_req, res) => res.writeHead(404).end());
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const { onConnectSettled } = options;
  const cleanup = useServer(
    {
      schema,
      onConnect:
        onConnectSettled === undefined
          ? wsAuth.onConnect
          : async (ctx) => {
              const acknowledged = await wsAuth.onConnect(ctx);
              onConnectSettled(acknowledged);
              return acknowledged;
            },
      context: wsAuth.context,
      onClose: wsAuth.onClose,
      isProd: true,
    },
    wsServer,
  );
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    wsAuth,
    wsServer,
    async stop() {
      await cleanup.dispose();
      await new Promise<void>((resolve, reject) =>
        httpServer.close((error) => (error === undefined ? resolve() : reject(error))),
      );
    },
  };
}
