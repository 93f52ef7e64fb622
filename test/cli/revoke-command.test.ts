import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  createRedisSecurityStore,
  createSecurityMonitor,
  createTokenVerifier,
  type RedisSecurityStore,
  type SecurityMonitor,
  type TokenVerifier,
} from '../../src/index.js';
import { generateTestSecret, mintToken, nowSeconds, secretBytes } from '../helpers/keys.js';
import {
  deleteKeys,
  SHARED_REDIS_URL,
  startOwnRedisServer,
  uniqueKeyPrefix,
  type OwnRedisServer,
} from '../helpers/redis.js';
import { runCli } from '../helpers/run-cli.js';

// One key prefix for this run, in the machine's shared Redis; removed afterwards.
const keyPrefix = uniqueKeyPrefix();
const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: keyPrefix };
const secret = generateTestSecret();

let verifier: TokenVerifier;
let store: RedisSecurityStore;
let security: SecurityMonitor;
beforeAll(async () => {
  verifier = await createTokenVerifier({ algorithms: ['HS256'], key: { secret } });
  // What every example server instance on this Redis and prefix would consult.
  store = await createRedisSecurityStore({ url: SHARED_REDIS_URL, keyPrefix });
  security = createSecurityMonitor({ store, rateLimit: false });
});
afterAll(async () => {
  await store.close();
  await deleteKeys(SHARED_REDIS_URL, keyPrefix);
});

/** How the server would treat a token with these claims: authenticated, or its error code. */
async function verdict(
  claims: { sub: string; jti?: string; iat?: number; iss?: string },
  exp: number | null = nowSeconds() + 3600,
  monitor: SecurityMonitor = security,
  tokenVerifier: TokenVerifier = verifier,
): Promise<string> {
  const token = await mintToken({ alg: 'HS256', key: secretBytes(secret), claims, exp });
  const state = await authenticate(`Bearer ${token}`, tokenVerifier, { security: monitor });
  return state.status === 'failed' ? state.error.code : state.status;
}

function unique(name: string): string {
  return `${name}-${randomUUID()}`;
}

describe('claimgate revoke', () => {
  it('revokes one token by jti until its exp, under REDIS_KEY_PREFIX', async () => {
    const jti = unique('jti');
    const sub = unique('sub');
    const exp = nowSeconds() + 3600;
    expect(await verdict({ sub, jti }, exp)).toBe('authenticated');

    const result = await runCli(['revoke', '--jti', jti, '--exp', String(exp)], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `Revoked the token with jti "${jti}" until ${new Date(exp * 1000).toISOString()} (its exp), in Redis at ${SHARED_REDIS_URL} under prefix "${keyPrefix}".\n`,
    );

    expect(await verdict({ sub, jti }, exp)).toBe('TOKEN_REVOKED');
    // The same subject's other tokens are untouched.
    expect(await verdict({ sub, jti: unique('other') }, exp)).toBe('authenticated');
    // The entry lives under this run's prefix only, and leaves Redis by itself at exp.
    const otherStore = await createRedisSecurityStore({
      url: SHARED_REDIS_URL,
      keyPrefix: uniqueKeyPrefix(),
    });
    try {
      const other = createSecurityMonitor({ store: otherStore, rateLimit: false });
      expect(await verdict({ sub, jti }, exp, other)).toBe('authenticated');
    } finally {
      await otherStore.close();
    }
    const client = createClient({ url: SHARED_REDIS_URL });
    await client.connect();
    try {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${keyPrefix}{cg}:j:*` }))
        keys.push(...batch);
      expect(keys.length).toBeGreaterThanOrEqual(1);
      const expiries = await Promise.all(keys.map((key) => client.pExpireTime(key)));
      expect(expiries).toContain(exp * 1000);
    } finally {
      client.destroy();
    }
  });

  it('revokes a subject’s tokens issued before --before, not those issued after', async () => {
    const sub = unique('sub');
    const now = nowSeconds();
    const before = new Date((now - 60) * 1000).toISOString();
    expect(await verdict({ sub, iat: now - 120 })).toBe('authenticated');

    const result = await runCli(['revoke', '--sub', sub, '--before', before, '--json'], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toEqual({
      by: 'subject',
      sub,
      before: now - 60,
      issuedBefore: before,
      keptUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      stored: true,
      redis: SHARED_REDIS_URL,
      keyPrefix,
    });
    const keptFor = Date.parse(printed['keptUntil'] as string) / 1000 - now;
    expect(keptFor).toBeGreaterThan(86_400 - 60);
    expect(keptFor).toBeLessThan(86_400 + 60);

    expect(await verdict({ sub, iat: now - 120 })).toBe('TOKEN_REVOKED');
    expect(await verdict({ sub, iat: now - 61 })).toBe('TOKEN_REVOKED');
    expect(await verdict({ sub, iat: now - 60 })).toBe('authenticated');
    expect(await verdict({ sub, iat: now - 10 })).toBe('authenticated');
    expect(await verdict({ sub: unique('someone-else'), iat: now - 120 })).toBe('authenticated');
  });

  it('revokes every token of the subject issued so far by default, also under NODE_ENV=production', async () => {
    const sub = unique('sub');
    const iat = nowSeconds();
    expect(await verdict({ sub, iat })).toBe('authenticated');
    // No verification key is configured: revoke does not need one, whatever NODE_ENV says.
    const result = await runCli(['revoke', '--sub', sub], {
      env: { ...env, NODE_ENV: 'production' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^Revoked every token of sub "${sub}" issued before \\S+Z, in Redis at `),
    );
    expect(await verdict({ sub, iat })).toBe('TOKEN_REVOKED');
  });

  it('prints the jti revocation as JSON, with an ISO --exp', async () => {
    const jti = unique('jti');
    const exp = nowSeconds() + 7200;
    const date = new Date(exp * 1000);
    // The same moment written with a +02:00 offset.
    const shifted = new Date(date.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    const result = await runCli(['revoke', '--json', '--jti', jti, '--exp', shifted], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      by: 'jti',
      jti,
      exp,
      until: date.toISOString(),
      stored: true,
      redis: SHARED_REDIS_URL,
      keyPrefix,
    });
    expect(await verdict({ sub: unique('sub'), jti }, exp)).toBe('TOKEN_REVOKED');
  });

  it('revokes a subject for one issuer only with --iss', async () => {
    const sub = unique('sub');
    const iat = nowSeconds() - 5;
    const iss = 'https://partners.example/';
    const result = await runCli(['revoke', '--sub', sub, '--iss', iss, '--json'], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ by: 'subject', sub, iss, stored: true });
    expect(await verdict({ sub, iat, iss })).toBe('TOKEN_REVOKED');
    expect(await verdict({ sub, iat, iss: 'https://workforce.example/' })).toBe('authenticated');
    expect(await verdict({ sub, iat })).toBe('authenticated');
  });

  it('revokes a jti for one issuer only with --iss, leaving the same jti of another issuer', async () => {
    const jti = unique('jti');
    const exp = nowSeconds() + 3600;
    const iss = 'https://partners.example/';
    const result = await runCli(['revoke', '--jti', jti, '--exp', String(exp), '--iss', iss], {
      env,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `Revoked the token with jti "${jti}" of issuer "${iss}" until ${new Date(exp * 1000).toISOString()} (its exp), in Redis at ${SHARED_REDIS_URL} under prefix "${keyPrefix}".\n`,
    );
    expect(await verdict({ sub: 'a', jti, iss }, exp)).toBe('TOKEN_REVOKED');
    expect(await verdict({ sub: 'b', jti, iss: 'https://workforce.example/' }, exp)).toBe(
      'authenticated',
    );
    expect(await verdict({ sub: 'c', jti }, exp)).toBe('authenticated');
  });

  it('revokes a token without exp for one day with --exp none', async () => {
    const lenient = await createTokenVerifier({
      algorithms: ['HS256'],
      key: { secret },
      requireExpiration: false,
    });
    const jti = unique('jti');
    const sub = unique('sub');
    expect(await verdict({ sub, jti }, null, security, lenient)).toBe('authenticated');
    const result = await runCli(['revoke', '--jti', jti, '--exp', 'none', '--json'], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ by: 'jti', jti, exp: null, stored: true });
    const keptFor = Date.parse(printed['until'] as string) / 1000 - nowSeconds();
    expect(keptFor).toBeGreaterThan(86_400 - 60);
    expect(keptFor).toBeLessThan(86_400 + 60);
    expect(await verdict({ sub, jti }, null, security, lenient)).toBe('TOKEN_REVOKED');
  });

  it('stores nothing for an exp in the past and says so, exiting 0', async () => {
    const jti = unique('jti');
    const result = await runCli(['revoke', '--jti', jti, '--exp', '2020-01-01', '--json'], {
      env,
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      by: 'jti',
      jti,
      exp: 1577836800,
      until: '2020-01-01T00:00:00.000Z',
      stored: false,
    });
    const text = await runCli(['revoke', '--jti', jti, '--exp', '1577836800'], { env });
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(
      `Nothing to revoke: the token with jti "${jti}" expired at 2020-01-01T00:00:00.000Z, so it is refused anyway.\n`,
    );
  });

  it.each([
    [[], 'give exactly one of --jti'],
    [['--jti', 'a', '--sub', 'b'], 'give exactly one of --jti'],
    [['--jti', 'a'], '--jti needs --exp'],
    [['--jti', '', '--exp', '1900000000'], '--jti must not be empty'],
    [['--sub', ''], '--sub must not be empty'],
    [['--jti', 'a', '--exp', 'tomorrow'], '--exp must be seconds since the epoch or an ISO 8601'],
    [['--jti', 'a', '--exp=-5'], '--exp must be seconds since the epoch or an ISO 8601'],
    [['--sub', 'a', '--before', '2026-02-30'], '--before must be seconds since the epoch'],
    [['--sub', 'a', '--before', '2026-01-31T12:00'], '--before must be seconds since the epoch'],
    [['--sub', 'a', '--before', String(Date.now())], '--before looks like milliseconds'],
    [['--sub', 'a', '--before', String(nowSeconds() + 3600)], '--before is in the future'],
    [['--sub', 'a', '--exp', '1900000000'], '--exp goes with --jti, not --sub'],
    [['--jti', 'a', '--exp', '1900000000', '--before', 'now'], '--before goes with --sub'],
    [['--sub', 'a', 'extra'], 'revoke takes no arguments'],
    [['--sub', 'a', '--token', 'x'], "Unknown option '--token'"],
    [['--sub', 'a', '--iss', ''], '--iss must not be empty'],
    [['--jti', 'a', '--exp', '1900000000', '--iss', ' '], '--iss must not be empty'],
    [['--jti', 'a', '--exp', '99999999999'], '--exp is more than ten years away'],
  ])('exits 2 for a usage error: %j', async (args, message) => {
    const result = await runCli(['revoke', ...args], { env });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Run `claimgate revoke --help` for usage.');
  });

  it('exits 2 without REDIS_URL, pointing to the example server’s admin mutations', async () => {
    const result = await runCli(['revoke', '--sub', 'ada'], {
      env: { REDIS_KEY_PREFIX: keyPrefix },
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('REDIS_URL is not set');
    expect(result.stderr).toContain('memory inside its own process');
    expect(result.stderr).toContain('Mutation.revokeToken / Mutation.revokeSubject');
  });

  it('exits 2 on an invalid REDIS_URL or REDIS_KEY_PREFIX, naming the variable', async () => {
    const scheme = await runCli(['revoke', '--sub', 'ada'], {
      env: { REDIS_URL: 'http://127.0.0.1:6379' },
    });
    expect(scheme.status).toBe(2);
    expect(scheme.stderr).toContain('REDIS_URL must start with redis:// or rediss://.');
    const database = await runCli(['revoke', '--sub', 'ada'], {
      env: { REDIS_URL: 'redis://127.0.0.1:6379/not-a-number' },
    });
    expect(database.status).toBe(2);
    expect(database.stderr).toContain('REDIS_URL is not a usable Redis URL');
    const prefix = await runCli(['revoke', '--sub', 'ada'], {
      env: { ...env, REDIS_KEY_PREFIX: 'app{1}:' },
    });
    expect(prefix.status).toBe(2);
    expect(prefix.stderr).toContain('REDIS_KEY_PREFIX must not contain { or }.');
  });

  it('exits 2 with one line, no stack trace and no credentials when Redis refuses connections', async () => {
    // runCli kills the child and fails the test if it hangs (its timeout, under vitest's).
    const result = await runCli(['revoke', '--sub', 'ada'], {
      env: { REDIS_URL: 'redis://operator:s3cret-pass@127.0.0.1:1' },
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^claimgate revoke: could not connect to Redis at redis:\/\/127\.0\.0\.1:1 within 2s \([^\n]*ECONNREFUSED[^\n]*\); nothing was revoked\.\n$/,
    );
    expect(result.stderr).not.toContain('s3cret-pass');
    expect(result.stderr).not.toContain('operator');
  });

  describe('against a Redis of its own', () => {
    let redis: OwnRedisServer;
    beforeAll(async () => {
      redis = await startOwnRedisServer();
      const client = createClient({ url: redis.url });
      await client.connect();
      // A user that can connect and read, but not write.
      await client.sendCommand([
        'ACL',
        'SETUSER',
        'reader',
        'on',
        '>reader-pass',
        '~*',
        '+@read',
        '+@connection',
      ]);
      client.destroy();
    });
    afterAll(async () => {
      redis.resume();
      await redis.stop();
    });

    it('exits 2 with one line when Redis refuses the command, and names no credentials', async () => {
      const url = `redis://reader:reader-pass@127.0.0.1:${redis.port}`;
      const result = await runCli(['revoke', '--jti', 'j', '--exp', String(nowSeconds() + 60)], {
        env: { REDIS_URL: url },
      });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(
          `^claimgate revoke: Redis at redis://127\\.0\\.0\\.1:${redis.port} failed \\([^\\n]*NOPERM[^\\n]*\\); the revocation may not be recorded: retry\\.\\n$`,
        ),
      );
      expect(result.stderr).not.toContain('reader-pass');
    });

    it('gives up within its connect bound when Redis accepts the connection but never answers', async () => {
      redis.pause();
      try {
        // The message names its 2 s bound; a hang is caught by runCli's timeout, not a clock here.
        const result = await runCli(['revoke', '--jti', 'j', '--exp', String(nowSeconds() + 60)], {
          env: { REDIS_URL: redis.url },
        });
        expect(result.status).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(
          new RegExp(
            `^claimgate revoke: could not connect to Redis at redis://127\\.0\\.0\\.1:${redis.port} within 2s[^\\n]*; nothing was revoked\\.\\n$`,
          ),
        );
      } finally {
        redis.resume();
      }
    });
  });

  it('prints its help with the exit statuses', async () => {
    const result = await runCli(['revoke', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: claimgate revoke --jti <id> --exp');
    expect(result.stdout).toContain('claimgate revoke --sub <subject> [--before');
    expect(result.stdout).toContain('--iss <issuer>');
    expect(result.stdout).toContain('Exit status: 0 revoked');
    expect(result.stdout).toContain('2 usage or configuration error');
  });
});
