// Section 4: the cost of failed-auth rate limiting + revocation on the success path of
// createAuthContext (ES256, cached verification), against the same context without them, in
// one run: the memory store and the Redis store (one pipelined round trip per request).
// Needs Redis at 127.0.0.1:6379 (REDIS_URL to change it); uses a unique key prefix and removes it.
import { randomUUID } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createClient } from 'redis';
import {
  createAuthContext,
  createMemorySecurityStore,
  createRedisSecurityStore,
  createSecurityMonitor,
  createTokenVerifier,
  type SecurityMonitor,
} from '../src/index.js';
import {
  formatNumber,
  markdownTable,
  measureInterleaved,
  summarize,
  type BenchCase,
} from './lib/measure.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Requests in flight at once in the concurrent cases (as several HTTP connections would be). */
const CONCURRENCY = 32;

/** Whether Redis answers PING within a second. */
async function redisAnswers(): Promise<boolean> {
  const client = createClient({
    url: REDIS_URL,
    socket: { connectTimeout: 1000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** Runs section 4 and returns its Markdown. */
export async function benchSecurity(rounds: number): Promise<string> {
  if (!(await redisAnswers())) {
    return `### 4. Rate limiting + revocation on the success path\n\nSkipped: no Redis answers at ${REDIS_URL} (set REDIS_URL).`;
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const token = await new SignJWT({ permissions: ['read'] })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject('bench-user')
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  const verifier = await createTokenVerifier({
    algorithms: ['ES256'],
    key: { publicKey: await exportSPKI(publicKey) },
  });
  const req = {
    headers: { authorization: `Bearer ${token}` },
    socket: { remoteAddress: '192.0.2.1' },
  };
  const prefix = `claimgate-bench:${randomUUID()}:`;
  const redisMonitor = createSecurityMonitor({
    store: await createRedisSecurityStore({ url: REDIS_URL, keyPrefix: prefix }),
  });
  const setups: [string, SecurityMonitor | undefined][] = [
    ['no security (baseline)', undefined],
    ['memory store', createSecurityMonitor({ store: createMemorySecurityStore() })],
    ['Redis store (1 round trip)', redisMonitor],
  ];
  const cases: BenchCase[] = [];
  for (const [name, security] of setups) {
    const context = createAuthContext({
      verifier,
      ...(security === undefined ? {} : { security }),
    });
    const once = async () => {
      const { auth } = await context({ req });
      if (auth.status !== 'authenticated') throw new Error(`unexpected ${auth.status}`);
    };
    cases.push({
      name: `${name}|sequential`,
      async run(n) {
        for (let i = 0; i < n; i += 1) await once();
      },
    });
    cases.push({
      name: `${name}|concurrent`,
      async run(n) {
        for (let i = 0; i < n; i += CONCURRENCY) {
          await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n - i) }, once));
        }
      },
    });
  }
  try {
    const samples = await measureInterleaved(cases, { rounds });
    const us = (key: string) => summarize(samples.get(key) ?? []);
    const base = {
      seq: us(`${setups[0]?.[0]}|sequential`),
      con: us(`${setups[0]?.[0]}|concurrent`),
    };
    const rows = setups.map(([name]) => {
      const seq = us(`${name}|sequential`);
      const con = us(`${name}|concurrent`);
      return [
        name,
        `${formatNumber(seq.median / 1000)} (${formatNumber(seq.min / 1000)}–${formatNumber(seq.max / 1000)})`,
        (seq.median / base.seq.median).toFixed(2),
        formatNumber(1e9 / con.median, 0),
        (base.con.median / con.median).toFixed(2),
      ];
    });
    return [
      `### 4. Rate limiting + revocation on the success path (createAuthContext, ES256 cached; median of ${rounds} interleaved rounds)`,
      '',
      markdownTable(
        [
          'setup',
          'µs/request, one at a time (min–max)',
          'ratio',
          `requests/s, ${CONCURRENCY} in flight`,
          'throughput ratio',
        ],
        rows,
      ),
    ].join('\n');
  } finally {
    await redisMonitor.close();
    const cleanup = createClient({ url: REDIS_URL });
    await cleanup.connect();
    for await (const keys of cleanup.scanIterator({ MATCH: `${prefix}*` })) {
      if (keys.length > 0) await cleanup.del(keys);
    }
    cleanup.destroy();
  }
}
