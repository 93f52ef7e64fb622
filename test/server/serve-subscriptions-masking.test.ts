import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/index.js';
import { serveSubscriptions } from '../../src/server/serve-subscriptions.js';
import { connectTestClient, subscribe, type TestWsClient } from '../helpers/graphql-ws-client.js';
import { generateTestSecret } from '../helpers/keys.js';

const INTERNAL = 'connection string postgres://admin:hunter2@db.internal/prod';

describe('serveSubscriptions masks what is not meant for the client', () => {
  let httpServer: Server;
  let url: string;
  let client: TestWsClient;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const schema = makeExecutableSchema({
      typeDefs: 'type Query { ok: Int } type Subscription { boom: Int }',
      resolvers: {
        Subscription: {
          boom: {
            subscribe: async function* () {
              await Promise.resolve();
              yield 1;
            },
            resolve: () => {
              throw new Error(INTERNAL);
            },
          },
        },
      },
    });
    httpServer = createServer();
    const served = serveSubscriptions({
      httpServer,
      schema,
      verifier: await createTokenVerifier({
        algorithms: ['HS256'],
        key: { secret: generateTestSecret() },
      }),
    });
    dispose = async () => {
      const drain = await served.drainPlugin.serverWillStart?.({} as never);
      await (drain as { drainServer?: () => Promise<void> } | undefined)?.drainServer?.();
    };
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`;
    client = connectTestClient(url);
  });
  afterAll(async () => {
    await client.dispose();
    await dispose();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });

  it('replaces a resolver’s internal error in a subscription result with INTERNAL_SERVER_ERROR', async () => {
    const subscription = subscribe(client.client, 'subscription { boom }');
    const result = await subscription.nth(1);
    expect(result.errors).toEqual([
      {
        message: 'Internal server error',
        locations: [{ line: 1, column: 16 }],
        path: ['boom'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('keeps a validation error’s message, without a stack trace', async () => {
    const subscription = subscribe(client.client, 'subscription { nope }');
    const ended = await subscription.ended;
    expect(ended.kind).toBe('error');
    const errors = (ended as { error: unknown }).error as {
      message: string;
      extensions?: object;
    }[];
    expect(errors[0]?.message).toMatch(/Cannot query field "nope"/);
    expect(JSON.stringify(errors)).not.toContain('stacktrace');
  });
});
