import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import {
  createRedisSecurityStore,
  createSecurityMonitor,
  createTokenVerifier,
  type FailMode,
  type SecurityEvent,
} from '../../src/index.js';
import { errorCodes, postGraphQL, type GraphQLHttpResponse } from '../helpers/graphql-request.js';
import { generateTestKeyPair, mintToken, type TestKeyPair } from '../helpers/keys.js';
import { startOwnRedisServer, type OwnRedisServer } from '../helpers/redis.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

const typeDefs = 'type Query { me: String @auth }';
const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: { auth: { principal: { subject?: string } } }) =>
      ctx.auth.principal.subject ?? 'anonymous-sub',
  },
};

interface Instance {
  readonly api: TestApi;
  readonly events: SecurityEvent[];
  close(): Promise<void>;
}

let redis: OwnRedisServer;
let keys: TestKeyPair;

async function startInstance(
  url: string,
  failMode: { rateLimit: FailMode; revocation: FailMode },
): Promise<Instance> {
  const store = await createRedisSecurityStore({
    url,
    commandTimeoutMs: 200,
    maxReconnectDelayMs: 200,
    onConnectionEvent: () => {},
  });
  const events: SecurityEvent[] = [];
  const security = createSecurityMonitor({
    store,
    failMode,
    rateLimit: { failures: 3, windowSeconds: 60 },
    onEvent: (event) => events.push(event),
  });
  const verifier = await createTokenVerifier({
    algorithms: ['ES256'],
    key: { publicKey: keys.publicKeyPem },
  });
  const api = await startTestApi({
    typeDefs,
    resolvers,
    context: { verifier, security, rejectInvalidTokens: true },
  });
  return { api, events, close: async () => (await api.stop(), await security.close()) };
}

/** A request that must answer; a hang fails the test through the abort instead of its timeout. */
async function ask(instance: Instance, token: string): Promise<GraphQLHttpResponse> {
  return postGraphQL(instance.api.url, {
    query: '{ me }',
    token,
    signal: AbortSignal.timeout(10_000),
  });
}

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not reached within 20 s');
}

const withSub = () =>
  mintToken({ alg: 'ES256', key: keys.privateKey, claims: { sub: 'alice', jti: 'j-1' } });
const withoutIds = () => mintToken({ alg: 'ES256', key: keys.privateKey });

// Generous bounds: these tests restart servers and run on a shared 2-core machine.
describe('createRedisSecurityStore when Redis fails', { timeout: 60_000 }, () => {
  let defaults: Instance;
  let allOpen: Instance;
  let allClosed: Instance;

  beforeAll(async () => {
    keys = await generateTestKeyPair('ES256');
    redis = await startOwnRedisServer();
    defaults = await startInstance(redis.url, { rateLimit: 'open', revocation: 'closed' });
    allOpen = await startInstance(redis.url, { rateLimit: 'open', revocation: 'open' });
    allClosed = await startInstance(redis.url, { rateLimit: 'closed', revocation: 'closed' });
  });
  afterAll(async () => {
    await Promise.allSettled([defaults?.close(), allOpen?.close(), allClosed?.close()]);
    await redis?.stop();
  });

  it('answers normally while Redis is up', async () => {
    const response = await ask(defaults, await withSub());
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ me: 'alice' });
  });

  it("follows each feature's fail mode while Redis is stopped, then recovers when it returns", async () => {
    await redis.stop();
    const token = await withSub();

    // Defaults: rate limiting fails open, revocation fails closed (503 + Retry-After).
    const closed = await ask(defaults, token);
    expect(closed.status).toBe(503);
    expect(closed.headers.get('retry-after')).toBe('1');
    expect(errorCodes(closed)).toEqual(['AUTH_UNAVAILABLE']);
    // A token with no jti and no sub needs no revocation lookup: only rate limiting, open.
    const open = await ask(defaults, await withoutIds());
    expect(open.status).toBe(200);
    expect(defaults.events).toContainEqual(
      expect.objectContaining({
        type: 'store-unavailable',
        feature: 'revocation',
        outcome: 'fail-closed',
      }),
    );
    expect(defaults.events).toContainEqual(
      expect.objectContaining({
        type: 'store-unavailable',
        feature: 'rate-limit',
        outcome: 'fail-open',
      }),
    );

    expect((await ask(allOpen, token)).body.data).toEqual({ me: 'alice' });
    const refused = await ask(allClosed, await withoutIds());
    expect(refused.status).toBe(503);
    expect(allClosed.events).toContainEqual(
      expect.objectContaining({ feature: 'rate-limit', outcome: 'fail-closed' }),
    );

    await redis.start();
    await eventually(async () => (await ask(defaults, token)).status === 200);
    expect(defaults.events.at(-1)).toMatchObject({ type: 'store-recovered' });
  });

  it('times out instead of hanging while Redis is paused, then recovers when it resumes', async () => {
    const token = await withSub();
    await eventually(async () => (await ask(defaults, token)).status === 200);
    redis.pause();
    try {
      const stalled = await ask(defaults, token);
      expect(stalled.status).toBe(503);
      expect(errorCodes(stalled)).toEqual(['AUTH_UNAVAILABLE']);
      expect((await ask(allOpen, token)).body.data).toEqual({ me: 'alice' });
      expect(allOpen.events.at(-1)).toMatchObject({
        type: 'store-unavailable',
        outcome: 'fail-open',
      });
    } finally {
      redis.resume();
    }
    await eventually(async () => (await ask(defaults, token)).status === 200);
  });
});

describe('createRedisSecurityStore round trips', { timeout: 60_000 }, () => {
  let own: OwnRedisServer;
  let instance: Instance;
  let monitor: ReturnType<typeof createClient>;
  let probe: ReturnType<typeof createClient>;
  const lines: string[] = [];

  beforeAll(async () => {
    keys ??= await generateTestKeyPair('ES256');
    own = await startOwnRedisServer();
    instance = await startInstance(own.url, { rateLimit: 'open', revocation: 'closed' });
    monitor = createClient({ url: own.url });
    probe = createClient({ url: own.url });
    await Promise.all([monitor.connect(), probe.connect()]);
    await monitor.monitor((line) => lines.push(String(line)));
  });
  afterAll(async () => {
    monitor?.destroy();
    probe?.destroy();
    await instance?.close();
    await own?.stop();
  });

  /** The commands clients sent (not those a script ran) while `action` ran. */
  async function commandsDuring(action: () => Promise<void>): Promise<string[]> {
    const start = `start-${Math.random()}`;
    const end = `end-${Math.random()}`;
    await probe.echo(start);
    await action();
    await probe.echo(end);
    await eventually(() => Promise.resolve(lines.some((l) => l.includes(end))));
    const from = lines.findIndex((l) => l.includes(start));
    const to = lines.findIndex((l) => l.includes(end));
    return lines.slice(from + 1, to).filter((l) => !l.includes(' lua]'));
  }

  it('costs exactly one round trip per successful request and none for an anonymous one', async () => {
    const token = await withSub();
    // Warm up: the first call after a server start may need EVAL once (NOSCRIPT).
    expect((await ask(instance, token)).status).toBe(200);
    const requests = 5;
    const sent = await commandsDuring(async () => {
      for (let i = 0; i < requests; i += 1) expect((await ask(instance, token)).status).toBe(200);
    });
    expect(sent).toHaveLength(requests);
    for (const line of sent) expect(line).toContain('"EVALSHA"');

    const anonymous = await commandsDuring(async () => {
      const response = await postGraphQL(instance.api.url, { query: '{ __typename }' });
      expect(response.status).toBe(200);
    });
    expect(anonymous).toEqual([]);
  });

  it('reads the issuer-scoped entries in that same one round trip', async () => {
    const token = await mintToken({
      alg: 'ES256',
      key: keys.privateKey,
      claims: { sub: 'alice', jti: 'j-2', iss: 'https://idp.example/' },
    });
    expect((await ask(instance, token)).status).toBe(200);
    const sent = await commandsDuring(async () => {
      for (let i = 0; i < 3; i += 1) expect((await ask(instance, token)).status).toBe(200);
    });
    expect(sent).toHaveLength(3);
    for (const line of sent) {
      expect(line).toContain('"EVALSHA"');
      // The unscoped jti and subject keys and the scoped ones, all under the one hash tag.
      for (const kind of ['j', 's', 'ji', 'si']) expect(line).toContain(`{cg}:${kind}:`);
      expect(line).not.toContain('idp.example');
    }
  });
});
