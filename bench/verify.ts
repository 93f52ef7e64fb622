// Section 1: one token verification, per algorithm: the node:crypto floor, jose with pre-imported
// keys, claimgate cold (cache off) and claimgate cached. Also the cost of the cache key (raw token
// string vs SHA-256 digest) that decided how the cache is keyed.
import {
  createHmac,
  createPublicKey,
  createSecretKey,
  hash,
  randomBytes,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { exportSPKI, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../src/index.js';
import {
  formatNumber,
  markdownTable,
  measureInterleaved,
  summarize,
  type BenchCase,
} from './lib/measure.js';

const ALGORITHMS = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

const CLAIMS = {
  sub: 'user-1234567890',
  iss: 'https://id.example.com/',
  aud: 'api',
  permissions: ['articles:read', 'articles:write', 'billing:read'],
  scope: 'openid profile email',
};

interface Fixture {
  readonly alg: Algorithm;
  readonly token: string;
  readonly floor: () => boolean;
  readonly joseKey: CryptoKey;
  readonly cold: TokenVerifier;
  readonly cached: TokenVerifier;
}

async function fixture(alg: Algorithm): Promise<Fixture> {
  let signKey: CryptoKey | Uint8Array;
  let joseKey: CryptoKey;
  let nodeKey: KeyObject;
  let keyConfig: { secret: string } | { publicKey: string };
  if (alg === 'HS256') {
    const secret = randomBytes(32).toString('base64url');
    const bytes = new TextEncoder().encode(secret);
    signKey = bytes;
    joseKey = await crypto.subtle.importKey(
      'raw',
      bytes,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    nodeKey = createSecretKey(bytes);
    keyConfig = { secret };
  } else {
    const pair = await generateKeyPair(alg, { extractable: true });
    signKey = pair.privateKey;
    joseKey = pair.publicKey;
    const pem = await exportSPKI(pair.publicKey);
    nodeKey = createPublicKey(pem);
    keyConfig = { publicKey: pem };
  }
  const token = await new SignJWT(CLAIMS)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(signKey);
  const dot = token.lastIndexOf('.');
  const options = { algorithms: [alg], key: keyConfig, issuer: CLAIMS.iss, audience: CLAIMS.aud };
  return {
    alg,
    token,
    floor: floorFor(alg, nodeKey, token, dot),
    joseKey,
    cold: await createTokenVerifier({ ...options, cache: false }),
    cached: await createTokenVerifier(options),
  };
}

/** The least work that verifies the signature: decode it, then one node:crypto call. */
function floorFor(alg: Algorithm, key: KeyObject, token: string, dot: number): () => boolean {
  return () => {
    const data = Buffer.from(token.slice(0, dot));
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    switch (alg) {
      case 'HS256': {
        const expected = createHmac('sha256', key).update(data).digest();
        return expected.length === signature.length && timingSafeEqual(expected, signature);
      }
      case 'RS256':
        return cryptoVerify('sha256', data, key, signature);
      case 'ES256':
        return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'EdDSA':
        return cryptoVerify(null, data, key, signature);
    }
  };
}

function casesFor(f: Fixture): BenchCase[] {
  const must = (ok: boolean) => {
    if (!ok) throw new Error(`bench: ${f.alg} did not verify`);
  };
  return [
    {
      name: `${f.alg} node:crypto floor`,
      run: (n) => {
        for (let i = 0; i < n; i += 1) must(f.floor());
      },
    },
    {
      name: `${f.alg} jose (pre-imported CryptoKey)`,
      run: async (n) => {
        for (let i = 0; i < n; i += 1) await jwtVerify(f.token, f.joseKey, { algorithms: [f.alg] });
      },
    },
    {
      name: `${f.alg} claimgate cold (cache: false)`,
      run: async (n) => {
        for (let i = 0; i < n; i += 1) await f.cold.verify(f.token);
      },
    },
    {
      name: `${f.alg} claimgate cached`,
      run: async (n) => {
        for (let i = 0; i < n; i += 1) await f.cached.verify(f.token);
      },
    },
  ];
}

/** Runs section 1 and returns its Markdown. */
export async function benchVerify(rounds: number): Promise<string> {
  const fixtures = await Promise.all(ALGORITHMS.map(fixture));
  const out: string[] = [];
  const rows: string[][] = [];
  const targets: string[][] = [];
  for (const f of fixtures) {
    const cases = casesFor(f);
    const samples = await measureInterleaved(cases, { rounds, runMs: 80 });
    const stat = (i: number) => summarize(samples.get(cases[i]?.name ?? '') ?? []);
    const jose = stat(1).median;
    for (let i = 0; i < cases.length; i += 1) {
      const s = stat(i);
      rows.push([
        cases[i]?.name ?? '',
        formatNumber(s.median / 1000, 2),
        `${formatNumber(s.min / 1000, 2)}–${formatNumber(s.max / 1000, 2)}`,
        `${(s.median / jose).toFixed(2)}×`,
      ]);
    }
    const cold = stat(2).median;
    targets.push([
      f.alg,
      formatNumber(jose / 1000, 2),
      formatNumber(cold / 1000, 2),
      `${((cold / jose - 1) * 100).toFixed(1)} %`,
      cold <= jose * 1.2 ? 'met' : 'missed',
    ]);
  }
  out.push(
    `### 1. Verification per algorithm (µs per token, median of ${rounds} interleaved runs)\n`,
    markdownTable(['case', 'median µs', 'min–max µs', 'vs jose'], rows),
    '\nTarget: claimgate cold adds at most 20 % over jose’s best.\n',
    markdownTable(['alg', 'jose µs', 'claimgate cold µs', 'overhead', 'target'], targets),
  );
  out.push('', await benchCacheKey(rounds, fixtures[1]?.token ?? ''));
  return out.join('\n');
}

/** Raw token string vs its SHA-256 digest as the cache's Map key, hit path. */
async function benchCacheKey(rounds: number, token: string): Promise<string> {
  const long = `${token}.${'x'.repeat(1200 - token.length)}`.slice(0, 1200);
  const rows: string[][] = [];
  for (const t of [token, long]) {
    const raw = new Map([[t, 1]]);
    const digest = new Map([[hash('sha256', t, 'base64'), 1]]);
    const header = `Bearer ${t}`;
    // A fresh string per lookup, as each request slices its own from the header: V8 then hashes it.
    const fresh = () => header.slice(7);
    let sink = 0;
    const cases: BenchCase[] = [
      {
        name: 'raw string key',
        run: (n) => {
          for (let i = 0; i < n; i += 1) sink += raw.get(fresh()) ?? 0;
        },
      },
      {
        name: 'sha256 digest key',
        run: (n) => {
          for (let i = 0; i < n; i += 1) sink += digest.get(hash('sha256', fresh(), 'base64')) ?? 0;
        },
      },
    ];
    const samples = await measureInterleaved(cases, { rounds, runMs: 100 });
    if (sink === 0) throw new Error('bench: cache key lookups missed');
    for (const c of cases) {
      const s = summarize(samples.get(c.name) ?? []);
      rows.push([
        `${c.name}, ${t.length}-byte token`,
        formatNumber(s.median, 0),
        `${formatNumber(s.min, 0)}–${formatNumber(s.max, 0)}`,
        c.name.startsWith('raw') ? `${t.length} + claims` : '44 + claims',
      ]);
    }
  }
  return [
    `### Cache key: raw token vs SHA-256 digest (ns per hit lookup, median of ${rounds} runs)\n`,
    markdownTable(['key', 'median ns', 'min–max ns', 'key bytes held'], rows),
  ].join('\n');
}
