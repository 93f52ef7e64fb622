import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, postGraphQL } from '../helpers/graphql-request.js';
import { generateTestSecret, mintToken, nowSeconds, secretBytes } from '../helpers/keys.js';
import { deleteKeys, SHARED_REDIS_URL, uniqueKeyPrefix } from '../helpers/redis.js';

interface ServerProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** How long a server process may take to print its URL, or to exit once asked, in ms. */
const PROCESS_TIMEOUT_MS = 15_000;

/**
 * Starts `src/server/main.ts` as a child process on port 0 and reads the URL it prints. If it
 * has not printed one within {@link PROCESS_TIMEOUT_MS}, it is killed and the promise rejects.
 */
async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `server did not print its URL within ${PROCESS_TIMEOUT_MS} ms and was killed: ${output.slice(-1000)}`,
        ),
      );
    }, PROCESS_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready at (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // A server that does not exit on SIGTERM is killed rather than waited for without end.
        const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

describe('example server instances sharing one Redis', () => {
  const secret = generateTestSecret();
  const keyPrefix = uniqueKeyPrefix();
  let a: ServerProcess;
  let b: ServerProcess;

  const token = (claims: Record<string, unknown>) =>
    mintToken({
      alg: 'HS256',
      key: secretBytes(secret),
      claims: { iss: 'shared-test', ...claims },
    });
  const from = (address: string) => ({ 'x-forwarded-for': address });

  beforeAll(async () => {
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: secret,
      JWT_ISSUER: 'shared-test',
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      AUTH_RATE_LIMIT: '3/60',
      AUTH_TRUST_PROXY: '1',
      AUTH_REJECT_INVALID_TOKENS: 'true',
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await deleteKeys(SHARED_REDIS_URL, keyPrefix);
  });

  it('counts failures sent to A toward the limit on B', async () => {
    const client = from('198.51.100.10');
    for (let i = 0; i < 3; i += 1) {
      const response = await postGraphQL(a.url, {
        query: '{ health }',
        token: 'x.y.z',
        headers: client,
      });
      expect(response.status).toBe(401);
    }
    const valid = await token({ sub: 'carol' });
    const limited = await postGraphQL(b.url, {
      query: '{ me { sub } }',
      token: valid,
      headers: client,
    });
    expect(limited.status).toBe(429);
    expect(errorCodes(limited)).toEqual(['RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is unaffected.
    const other = await postGraphQL(b.url, {
      query: '{ me { sub } }',
      token: valid,
      headers: from('198.51.100.11'),
    });
    expect(other.body.data).toEqual({ me: { sub: 'carol' } });

    const admin = await token({ sub: 'root', permissions: ['admin'] });
    const report = await postGraphQL(b.url, {
      query:
        '{ securityReport { failuresByKind { malformed } limitedClientCount topOffenders { clientKey attempts } } }',
      token: admin,
      headers: from('198.51.100.12'),
    });
    expect(report.body.data).toEqual({
      securityReport: {
        failuresByKind: { malformed: 3 },
        limitedClientCount: 1,
        topOffenders: [{ clientKey: '198.51.100.10', attempts: 4 }],
      },
    });
  });

  it('refuses on B a token revoked through A, by jti and by subject', async () => {
    const client = from('198.51.100.20');
    const exp = nowSeconds() + 600;
    const jti = randomUUID();
    const user = await token({ sub: 'dave', jti, exp });
    const second = await token({ sub: 'erin', jti: randomUUID(), iat: nowSeconds() - 5 });
    const admin = await token({ sub: 'root', permissions: ['admin'] });
    expect(
      (await postGraphQL(b.url, { query: '{ me { sub } }', token: user, headers: client })).body
        .data,
    ).toEqual({ me: { sub: 'dave' } });

    const revoke = await postGraphQL(a.url, {
      query: 'mutation($jti: String!, $exp: Float!) { revokeToken(jti: $jti, exp: $exp) }',
      variables: { jti, exp },
      token: admin,
      headers: client,
    });
    expect(revoke.body.data).toEqual({ revokeToken: true });
    const refused = await postGraphQL(b.url, {
      query: '{ me { sub } }',
      token: user,
      headers: client,
    });
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['TOKEN_REVOKED']);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');

    await postGraphQL(a.url, {
      query: 'mutation { revokeSubject(sub: "erin") }',
      token: admin,
      headers: client,
    });
    const bySubject = await postGraphQL(b.url, {
      query: '{ me { sub } }',
      token: second,
      headers: client,
    });
    expect(errorCodes(bySubject)).toEqual(['TOKEN_REVOKED']);
  });

  it('refuses the revoke mutations to a caller without admin', async () => {
    const user = await token({ sub: 'frank' });
    const response = await postGraphQL(a.url, {
      query: 'mutation { revokeSubject(sub: "erin") }',
      token: user,
      headers: from('198.51.100.30'),
    });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});
