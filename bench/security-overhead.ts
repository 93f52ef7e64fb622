// Cost of rate limiting + revocation on the success path of createAuthContext, against the same
// context without them, measured in one run: `npx tsx bench/security-overhead.ts`.
// Needs Redis at 127.0.0.1:6379 (REDIS_URL to change it); uses a unique key prefix and removes it.
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import {
  createAuthContext,
  createMemorySecurityStore,
  createRedisSecurityStore,
  createSecurityMonitor,
  createTokenVerifier,
  type SecurityMonitor,
} from '../src/index.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const SEQUENTIAL = 1000;
const CONCURRENT_BATCHES = 40;
const CONCURRENCY = 32;

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

async function measure(security: SecurityMonitor | undefined) {
  const context = createAuthContext({ verifier, ...(security === undefined ? {} : { security }) });
  for (let i = 0; i < 200; i += 1) await context({ req });
  let start = performance.now();
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const { auth } = await context({ req });
    if (auth.status !== 'authenticated') throw new Error(`unexpected ${auth.status}`);
  }
  const sequentialUs = ((performance.now() - start) * 1000) / SEQUENTIAL;
  start = performance.now();
  for (let b = 0; b < CONCURRENT_BATCHES; b += 1) {
    await Promise.all(Array.from({ length: CONCURRENCY }, () => context({ req })));
  }
  const perSecond = (CONCURRENT_BATCHES * CONCURRENCY) / ((performance.now() - start) / 1000);
  return { sequentialUs, perSecond };
}

const prefix = `claimgate-bench:${randomUUID()}:`;
const redisMonitor = createSecurityMonitor({
  store: await createRedisSecurityStore({ url: REDIS_URL, keyPrefix: prefix }),
});
const setups: [string, SecurityMonitor | undefined][] = [
  ['no security (baseline)', undefined],
  ['memory store', createSecurityMonitor({ store: createMemorySecurityStore() })],
  ['Redis store (1 round trip)', redisMonitor],
];
// Rounds interleave the setups so machine load affects them alike; each reports its median.
const ROUNDS = 5;
const samples = setups.map(() => [] as { sequentialUs: number; perSecond: number }[]);
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [i, [, security]] of setups.entries()) samples[i]?.push(await measure(security));
}
const median = (values: number[]) =>
  values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const rows = setups.map(([name], i) => {
  const runs = samples[i] ?? [];
  return [
    name,
    {
      sequentialUs: median(runs.map((r) => r.sequentialUs)),
      perSecond: median(runs.map((r) => r.perSecond)),
    },
  ] as const;
});
await redisMonitor.close();

const cleanup = createClient({ url: REDIS_URL });
await cleanup.connect();
for await (const keys of cleanup.scanIterator({ MATCH: `${prefix}*` })) {
  if (keys.length > 0) await cleanup.del(keys);
}
cleanup.destroy();

const base = rows[0]?.[1];
console.log(
  `\ncreateAuthContext success path, ES256, node ${process.version}, median of ${ROUNDS} interleaved rounds`,
);
console.log(
  `| setup | µs/request (sequential) | ratio | requests/s (${CONCURRENCY} in flight) | ratio |`,
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${r.sequentialUs.toFixed(1)} | ${(r.sequentialUs / (base?.sequentialUs ?? 1)).toFixed(2)} | ${Math.round(r.perSecond)} | ${(r.perSecond / (base?.perSecond ?? 1)).toFixed(2)} |`,
  );
}
