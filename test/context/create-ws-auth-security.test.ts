import type { IResolvers } from '@graphql-tools/utils';
import { createClient, type Client } from 'graphql-ws';
import type { JWTVerifyGetKey } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  createMemorySecurityStore,
  createRedisSecurityStore,
  createSecurityMonitor,
  createTokenVerifier,
  createWsAuth,
  WS_CLOSE_RATE_LIMITED,
  type AuthContext,
  type AuthenticationEvent,
  type SecurityEvent,
  type SecurityMonitor,
  type SecurityMonitorOptions,
  type SecurityStore,
  type TokenVerifier,
  type WsAuthOptions,
} from '../../src/index.js';
import { createPubSub, type PubSub } from '../../src/server/create-pub-sub.js';
import {
  closeOfRefusedConnection,
  connectTestClient,
  subscribe,
  toClosed,
  type Closed,
  type TestWsClient,
} from '../helpers/graphql-ws-client.js';
import {
  countingKeyResolver,
  generateTestKeyPair,
  mintToken,
  nowSeconds,
  type TestKeyPair,
} from '../helpers/keys.js';
import { createManualClock } from '../helpers/manual-clock.js';
import { deleteKeys, SHARED_REDIS_URL, uniqueKeyPrefix } from '../helpers/redis.js';
import { startTestWsApi, type TestWsApi } from '../helpers/start-test-ws-api.js';

const typeDefs = /* GraphQL */ `
  type Query {
    health: String!
  }
  type Subscription {
    ticks: Int!
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

function verifier(getKey: JWTVerifyGetKey = () => keys.publicKey): Promise<TokenVerifier> {
  // No verified-token cache: each connection with a valid token costs one key lookup.
  return createTokenVerifier({
    algorithms: ['ES256'],
    key: { getKey },
    clockTolerance: 0,
    cache: false,
  });
}

const bearer = async (claims: Record<string, unknown> = {}, exp?: number) => ({
  Authorization: `Bearer ${await mintToken({
    alg: 'ES256',
    key: keys.privateKey,
    claims: { sub: 'user-1', ...claims },
    ...(exp === undefined ? {} : { exp }),
  })}`,
});

/** A token signed with a key the verifier does not know: TOKEN_INVALID after a key lookup. */
const forged = async () => ({
  Authorization: `Bearer ${await mintToken({
    alg: 'ES256',
    key: otherKeys.privateKey,
    claims: { sub: 'user-1' },
  })}`,
});

/** A monitor over a memory store: 3 failures per minute; store events are collected, not logged. */
function monitor(options: Partial<SecurityMonitorOptions> = {}): {
  security: SecurityMonitor;
  events: SecurityEvent[];
} {
  const events: SecurityEvent[] = [];
  const security = createSecurityMonitor({
    store: createMemorySecurityStore(),
    rateLimit: { failures: 3, windowSeconds: 60 },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { security, events };
}

/** A memory store whose calls fail while `failing` is set, as a Redis outage would. */
function flakyStore(): { store: SecurityStore; fail(on: boolean): void; lookups: () => number } {
  const inner = createMemorySecurityStore();
  let failing = false;
  let lookups = 0;
  const unavailable = () => Promise.reject(new Error('store unreachable'));
  return {
    fail: (on) => {
      failing = on;
    },
    lookups: () => lookups,
    store: {
      lookup: (query) => {
        lookups += 1;
        return failing ? unavailable() : inner.lookup(query);
      },
      recordFailure: (event) => (failing ? unavailable() : inner.recordFailure(event)),
      revokeToken: (...args) => inner.revokeToken(...args),
      revokeSubject: (...args) => inner.revokeSubject(...args),
      report: (query) => inner.report(query),
      close: () => inner.close(),
    },
  };
}

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(
  wsAuth: Partial<WsAuthOptions>,
): Promise<TestWsApi & { ticks: PubSub<number> }> {
  const ticks = createPubSub<number>();
  const resolvers: IResolvers<unknown, AuthContext> = {
    Subscription: {
      ticks: { subscribe: () => ticks.subscribe(), resolve: (n: number) => n },
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
  });
  running.push(api);
  return { ...api, ticks };
}

function client(
  url: string,
  params?: Record<string, unknown>,
  headers?: Record<string, string>,
): TestWsClient {
  const c = connectTestClient(url, params, headers);
  running.push({ stop: () => c.dispose() });
  return c;
}

/** Waits until `assertion` passes: a bound against hangs under load, not a timing assertion. */
function eventually(assertion: () => void | Promise<void>): Promise<void> {
  return vi.waitFor(assertion, { timeout: 10_000, interval: 20 });
}

/** `promise`, or a rejection after `ms`: no test waits unboundedly on a socket. */
function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Publishes `value` once `count` subscribers listen (subscription start is asynchronous). */
async function publishWhenSubscribed(ticks: PubSub<number>, count: number, value: number) {
  await eventually(() => expect(ticks.subscriberCount()).toBe(count));
  ticks.publish(value);
}

/** The close of a connection the server refuses at init, waited for at most 10 s. */
function refusal(
  url: string,
  params?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<Closed & { readonly acknowledged: boolean }> {
  return within(closeOfRefusedConnection(url, params, headers));
}

const REFUSED_RATE_LIMITED = { code: 4429, reason: 'RATE_LIMITED', acknowledged: false };

describe('createWsAuth with a security monitor (memory store)', () => {
  describe('rate limiting at connect', () => {
    it('refuses the next connection, even with a valid token, with 4429 RATE_LIMITED and without verifying it', async () => {
      const counter = countingKeyResolver(keys.publicKey);
      const { security } = monitor();
      const events: AuthenticationEvent[] = [];
      const api = await start({
        verifier: await verifier(counter.getKey),
        security,
        observer: { onAuthentication: (e) => events.push(e) },
      });
      for (let i = 0; i < 3; i += 1) {
        await expect(refusal(api.url, await forged())).resolves.toEqual({
          code: 4403,
          reason: 'TOKEN_INVALID',
          acknowledged: false,
        });
      }
      expect(counter.calls).toBe(3);
      await expect(refusal(api.url, await bearer())).resolves.toEqual(REFUSED_RATE_LIMITED);
      // Refused before verification: the key was not asked for again.
      expect(counter.calls).toBe(3);
      expect(events.map((e) => e.outcome)).toEqual([
        'TOKEN_INVALID',
        'TOKEN_INVALID',
        'TOKEN_INVALID',
        'RATE_LIMITED',
      ]);
      expect(api.wsAuth.activeConnections()).toBe(0);
      await eventually(async () => {
        const report = await security.report();
        expect(report.failuresByKind['invalid-signature']).toBe(3);
        expect(report.refusedRequests).toBe(1);
        expect(report.limitedClients.map((c) => c.clientKey)).toEqual(['127.0.0.1']);
      });
      expect(WS_CLOSE_RATE_LIMITED).toBe(4429);
    });

    it('counts connectionParams that are not a token, two Authorization values and expired tokens', async () => {
      const { security } = monitor();
      const api = await start({ security });
      await expect(refusal(api.url, { Authorization: 42 })).resolves.toEqual({
        code: 4403,
        reason: 'TOKEN_INVALID',
        acknowledged: false,
      });
      await expect(
        refusal(api.url, { Authorization: 'Bearer a', authorization: 'b' }),
      ).resolves.toEqual({ code: 4403, reason: 'BAD_REQUEST', acknowledged: false });
      await expect(refusal(api.url, await bearer({}, nowSeconds() - 60))).resolves.toEqual({
        code: 4403,
        reason: 'TOKEN_EXPIRED',
        acknowledged: false,
      });
      await expect(refusal(api.url, await bearer())).resolves.toEqual(REFUSED_RATE_LIMITED);
      const report = await security.report();
      expect(report.failuresByKind).toEqual({
        expired: 1,
        'invalid-signature': 0,
        malformed: 2,
        other: 0,
      });
    });

    it('still acknowledges a limited client without credentials, as anonymous (as HTTP serves public fields)', async () => {
      const { security } = monitor();
      const api = await start({ security });
      for (let i = 0; i < 3; i += 1) {
        await refusal(api.url, { Authorization: 'Bearer a.b.c' });
      }
      await expect(refusal(api.url, await bearer())).resolves.toEqual(REFUSED_RATE_LIMITED);
      const { client: c } = client(api.url);
      const sub = subscribe(c, 'subscription { ticks }');
      await publishWhenSubscribed(api.ticks, 1, 6);
      expect(await sub.nth(1)).toEqual({ data: { ticks: 6 } });
    });

    it('keys the client by the upgrade request X-Forwarded-For with trustProxy', async () => {
      const { security } = monitor();
      const api = await start({ security, trustProxy: { hops: 1 } });
      const offender = { 'x-forwarded-for': '203.0.113.7' };
      for (let i = 0; i < 3; i += 1) {
        await expect(refusal(api.url, await forged(), offender)).resolves.toMatchObject({
          code: 4403,
          reason: 'TOKEN_INVALID',
        });
      }
      await expect(refusal(api.url, await bearer(), offender)).resolves.toEqual(
        REFUSED_RATE_LIMITED,
      );
      // Another client behind the same proxy is not limited.
      const other = client(api.url, await bearer(), { 'x-forwarded-for': '203.0.113.8' });
      await within(other.connected);
      const report = await security.report();
      expect(report.limitedClients.map((c) => c.clientKey)).toEqual(['203.0.113.7']);
    });

    it('ignores X-Forwarded-For without trustProxy, so a client cannot dodge the limit by changing it', async () => {
      const { security } = monitor();
      const api = await start({ security });
      for (let i = 0; i < 3; i += 1) {
        await refusal(api.url, await forged(), {
          'x-forwarded-for': `198.51.100.${i}`,
        });
      }
      await expect(
        refusal(api.url, await bearer(), { 'x-forwarded-for': '198.51.100.99' }),
      ).resolves.toEqual(REFUSED_RATE_LIMITED);
      const report = await security.report();
      expect(report.topOffenders.map((o) => o.clientKey)).toEqual(['127.0.0.1']);
    });

    it('does not rate limit a connection whose upgrade request is unknown (hooks called directly)', async () => {
      const { security } = monitor();
      const wsAuth = createWsAuth({ verifier: await verifier(), security });
      const closes: Closed[] = [];
      const ctx = (params: Record<string, unknown>) => ({
        connectionParams: params,
        extra: {
          socket: {
            close: (code?: number, reason?: string) =>
              void closes.push({ code: code ?? 0, reason: reason ?? '' }),
          },
        },
      });
      for (let i = 0; i < 4; i += 1) {
        await expect(wsAuth.onConnect(ctx({ Authorization: 'Bearer a.b.c' }))).resolves.toBe(false);
      }
      const valid = ctx(await bearer());
      await expect(wsAuth.onConnect(valid)).resolves.toBe(true);
      expect(closes).toEqual(
        Array.from({ length: 4 }, () => ({ code: 4403, reason: 'TOKEN_INVALID' })),
      );
      wsAuth.onClose(valid);
    });
  });

  describe('what a graphql-ws client does with 4429', () => {
    it('stops a client set to retry in a tight loop: 4403 is retried at once, 4429 is fatal', async () => {
      const { security } = monitor();
      const api = await start({ security });
      let attempts = 0;
      const closes: Closed[] = [];
      let fatal: (error: unknown) => void = () => undefined;
      const gaveUp = new Promise<unknown>((resolve) => (fatal = resolve));
      const params = await forged();
      const c: Client = createClient({
        url: api.url,
        webSocketImpl: WebSocket,
        lazy: false,
        // A misbehaving configuration: retry forever, without waiting, whatever the close.
        retryAttempts: Number.POSITIVE_INFINITY,
        retryWait: () => Promise.resolve(),
        shouldRetry: () => true,
        connectionParams: params,
        onNonLazyError: (error) => fatal(error),
        on: {
          connecting: () => (attempts += 1),
          closed: (event) => closes.push(toClosed(event)),
        },
      });
      running.push({ stop: async () => c.dispose() });
      expect(toClosed(await within(gaveUp))).toEqual({ code: 4429, reason: 'RATE_LIMITED' });
      expect(closes).toEqual([
        { code: 4403, reason: 'TOKEN_INVALID' },
        { code: 4403, reason: 'TOKEN_INVALID' },
        { code: 4403, reason: 'TOKEN_INVALID' },
        { code: 4429, reason: 'RATE_LIMITED' },
      ]);
      expect(attempts).toBe(4);
    });

    it('ends a default retry policy (5 retries) with a static expired token on 4429 at the sixth attempt', async () => {
      // The default limit: 5 failures. Only the wait between retries is shortened, for the test.
      const { security } = monitor({ rateLimit: { failures: 5, windowSeconds: 300 } });
      const api = await start({ security });
      const closes: Closed[] = [];
      let fatal: (error: unknown) => void = () => undefined;
      const gaveUp = new Promise<unknown>((resolve) => (fatal = resolve));
      const c = createClient({
        url: api.url,
        webSocketImpl: WebSocket,
        lazy: false,
        retryWait: () => Promise.resolve(),
        connectionParams: await bearer({}, nowSeconds() - 60),
        onNonLazyError: (error) => fatal(error),
        on: { closed: (event) => closes.push(toClosed(event)) },
      });
      running.push({ stop: async () => c.dispose() });
      expect(toClosed(await within(gaveUp))).toEqual({ code: 4429, reason: 'RATE_LIMITED' });
      expect(closes).toEqual([
        ...Array.from({ length: 5 }, () => ({ code: 4403, reason: 'TOKEN_EXPIRED' })),
        { code: 4429, reason: 'RATE_LIMITED' },
      ]);
    });

    it('lets a client that backs off connect again once the window has passed', async () => {
      const clock = createManualClock();
      const { security } = monitor({ now: () => clock.now() });
      const api = await start({ security });
      for (let i = 0; i < 3; i += 1) {
        await refusal(api.url, await forged());
      }
      const params = await bearer();
      // graphql-ws's default client: lazy, connects on the first subscribe, default retry policy.
      const c = createClient({ url: api.url, webSocketImpl: WebSocket, connectionParams: params });
      running.push({ stop: async () => c.dispose() });
      const refused = subscribe(c, 'subscription { whoami }');
      const ended = await within(refused.ended);
      expect(ended.kind === 'error' && toClosed(ended.error)).toEqual({
        code: 4429,
        reason: 'RATE_LIMITED',
      });
      // The application waits out the window (here: the monitor's clock), then subscribes again.
      clock.advance(61_000);
      const sub = subscribe(c, 'subscription { whoami }');
      await publishWhenSubscribed(api.ticks, 1, 1);
      expect(await within(sub.nth(1))).toEqual({ data: { whoami: 'user-1' } });
    });
  });

  describe('revocation', () => {
    it('refuses at connect a token revoked with security.revokeToken, with 4403 TOKEN_REVOKED, and counts it', async () => {
      const { security } = monitor();
      const api = await start({ security });
      const exp = nowSeconds() + 600;
      await security.revokeToken({ jti: 'jti-revoked', exp });
      await expect(refusal(api.url, await bearer({ jti: 'jti-revoked' }, exp))).resolves.toEqual({
        code: 4403,
        reason: 'TOKEN_REVOKED',
        acknowledged: false,
      });
      const other = client(api.url, await bearer({ jti: 'jti-live' }, exp));
      await within(other.connected);
      expect((await security.report()).failuresByKind.other).toBe(1);
    });

    it('ends a live connection whose token is revoked, within the check interval, without isRevoked', async () => {
      const { security } = monitor();
      const api = await start({ security, revocationCheckInterval: 0.1 });
      const exp = nowSeconds() + 600;
      const c = client(api.url, await bearer({ jti: 'jti-later' }, exp));
      const sub = subscribe(c.client, 'subscription { whoami }');
      await publishWhenSubscribed(api.ticks, 1, 1);
      expect(await sub.nth(1)).toEqual({ data: { whoami: 'user-1' } });
      await security.revokeToken({ jti: 'jti-later', exp });
      await expect(within(c.closed)).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED' });
      expect(api.wsAuth.activeConnections()).toBe(0);
    });

    it('keeps isRevoked, when given, for the interval checks, and still refuses at connect what the monitor revoked', async () => {
      const { security } = monitor();
      const revoked = new Set<string>();
      const seen: string[] = [];
      const api = await start({
        security,
        isRevoked: (principal) => {
          seen.push(principal.subject ?? '');
          return revoked.has(principal.subject ?? '');
        },
        revocationCheckInterval: 0.1,
      });
      const exp = nowSeconds() + 600;
      await security.revokeToken({ jti: 'jti-mallory', exp });
      await expect(
        refusal(api.url, await bearer({ sub: 'mallory', jti: 'jti-mallory' }, exp)),
      ).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED', acknowledged: false });
      // The monitor refused it before the seam was asked.
      expect(seen).toEqual([]);
      const c = client(api.url, await bearer({ sub: 'alice', jti: 'jti-alice' }, exp));
      await within(c.connected);
      revoked.add('alice');
      await expect(within(c.closed)).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED' });
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(new Set(seen)).toEqual(new Set(['alice']));
    });
  });

  describe('when the store fails', () => {
    it('closes with 1013 AUTH_UNAVAILABLE when rate limiting fails closed', async () => {
      const flaky = flakyStore();
      flaky.fail(true);
      const { security, events: storeEvents } = monitor({
        store: flaky.store,
        failMode: { rateLimit: 'closed' },
      });
      const events: AuthenticationEvent[] = [];
      const api = await start({ security, observer: { onAuthentication: (e) => events.push(e) } });
      await expect(refusal(api.url, await bearer())).resolves.toEqual({
        code: 1013,
        reason: 'AUTH_UNAVAILABLE',
        acknowledged: false,
      });
      expect(events).toMatchObject([{ outcome: 'AUTH_UNAVAILABLE', reason: 'security-store' }]);
      expect(storeEvents).toMatchObject([
        { type: 'store-unavailable', feature: 'rate-limit', outcome: 'fail-closed' },
      ]);
    });

    it('acknowledges a valid token when both features fail open', async () => {
      const flaky = flakyStore();
      flaky.fail(true);
      const { security } = monitor({
        store: flaky.store,
        failMode: { rateLimit: 'open', revocation: 'open' },
      });
      const api = await start({ security });
      const c = client(api.url, await bearer({ jti: 'jti-open' }));
      await within(c.connected);
      expect(flaky.lookups()).toBe(1);
      expect(api.wsAuth.activeConnections()).toBe(1);
    });

    it('ends a live connection with 1013 AUTH_UNAVAILABLE when a revocation re-check fails closed', async () => {
      const flaky = flakyStore();
      const { security } = monitor({ store: flaky.store });
      const api = await start({ security, revocationCheckInterval: 0.1 });
      const c = client(api.url, await bearer({ jti: 'jti-outage' }));
      await within(c.connected);
      flaky.fail(true);
      // Not TOKEN_REVOKED: the token was not revoked, the store could not say (retry later).
      await expect(within(c.closed)).resolves.toEqual({ code: 1013, reason: 'AUTH_UNAVAILABLE' });
      expect(api.wsAuth.activeConnections()).toBe(0);
    });
  });

  describe('configuration', () => {
    it('throws a TypeError for an invalid trustProxy', async () => {
      const { security } = monitor();
      const options = { verifier: await verifierOnce(), security, trustProxy: { hops: -1 } };
      expect(() => createWsAuth(options)).toThrow(TypeError);
      expect(() => createWsAuth(options)).toThrow(/trustProxy\.hops/);
    });

    it('throws a TypeError for a security option that is not a monitor', async () => {
      const options = { verifier: await verifierOnce(), security: {} } as unknown as WsAuthOptions;
      expect(() => createWsAuth(options)).toThrow(TypeError);
      expect(() => createWsAuth(options)).toThrow(/createSecurityMonitor/);
    });

    it('accepts revocationCheckInterval with security alone', async () => {
      const { security } = monitor();
      expect(
        createWsAuth({
          verifier: await verifierOnce(),
          security,
          revocationCheckInterval: 1,
        }).activeConnections(),
      ).toBe(0);
    });
  });
});

let sharedVerifier: TokenVerifier | undefined;
async function verifierOnce(): Promise<TokenVerifier> {
  sharedVerifier ??= await verifier();
  return sharedVerifier;
}

describe('createWsAuth with monitors sharing one Redis', () => {
  it('refuses on server B, over WebSocket, a client that failed on server A; and a token revoked through A', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const monitors: SecurityMonitor[] = [];
    running.push({
      stop: async () => {
        await Promise.all(monitors.map((m) => m.close()));
        await deleteKeys(SHARED_REDIS_URL, keyPrefix);
      },
    });
    for (let i = 0; i < 2; i += 1) {
      const store = await createRedisSecurityStore({ url: SHARED_REDIS_URL, keyPrefix });
      monitors.push(
        createSecurityMonitor({
          store,
          rateLimit: { failures: 3, windowSeconds: 60 },
          onEvent: () => undefined,
        }),
      );
    }
    const [first, second] = monitors as [SecurityMonitor, SecurityMonitor];
    const a = await start({ security: first, trustProxy: { hops: 1 } });
    const b = await start({ security: second, trustProxy: { hops: 1 } });
    const offender = { 'x-forwarded-for': '192.0.2.44' };
    for (let i = 0; i < 3; i += 1) {
      await expect(refusal(a.url, await forged(), offender)).resolves.toMatchObject({
        code: 4403,
        reason: 'TOKEN_INVALID',
      });
    }
    await expect(refusal(b.url, await bearer(), offender)).resolves.toEqual(REFUSED_RATE_LIMITED);
    expect((await second.report()).limitedClients.map((c) => c.clientKey)).toEqual(['192.0.2.44']);

    const exp = nowSeconds() + 600;
    await first.revokeToken({ jti: 'jti-shared', exp });
    await expect(
      refusal(b.url, await bearer({ jti: 'jti-shared' }, exp), {
        'x-forwarded-for': '192.0.2.45',
      }),
    ).resolves.toEqual({ code: 4403, reason: 'TOKEN_REVOKED', acknowledged: false });
  });
});
