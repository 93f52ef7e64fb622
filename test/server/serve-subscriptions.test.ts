import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/load-server-config.js';
import { startExampleServer, type ExampleServer } from '../../src/server/start-example-server.js';
import { postGraphQL } from '../helpers/graphql-request.js';
import {
  closeOfRefusedConnection,
  connectTestClient,
  subscribe,
  toClosed,
  type TestWsClient,
} from '../helpers/graphql-ws-client.js';
import { generateTestSecret, mintToken, secretBytes } from '../helpers/keys.js';

const ARTICLE_PUBLISHED = 'subscription { articlePublished { id title body draftNotes } }';

describe('the example server over WebSocket', () => {
  const secret = generateTestSecret();
  let server: ExampleServer;
  let wsUrl: string;
  const clients: TestWsClient[] = [];
  const token = (permissions: string[], sub = 'reader') =>
    mintToken({ alg: 'HS256', key: secretBytes(secret), claims: { sub, permissions } });
  const connect = async (permissions: string[]) => {
    const client = connectTestClient(wsUrl, {
      Authorization: `Bearer ${await token(permissions)}`,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startExampleServer(
      loadServerConfig({ PORT: '0', HOST: '127.0.0.1', JWT_SECRET: secret }),
    );
    wsUrl = server.url.replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.close();
  });

  it('streams articlePublished to a reader when a writer publishes over HTTP', async () => {
    const reader = await connect(['articles:read']);
    await reader.connected;
    const sub = subscribe(reader.client, ARTICLE_PUBLISHED);
    // The subscription starts asynchronously: publish until the first event arrives.
    const first = sub.nth(1);
    const writer = await token(['articles:write'], 'writer');
    let published: unknown;
    for (let attempt = 0; sub.results.length === 0 && attempt < 200; attempt += 1) {
      published = await postGraphQL(server.url, {
        query: 'mutation { publishArticle(title: "Live", body: "Now") { id } }',
        token: writer,
      });
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 25))]);
    }
    expect(published).toMatchObject({ status: 200 });
    expect(await first).toEqual({
      data: {
        articlePublished: {
          id: expect.stringMatching(/^a\d+$/) as unknown,
          title: 'Live',
          body: 'Now',
          draftNotes: null,
        },
      },
      // draftNotes needs articles:write: checked per event, with the connection's principal.
      errors: [
        expect.objectContaining({
          path: ['articlePublished', 'draftNotes'],
          extensions: expect.objectContaining({ code: 'FORBIDDEN' }) as unknown,
        }),
      ],
    });
  });

  it('denies articlePublished without articles:read or admin with FORBIDDEN', async () => {
    const outsider = await connect(['billing:read']);
    const sub = subscribe(outsider.client, ARTICLE_PUBLISHED);
    expect(await sub.ended).toEqual({ kind: 'complete' });
    expect(sub.results).toEqual([
      {
        errors: [
          expect.objectContaining({
            extensions: {
              code: 'FORBIDDEN',
              coordinate: 'Subscription.articlePublished',
              requirement: { anyOf: ['admin', 'articles:read'] },
            },
          }),
        ],
      },
    ]);
  });

  it('refuses a token signed with another secret at init with 4403 and TOKEN_INVALID', async () => {
    const forged = await mintToken({ alg: 'HS256', key: secretBytes(generateTestSecret()) });
    await expect(
      closeOfRefusedConnection(wsUrl, { Authorization: `Bearer ${forged}` }),
    ).resolves.toEqual({ code: 4403, reason: 'TOKEN_INVALID', acknowledged: false });
  });

  it('refuses at init a token whose subject was revoked through the admin mutation', async () => {
    const revokedToken = await token(['articles:read'], 'signed-out');
    const admin = await token(['admin'], 'root');
    const revoke = await postGraphQL(server.url, {
      query: 'mutation { revokeSubject(sub: "signed-out") }',
      token: admin,
    });
    expect(revoke.body.data).toEqual({ revokeSubject: true });
    await expect(
      closeOfRefusedConnection(wsUrl, { Authorization: `Bearer ${revokedToken}` }),
    ).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED', acknowledged: false });
  });

  it('answers HTTP on the same port while subscriptions run', async () => {
    const response = await postGraphQL(server.url, { query: '{ health }' });
    expect(response.body).toEqual({ data: { health: 'ok' } });
  });
});

describe('the example server when it stops', () => {
  it('closes live subscriptions with 1001 (going away)', async () => {
    const secret = generateTestSecret();
    const server = await startExampleServer(
      loadServerConfig({ PORT: '0', HOST: '127.0.0.1', JWT_SECRET: secret }),
    );
    const client = connectTestClient(server.url.replace(/^http/, 'ws'), {
      Authorization: `Bearer ${await mintToken({ alg: 'HS256', key: secretBytes(secret), claims: { permissions: ['admin'] } })}`,
    });
    const sub = subscribe(client.client, ARTICLE_PUBLISHED);
    await client.connected;
    await server.close();
    const ended = await sub.ended;
    expect(ended.kind === 'error' && toClosed(ended.error)).toEqual({
      code: 1001,
      reason: 'Going away',
    });
    await client.dispose();
  });
});
