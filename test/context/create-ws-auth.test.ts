import type { IResolvers } from '@graphql-tools/utils';
import type { JWTVerifyGetKey } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  createTokenVerifier,
  createWsAuth,
  type AuthContext,
  type AuthenticationEvent,
  type TokenVerifier,
  type WsAuthOptions,
} from '../../src/index.js';
import { createPubSub, type PubSub } from '../../src/server/create-pub-sub.js';
import {
  closeOfRefusedConnection,
  connectTestClient,
  subscribe,
  toClosed,
  type TestWsClient,
} from '../helpers/graphql-ws-client.js';
import {
  countingKeyResolver,
  generateTestKeyPair,
  mintToken,
  nowSeconds,
  type TestKeyPair,
} from '../helpers/keys.js';
import { startTestWsApi, type TestWsApi } from '../helpers/start-test-ws-api.js';

const typeDefs = /* GraphQL */ `
  type Query {
    health: String!
  }
  type Subscription {
    ticks: Int!
    secretTicks: Int! @hasPermission(permission: "secret:read")
    whoami: String! @auth
  }
`;

let keys: TestKeyPair;
let otherKeys: TestKeyPair;
beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([
    generateTestKeyPair('ES256'),
    generateTestKeyPair('ES256'),
  ]);
});

async function verifier(getKey: JWTVerifyGetKey = () => keys.publicKey): Promise<TokenVerifier> {
  return createTokenVerifier({ algorithms: ['ES256'], key: { getKey }, clockTolerance: 0 });
}

function token(claims: Record<string, unknown> = {}, exp?: number): Promise<string> {
  return mintToken({
    alg: 'ES256',
    key: keys.privateKey,
    claims: { sub: 'user-1', ...claims },
    ...(exp === undefined ? {} : { exp }),
  });
}

const bearer = async (claims?: Record<string, unknown>, exp?: number) => ({
  Authorization: `Bearer ${await token(claims, exp)}`,
});

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(
  wsAuth: Partial<WsAuthOptions> = {},
  extra: { onConnectSettled?: (acknowledged: boolean) => void } = {},
): Promise<TestWsApi & { ticks: PubSub<number> }> {
  const ticks = createPubSub<number>();
  const resolvers: IResolvers<unknown, AuthContext> = {
    Subscription: {
      ticks: { subscribe: () => ticks.subscribe(), resolve: (n: number) => n },
      secretTicks: { subscribe: () => ticks.subscribe(), resolve: (n: number) => n },
      whoami: {
        subscribe: () => ticks.subscribe(),
        resolve: (_n: number, _args: unknown, { auth }: AuthContext) => auth.principal?.subject,
      },
    },
  };
  const api = await startTestWsApi({
    typeDefs,
    resolvers,
    wsAuth: { verifier: await verifier(), clockTolerance: 0, ...wsAuth },
    ...extra,
  });
  running.push(api);
  return { ...api, ticks };
}

function client(url: string, params?: Record<string, unknown>): TestWsClient {
  const c = connectTestClient(url, params);
  running.push({ stop: () => c.dispose() });
  return c;
}

/** Waits until `assertion` passes: a bound against hangs under load, not a timing assertion. */
function eventually(assertion: () => void): Promise<void> {
  return vi.waitFor(assertion, { timeout: 10_000, interval: 20 });
}

/** Publishes `value` once `count` subscribers listen (subscription start is asynchronous). */
async function publishWhenSubscribed(ticks: PubSub<number>, count: number, value: number) {
  await eventually(() => expect(ticks.subscriberCount()).toBe(count));
  ticks.publish(value);
}

describe('createWsAuth', () => {
  describe('at connect', () => {
    it('acknowledges a connection without a token and serves public subscriptions', async () => {
      const api = await start();
      const { client: c } = client(api.url);
      const sub = subscribe(c, 'subscription { ticks }');
      await publishWhenSubscribed(api.ticks, 1, 7);
      expect(await sub.nth(1)).toEqual({ data: { ticks: 7 } });
      expect(api.wsAuth.activeConnections()).toBe(1);
    });

    it('closes with 4403 and UNAUTHENTICATED when a token is required and none is sent', async () => {
      const api = await start({ requireAuthentication: true });
      await expect(closeOfRefusedConnection(api.url)).resolves.toEqual({
        code: 4403,
        reason: 'UNAUTHENTICATED',
        acknowledged: false,
      });
      expect(api.wsAuth.activeConnections()).toBe(0);
    });

    it('closes with 4403 and TOKEN_INVALID for a token signed with another key', async () => {
      const api = await start();
      const forged = await mintToken({
        alg: 'ES256',
        key: otherKeys.privateKey,
        claims: { sub: 'user-1' },
      });
      await expect(
        closeOfRefusedConnection(api.url, { Authorization: `Bearer ${forged}` }),
      ).resolves.toEqual({ code: 4403, reason: 'TOKEN_INVALID', acknowledged: false });
    });

    it('reports each connection attempt to the observer, never the token', async () => {
      const events: AuthenticationEvent[] = [];
      const api = await start({ observer: { onAuthentication: (e) => events.push(e) } });
      const params = await bearer({ secret_claim: 'claim-value-5d1e' });
      const expired = await bearer({}, nowSeconds() - 60);
      await expect(closeOfRefusedConnection(api.url, expired)).resolves.toMatchObject({
        reason: 'TOKEN_EXPIRED',
      });
      const { client: c } = client(api.url, params);
      const sub = subscribe(c, 'subscription { whoami }');
      await publishWhenSubscribed(api.ticks, 1, 1);
      expect(await sub.nth(1)).toEqual({ data: { whoami: 'user-1' } });
      expect(events).toMatchObject([
        { outcome: 'TOKEN_EXPIRED', reason: 'expired', algorithm: 'ES256' },
        { outcome: 'ok', algorithm: 'ES256', cacheHit: false },
      ]);
      const seen = JSON.stringify(events);
      for (const header of [params.Authorization, expired.Authorization]) {
        for (const part of header.slice('Bearer '.length).split('.')) {
          expect(seen).not.toContain(part);
        }
      }
      expect(seen).not.toContain('claim-value-5d1e');
      expect(seen).not.toContain('user-1');
    });

    it('closes with 4403 and TOKEN_EXPIRED for an expired token', async () => {
      const api = await start();
      await expect(
        closeOfRefusedConnection(api.url, await bearer({}, nowSeconds() - 60)),
      ).resolves.toEqual({ code: 4403, reason: 'TOKEN_EXPIRED', acknowledged: false });
    });

    it('closes with 4403 and BAD_REQUEST for an empty Bearer credential, as HTTP answers 400', async () => {
      const api = await start();
      await expect(
        closeOfRefusedConnection(api.url, { Authorization: 'Bearer ' }),
      ).resolves.toMatchObject({ code: 4403, reason: 'BAD_REQUEST' });
    });

    it.each([
      ['a non-string value', { Authorization: 42 }],
      ['a value that is not a JWT', { Authorization: 'Bearer not-a-jwt' }],
    ])('closes with 4403 and TOKEN_INVALID for %s', async (_name, params) => {
      const api = await start();
      await expect(closeOfRefusedConnection(api.url, params)).resolves.toMatchObject({
        code: 4403,
        reason: 'TOKEN_INVALID',
      });
    });

    it('closes with 4403 and BAD_REQUEST for two spellings with different values, as HTTP answers two headers', async () => {
      const api = await start();
      await expect(
        closeOfRefusedConnection(api.url, { Authorization: 'Bearer a', authorization: 'b' }),
      ).resolves.toMatchObject({ code: 4403, reason: 'BAD_REQUEST' });
    });

    it('applies maxTokenBytes: a token over the bound closes with TOKEN_INVALID, one under it connects', async () => {
      const params = await bearer();
      const length = String(params.Authorization).length - 'Bearer '.length;
      const tight = await start({ maxTokenBytes: length - 1 });
      await expect(closeOfRefusedConnection(tight.url, params)).resolves.toMatchObject({
        code: 4403,
        reason: 'TOKEN_INVALID',
      });
      const exact = await start({ maxTokenBytes: length });
      const c = client(exact.url, params);
      await expect(c.connected).resolves.toBeUndefined();
    });

    it('refuses an invalid maxTokenBytes at creation', async () => {
      await expect(start({ maxTokenBytes: 0 })).rejects.toThrow(/maxTokenBytes/);
    });

    it('refuses a bad token even when authentication is optional', async () => {
      const api = await start({ requireAuthentication: false });
      await expect(
        closeOfRefusedConnection(api.url, { Authorization: 'Bearer a.b.c' }),
      ).resolves.toMatchObject({ code: 4403, reason: 'TOKEN_INVALID' });
    });

    it('accepts the token under the lowercase authorization key', async () => {
      const api = await start({ requireAuthentication: true });
      const { client: c } = client(api.url, {
        authorization: `Bearer ${await token({ permissions: [] })}`,
      });
      const sub = subscribe(c, 'subscription { whoami }');
      await publishWhenSubscribed(api.ticks, 1, 1);
      expect(await sub.nth(1)).toEqual({ data: { whoami: 'user-1' } });
    });

    it('closes with 1013 AUTH_UNAVAILABLE and no details when the key service is down', async () => {
      const api = await start({
        verifier: await verifier(() => {
          throw new Error('key service down: secret detail');
        }),
      });
      await expect(closeOfRefusedConnection(api.url, await bearer())).resolves.toEqual({
        code: 1013,
        reason: 'AUTH_UNAVAILABLE',
        acknowledged: false,
      });
    });

    it('closes with 4500 and no details when the verifier fails with an untyped error', async () => {
      const buggy: TokenVerifier = {
        verify: () => Promise.reject(new Error('bug: secret detail')),
        isReady: () => true,
        warmUp: () => Promise.resolve(),
      };
      const api = await start({ verifier: buggy });
      await expect(closeOfRefusedConnection(api.url, await bearer())).resolves.toEqual({
        code: 4500,
        reason: 'INTERNAL_SERVER_ERROR',
        acknowledged: false,
      });
    });

    it('keeps no state for a client that leaves while its token is being verified', async () => {
      let release: () => void = () => undefined;
      const keyReleased = new Promise<void>((resolve) => (release = resolve));
      let requested: () => void = () => undefined;
      const keyRequested = new Promise<void>((resolve) => (requested = resolve));
      let settled: (acknowledged: boolean) => void = () => undefined;
      const onConnectSettled = new Promise<boolean>((resolve) => (settled = resolve));
      const api = await start(
        {
          verifier: await verifier(async () => {
            requested();
            await keyReleased;
            return keys.publicKey;
          }),
        },
        { onConnectSettled: settled },
      );
      // A raw socket: graphql-ws's client cannot drop a connection that is not acknowledged yet.
      const socket = new WebSocket(api.url, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: await bearer() }));
      // Leave while the server is verifying the token, before the key resolves.
      await keyRequested;
      socket.terminate();
      await eventually(() => expect(api.wsServer.clients.size).toBe(0));
      release();
      expect(await onConnectSettled).toBe(false);
      expect(api.wsAuth.activeConnections()).toBe(0);
    });
  });

  describe('at subscribe', () => {
    it('streams a guarded subscription to a caller holding the permission', async () => {
      const api = await start();
      const { client: c } = client(api.url, await bearer({ permissions: ['secret:read'] }));
      const sub = subscribe(c, 'subscription { secretTicks }');
      await publishWhenSubscribed(api.ticks, 1, 3);
      expect(await sub.nth(1)).toEqual({ data: { secretTicks: 3 } });
    });

    it('denies a subscription without the permission with FORBIDDEN and opens no source stream', async () => {
      const api = await start();
      const { client: c } = client(api.url, await bearer({ permissions: ['other'] }));
      const denied = subscribe(c, 'subscription { secretTicks }');
      expect(await denied.ended).toEqual({ kind: 'complete' });
      expect(denied.results).toEqual([
        {
          errors: [
            expect.objectContaining({
              message: 'Permission denied.',
              path: ['secretTicks'],
              extensions: {
                code: 'FORBIDDEN',
                coordinate: 'Subscription.secretTicks',
                requirement: { anyOf: ['secret:read'] },
              },
            }),
          ],
        },
      ]);
      expect(api.ticks.subscriberCount()).toBe(0);
      // The connection stays usable for what the caller may see.
      const allowed = subscribe(c, 'subscription { ticks }');
      await publishWhenSubscribed(api.ticks, 1, 5);
      expect(await allowed.nth(1)).toEqual({ data: { ticks: 5 } });
    });

    it('denies an anonymous connection a guarded subscription with UNAUTHENTICATED', async () => {
      const api = await start();
      const { client: c } = client(api.url);
      const denied = subscribe(c, 'subscription { whoami }');
      expect(await denied.ended).toEqual({ kind: 'complete' });
      expect(denied.results[0]?.errors?.map((e) => e.extensions?.['code'])).toEqual([
        'UNAUTHENTICATED',
      ]);
      expect(api.ticks.subscriberCount()).toBe(0);
    });

    it('verifies each connection once, however many subscriptions it starts', async () => {
      const counter = countingKeyResolver(keys.publicKey);
      const api = await start({ verifier: await verifier(counter.getKey) });
      const connections = 12;
      const perConnection = 3;
      const tokens = await Promise.all(
        Array.from({ length: connections }, (_, i) => token({ sub: `user-${i}` })),
      );
      const subs = tokens.flatMap((t) => {
        const { client: c } = client(api.url, { Authorization: `Bearer ${t}` });
        return Array.from({ length: perConnection }, () => subscribe(c, 'subscription { whoami }'));
      });
      await publishWhenSubscribed(api.ticks, connections * perConnection, 9);
      const first = await Promise.all(subs.map((s) => s.nth(1)));
      expect(new Set(first.map((r) => (r.data as { whoami: string }).whoami)).size).toBe(
        connections,
      );
      expect(counter.calls).toBe(connections);
      expect(api.wsAuth.activeConnections()).toBe(connections);
    });
  });

  describe('while connected', () => {
    it('ends a live subscription with 4403 and TOKEN_EXPIRED when the token expires', async () => {
      const api = await start();
      // Expires in two to three seconds (margin for a loaded machine to connect, subscribe and
      // receive one event first); the test waits for the close, not for a time.
      const c = client(api.url, await bearer({ permissions: ['secret:read'] }, nowSeconds() + 3));
      const sub = subscribe(c.client, 'subscription { secretTicks }');
      await publishWhenSubscribed(api.ticks, 1, 1);
      expect(await sub.nth(1)).toEqual({ data: { secretTicks: 1 } });
      const ended = await sub.ended;
      expect(ended.kind).toBe('error');
      expect(ended.kind === 'error' && toClosed(ended.error)).toEqual({
        code: 4403,
        reason: 'TOKEN_EXPIRED',
      });
      await expect(c.closed).resolves.toEqual({ code: 4403, reason: 'TOKEN_EXPIRED' });
      await eventually(() => expect(api.ticks.subscriberCount()).toBe(0));
      expect(api.wsAuth.activeConnections()).toBe(0);
    });

    it('lets a client re-authenticate by reconnecting with a fresh token', async () => {
      const api = await start();
      const first = client(api.url, await bearer({}, nowSeconds() + 1));
      await expect(first.closed).resolves.toEqual({ code: 4403, reason: 'TOKEN_EXPIRED' });
      const second = client(api.url, await bearer({ permissions: ['secret:read'] }));
      const sub = subscribe(second.client, 'subscription { secretTicks }');
      await publishWhenSubscribed(api.ticks, 1, 2);
      expect(await sub.nth(1)).toEqual({ data: { secretTicks: 2 } });
    });

    it('ends a connection whose token isRevoked reports, within the check interval', async () => {
      const revoked = new Set<string>();
      const api = await start({
        isRevoked: (principal) => revoked.has(principal.subject ?? ''),
        revocationCheckInterval: 0.1,
      });
      const c = client(api.url, await bearer({ sub: 'alice', permissions: ['secret:read'] }));
      const sub = subscribe(c.client, 'subscription { secretTicks }');
      await publishWhenSubscribed(api.ticks, 1, 1);
      await sub.nth(1);
      revoked.add('alice');
      await expect(c.closed).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED' });
      expect(api.wsAuth.activeConnections()).toBe(0);
    });

    it('refuses at init a token isRevoked reports', async () => {
      const api = await start({ isRevoked: (principal) => principal.subject === 'mallory' });
      await expect(
        closeOfRefusedConnection(api.url, await bearer({ sub: 'mallory' })),
      ).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED', acknowledged: false });
    });

    it('keeps a connection open when isRevoked throws (fail open)', async () => {
      let checks = 0;
      const api = await start({
        isRevoked: () => {
          checks += 1;
          throw new Error('store unreachable');
        },
        revocationCheckInterval: 0.1,
      });
      const c = client(api.url, await bearer({ permissions: ['secret:read'] }));
      const sub = subscribe(c.client, 'subscription { secretTicks }');
      await eventually(() => expect(checks).toBeGreaterThanOrEqual(3));
      await publishWhenSubscribed(api.ticks, 1, 4);
      expect(await sub.nth(1)).toEqual({ data: { secretTicks: 4 } });
      expect(api.wsAuth.activeConnections()).toBe(1);
    });
    it('bounds a hung isRevoked: the connection is accepted and later sweeps keep running', async () => {
      let calls = 0;
      const api = await start({
        // The first call never settles (a hung store client); later ones answer "revoked".
        isRevoked: () => {
          calls += 1;
          return calls === 1 ? new Promise<boolean>(() => undefined) : true;
        },
        revocationCheckInterval: 0.1,
      });
      const c = client(api.url, await bearer());
      await expect(c.connected).resolves.toBeUndefined();
      await expect(c.closed).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED' });
      expect(calls).toBeGreaterThanOrEqual(2);
    }, 20_000);
  });

  describe('under a flood of bad tokens', () => {
    it('closes every connection with 4403, keeps no state and keeps serving', async () => {
      const counter = countingKeyResolver(keys.publicKey);
      const api = await start({ verifier: await verifier(counter.getKey) });
      const forged = await mintToken({ alg: 'ES256', key: otherKeys.privateKey });
      const flood = 60;
      const outcomes = await Promise.all(
        Array.from({ length: flood }, (_, i) =>
          closeOfRefusedConnection(api.url, {
            Authorization: i % 2 === 0 ? `Bearer ${forged}` : `Bearer garbage.${i}.x`,
          }),
        ),
      );
      expect(outcomes.every((o) => o.code === 4403 && o.reason === 'TOKEN_INVALID')).toBe(true);
      expect(outcomes.some((o) => o.acknowledged)).toBe(false);
      expect(api.wsAuth.activeConnections()).toBe(0);
      await eventually(() => expect(api.wsServer.clients.size).toBe(0));

      const { client: c } = client(api.url, await bearer({ permissions: ['secret:read'] }));
      const sub = subscribe(c, 'subscription { secretTicks }');
      await publishWhenSubscribed(api.ticks, 1, 8);
      expect(await sub.nth(1)).toEqual({ data: { secretTicks: 8 } });
    });
  });

  describe('hooks called directly, in graphql-ws order', () => {
    // The socket here only records its close: these tests pin the context contract around a close.
    function connection(params?: Record<string, unknown>) {
      const closes: { code?: number | undefined; reason?: string | undefined }[] = [];
      const ctx = {
        ...(params === undefined ? {} : { connectionParams: params }),
        extra: {
          socket: { close: (code?: number, reason?: string) => void closes.push({ code, reason }) },
        },
      };
      return { ctx, closes };
    }

    it('hands out the stored principal without verifying again', async () => {
      const counter = countingKeyResolver(keys.publicKey);
      const wsAuth = createWsAuth({ verifier: await verifier(counter.getKey), clockTolerance: 0 });
      const { ctx, closes } = connection(await bearer({ permissions: ['a'] }));
      await expect(wsAuth.onConnect(ctx)).resolves.toBe(true);
      const first = wsAuth.context(ctx);
      expect(wsAuth.context(ctx).auth).toBe(first.auth);
      expect(first.auth.principal?.subject).toBe('user-1');
      expect(counter.calls).toBe(1);
      expect(closes).toEqual([]);
      wsAuth.onClose(ctx);
      expect(wsAuth.activeConnections()).toBe(0);
    });

    it('answers TOKEN_EXPIRED from context once the connection was ended by expiry', async () => {
      const wsAuth = createWsAuth({ verifier: await verifier(), clockTolerance: 0 });
      // At least a second of validity left, so the connection is accepted however slow the machine.
      const { ctx, closes } = connection(await bearer({}, nowSeconds() + 2));
      await expect(wsAuth.onConnect(ctx)).resolves.toBe(true);
      await eventually(() => expect(closes).toEqual([{ code: 4403, reason: 'TOKEN_EXPIRED' }]));
      expect(wsAuth.context(ctx).auth).toMatchObject({
        status: 'failed',
        principal: null,
        error: { code: 'TOKEN_EXPIRED' },
      });
      expect(wsAuth.activeConnections()).toBe(0);
    });

    it('answers anonymous, never the principal, for a subscribe racing the close', async () => {
      const wsAuth = createWsAuth({ verifier: await verifier() });
      const { ctx } = connection(await bearer());
      await wsAuth.onConnect(ctx);
      wsAuth.onClose(ctx);
      expect(wsAuth.context(ctx).auth).toEqual({ status: 'anonymous', principal: null });
    });
  });

  describe('configuration', () => {
    it.each([
      ['no verifier', {}, /createWsAuth needs `verifier`/],
      ['a negative clock tolerance', { clockTolerance: -1 }, /clockTolerance/],
      ['an interval without isRevoked', { revocationCheckInterval: 5 }, /needs `isRevoked`/],
      [
        'an interval below 0.1 s',
        { isRevoked: () => false, revocationCheckInterval: 0.01 },
        /at least 0\.1/,
      ],
    ])('throws a TypeError for %s', async (_name, options, message) => {
      const base = { verifier: await verifier() };
      const given = { ...(Object.keys(options).length === 0 ? {} : base), ...options };
      expect(() => createWsAuth(given as WsAuthOptions)).toThrow(TypeError);
      expect(() => createWsAuth(given as WsAuthOptions)).toThrow(message);
    });

    it('fails loudly when context is used without onConnect', async () => {
      const wsAuth = createWsAuth({ verifier: await verifier() });
      const ctx = { extra: { socket: { close: () => undefined } } };
      expect(() => wsAuth.context(ctx)).toThrow(/pass createWsAuth\(\)\.onConnect/);
    });
  });
});
