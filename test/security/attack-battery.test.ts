import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompactSign,
  createLocalJWKSet,
  EncryptJWT,
  exportJWK,
  FlattenedSign,
  generateKeyPair,
  GeneralSign,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  createAuthStatusPlugin,
  createTokenVerifier,
  formatError,
  type TokenVerifier,
  type TokenVerifierOptions,
} from '../../src/index.js';
import { postGraphQL } from '../helpers/graphql-request.js';
import { b64u, b64uJson, importHmacSigningKey, signRaw } from '../helpers/jws.js';
import { generateTestKeyPair, nowSeconds, type TestKeyPair } from '../helpers/keys.js';
import { startTestApi, type TestApi } from '../helpers/start-test-api.js';

// Every case posts the token to a real Apollo Server that rejects refused tokens as a whole, and
// asserts the verdict (no data, no principal), the code, the HTTP status and the challenge; then
// asserts the reason through `authenticate`, the same path without HTTP.

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'api://battery';
const typeDefs = /* GraphQL */ `
  type Query {
    me: String @auth
  }
`;
const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: { auth: { principal: { subject: string } } }) =>
      ctx.auth.principal.subject,
  },
};

interface Target {
  readonly verifier: TokenVerifier;
  readonly api: TestApi;
}

async function startTarget(options: TokenVerifierOptions): Promise<Target> {
  const verifier = await createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, ...options });
  const api = await startTestApi({
    typeDefs,
    resolvers,
    context: { verifier, rejectInvalidTokens: true },
    formatError,
    plugins: [createAuthStatusPlugin()],
  });
  return { verifier, api };
}

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { iss: ISSUER, aud: AUDIENCE, sub: 'victim', iat: now, exp: now + 600, ...extra };
}

const CHALLENGES = {
  TOKEN_INVALID: 'Bearer error="invalid_token", error_description="The access token is invalid"',
  TOKEN_EXPIRED: 'Bearer error="invalid_token", error_description="The access token expired"',
} as const;

/**
 * Asserts the token is refused end to end: no data, the code, 401 and the invalid_token challenge
 * of that code; then the reason (and the failed claim, when given) through `authenticate`.
 */
async function expectRefused(
  target: Target,
  token: string,
  code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED',
  reason?: string,
  claim?: string,
): Promise<void> {
  const response = await postGraphQL(target.api.url, { query: '{ me }', token });
  expect(response.status, token.slice(0, 60)).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(CHALLENGES[code]);
  expect(response.body.data ?? null).toBeNull();
  expect(response.body.errors?.map((e) => e.extensions?.['code'])).toEqual([code]);
  expect(await authenticate(`Bearer ${token}`, target.verifier)).toMatchObject({
    status: 'failed',
    error: {
      code,
      ...(reason === undefined ? {} : { reason }),
      ...(claim === undefined ? {} : { claim }),
    },
  });
}

/** Asserts the token is accepted end to end: 200, the subject as data, no challenge. */
async function expectAccepted(target: Target, token: string): Promise<void> {
  const response = await postGraphQL(target.api.url, { query: '{ me }', token });
  expect(response.body).toEqual({ data: { me: 'victim' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('www-authenticate')).toBeNull();
  expect(await authenticate(`Bearer ${token}`, target.verifier)).toMatchObject({
    status: 'authenticated',
  });
}

describe('the attack battery', () => {
  let rsa: TestKeyPair;
  let attacker: TestKeyPair;
  let rs: Target;
  let es: Target;
  let esKeys: TestKeyPair;
  let keyFetches = 0;
  let keyServer: Server;
  let keyServerUrl: string;

  beforeAll(async () => {
    [rsa, attacker, esKeys] = await Promise.all([
      generateTestKeyPair('RS256'),
      generateTestKeyPair('RS256'),
      generateTestKeyPair('ES256'),
    ]);
    rs = await startTarget({ algorithms: ['RS256'], key: { publicKey: rsa.publicKeyPem } });
    es = await startTarget({ algorithms: ['ES256'], key: { publicKey: esKeys.publicKeyPem } });
    // A loopback server offering the attacker's key: jku / x5u must never make claimgate fetch.
    keyServer = createServer((_req, res) => {
      keyFetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [attacker.publicJwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    keyServerUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    await Promise.all([rs.api.stop(), es.api.stop()]);
    await new Promise((resolve) => keyServer.close(resolve));
  });

  const rsSigned = (header: Record<string, unknown>, payload: string | Uint8Array) =>
    signRaw('RS256', rsa.privateKey, JSON.stringify({ alg: 'RS256', ...header }), payload);

  it('accepts the control token, so every refusal below is the attack’s doing', async () => {
    const token = await rsSigned({}, JSON.stringify(claims()));
    const response = await postGraphQL(rs.api.url, { query: '{ me }', token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { me: 'victim' } });
  });

  describe('alg: none', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE', 'none ']) {
      it(`refuses alg ${JSON.stringify(alg)} without a signature and with one`, async () => {
        const unsigned = `${b64uJson({ alg, typ: 'JWT' })}.${b64uJson(claims())}.`;
        await expectRefused(rs, unsigned, 'TOKEN_INVALID', 'malformed');
        await expectRefused(rs, `${unsigned}AAAA`, 'TOKEN_INVALID', 'algorithm');
      });
    }
  });

  it('refuses empty and truncated signatures', async () => {
    const token = await rsSigned({}, JSON.stringify(claims()));
    const [h, p, s = ''] = token.split('.');
    await expectRefused(rs, `${h}.${p}.`, 'TOKEN_INVALID', 'malformed');
    // Cut at a multiple of 4 characters, so the truncated segment is still canonical base64url.
    await expectRefused(rs, `${h}.${p}.${s.slice(0, 320)}`, 'TOKEN_INVALID', 'signature');
    await expectRefused(rs, `${h}.${p}.${s.slice(0, 8)}`, 'TOKEN_INVALID', 'signature');
  });

  it('refuses HS256 signed with the RSA public key PEM as HMAC secret (key confusion)', async () => {
    const secret = await importHmacSigningKey(new TextEncoder().encode(rsa.publicKeyPem));
    const token = await signRaw(
      'HS256',
      secret,
      JSON.stringify({ alg: 'HS256' }),
      JSON.stringify(claims()),
    );
    await expectRefused(rs, token, 'TOKEN_INVALID', 'algorithm');
    await expect(
      createTokenVerifier({ algorithms: ['HS256'], key: { secret: rsa.publicKeyPem } }),
    ).rejects.toThrow(/PEM text; a public key must never be used as an HMAC secret/);
  });

  it('refuses a valid signature in an algorithm outside the allow-list (PS256 for RS256)', async () => {
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', rsa.privateKey);
    const pss = await crypto.subtle.importKey(
      'pkcs8',
      pkcs8,
      { name: 'RSA-PSS', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const token = await signRaw(
      'PS256',
      pss,
      JSON.stringify({ alg: 'PS256' }),
      JSON.stringify(claims()),
    );
    await expectRefused(rs, token, 'TOKEN_INVALID', 'algorithm');
  });

  describe('key material in the header is never a key source', () => {
    it('ignores an embedded jwk of the attacker', async () => {
      const token = await signRaw(
        'RS256',
        attacker.privateKey,
        JSON.stringify({ alg: 'RS256', jwk: attacker.publicJwk }),
        JSON.stringify(claims()),
      );
      await expectRefused(rs, token, 'TOKEN_INVALID', 'signature');
    });

    it('never fetches jku or x5u, and ignores x5c', async () => {
      const before = keyFetches;
      for (const header of [
        { jku: keyServerUrl, kid: 'attacker' },
        { x5u: keyServerUrl },
        { x5c: [b64u(new Uint8Array(64).fill(7)).replace(/-/g, '+').replace(/_/g, '/')] },
      ]) {
        const token = await signRaw(
          'RS256',
          attacker.privateKey,
          JSON.stringify({ alg: 'RS256', ...header }),
          JSON.stringify(claims()),
        );
        await expectRefused(rs, token, 'TOKEN_INVALID', 'signature');
      }
      expect(keyFetches).toBe(before);
    });
  });

  describe('kid injection', () => {
    let jwks: Target;
    beforeAll(async () => {
      const set = createLocalJWKSet({ keys: [{ ...rsa.publicJwk, kid: 'key-1' }] });
      jwks = await startTarget({ algorithms: ['RS256'], key: { getKey: set } });
    });
    afterAll(() => jwks.api.stop());

    const kids: unknown[] = [
      '../../../../dev/null',
      "key-1' OR '1'='1",
      'key-1; rm -rf /',
      'key-1\u0000',
      '%00key-1',
      'key-1'.repeat(500),
      '',
      { $ne: null },
      ['key-1'],
      1,
    ];
    for (const kid of kids) {
      it(`refuses kid ${JSON.stringify(kid).slice(0, 40)} signed with the right key`, async () => {
        const token = await rsSigned({ kid }, JSON.stringify(claims()));
        await expectRefused(jwks, token, 'TOKEN_INVALID');
      });
    }

    it('accepts the real kid (control)', async () => {
      const token = await rsSigned({ kid: 'key-1' }, JSON.stringify(claims()));
      await expect(jwks.verifier.verify(token)).resolves.toMatchObject({ subject: 'victim' });
    });
  });

  it('refuses an ECDSA signature with r = s = 0 (CVE-2022-21449)', async () => {
    const signingInput = `${b64uJson({ alg: 'ES256' })}.${b64uJson(claims())}`;
    await expectRefused(
      es,
      `${signingInput}.${b64u(new Uint8Array(64))}`,
      'TOKEN_INVALID',
      'signature',
    );
    // The DER form of (0, 0) as well: not the JWS encoding, refused either way.
    await expectRefused(
      es,
      `${signingInput}.${b64u(Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00))}`,
      'TOKEN_INVALID',
      'signature',
    );
  });

  it('refuses an unknown crit extension, an empty crit and crit naming a standard header', async () => {
    for (const header of [
      { crit: ['x-must-understand'], 'x-must-understand': true },
      { crit: [] },
      { crit: ['alg'] },
    ]) {
      await expectRefused(rs, await rsSigned(header, JSON.stringify(claims())), 'TOKEN_INVALID');
    }
  });

  it('refuses an unencoded payload (b64: false, RFC 7797)', async () => {
    const header = b64uJson({ alg: 'RS256', b64: false, crit: ['b64'] });
    const payload = JSON.stringify(claims());
    const signature = await crypto.subtle.sign(
      { name: 'RSASSA-PKCS1-v1_5' },
      rsa.privateKey,
      new TextEncoder().encode(`${header}.${payload}`),
    );
    await expectRefused(
      rs,
      `${header}.${payload}.${b64u(new Uint8Array(signature))}`,
      'TOKEN_INVALID',
      'malformed',
    );
    // The same header over a base64url payload: jose refuses unencoded JWTs outright.
    await expectRefused(
      rs,
      await rsSigned({ b64: false, crit: ['b64'] }, JSON.stringify(claims())),
      'TOKEN_INVALID',
    );
  });

  it('refuses JWE and the JSON serializations where a compact JWS is expected', async () => {
    const jwe = await new EncryptJWT(claims())
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(new Uint8Array(32).fill(1));
    expect(jwe.split('.')).toHaveLength(5);
    await expectRefused(rs, jwe, 'TOKEN_INVALID', 'malformed');
    const payload = new TextEncoder().encode(JSON.stringify(claims()));
    const flattened = await new FlattenedSign(payload)
      .setProtectedHeader({ alg: 'RS256' })
      .sign(rsa.privateKey);
    await expectRefused(rs, JSON.stringify(flattened), 'TOKEN_INVALID', 'malformed');
    const general = await new GeneralSign(payload)
      .addSignature(rsa.privateKey)
      .setProtectedHeader({ alg: 'RS256' })
      .sign();
    await expectRefused(rs, JSON.stringify(general), 'TOKEN_INVALID', 'malformed');
  });

  it('refuses non-object payloads, correctly signed', async () => {
    for (const payload of ['[]', '"victim"', '42', 'null', 'true', '', 'not json']) {
      await expectRefused(rs, await rsSigned({}, payload), 'TOKEN_INVALID', 'malformed');
    }
  });

  it('refuses a nested JWT (cty: JWT) whose payload is another token', async () => {
    const inner = await rsSigned({}, JSON.stringify(claims()));
    const outer = await rsSigned({ cty: 'JWT' }, inner);
    await expectRefused(rs, outer, 'TOKEN_INVALID', 'malformed');
  });

  it('refuses duplicate member names in the header and in the payload', async () => {
    const body = JSON.stringify(claims()).slice(1, -1);
    await expectRefused(
      rs,
      await signRaw('RS256', rsa.privateKey, '{"alg":"none","alg":"RS256"}', `{${body}}`),
      'TOKEN_INVALID',
      'malformed',
    );
    await expectRefused(
      rs,
      await signRaw('RS256', rsa.privateKey, '{"alg":"RS256"}', `{${body},"sub":"admin"}`),
      'TOKEN_INVALID',
      'malformed',
    );
    // The same name spelled with an escape is the same name.
    await expectRefused(
      rs,
      await signRaw('RS256', rsa.privateKey, '{"alg":"RS256"}', `{${body},"\\u0073ub":"admin"}`),
      'TOKEN_INVALID',
      'malformed',
    );
  });

  it('refuses invalid UTF-8 in the payload and in the header', async () => {
    const body = JSON.stringify(claims()).slice(1, -1);
    const payload = Buffer.concat([
      Buffer.from(`{${body},"name":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    await expectRefused(
      rs,
      await signRaw('RS256', rsa.privateKey, '{"alg":"RS256"}', payload),
      'TOKEN_INVALID',
      'malformed',
    );
    const header = Buffer.concat([
      Buffer.from('{"alg":"RS256","x":"'),
      Buffer.from([0xc3]),
      Buffer.from('"}'),
    ]);
    await expectRefused(
      rs,
      await signRaw('RS256', rsa.privateKey, header, JSON.stringify(claims())),
      'TOKEN_INVALID',
      'malformed',
    );
  });

  it('refuses a huge token without parsing it, and deeply nested JSON', async () => {
    const huge = await rsSigned({}, JSON.stringify(claims({ pad: 'x'.repeat(9000) })));
    await expectRefused(rs, huge, 'TOKEN_INVALID', 'malformed');
    const nested = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const body = JSON.stringify(claims()).slice(1, -1);
    await expectRefused(
      rs,
      await rsSigned({}, `{${body},"deep":${nested}}`),
      'TOKEN_INVALID',
      'malformed',
    );
    await expectRefused(
      rs,
      await signRaw(
        'RS256',
        rsa.privateKey,
        `{"alg":"RS256","deep":${nested}}`,
        JSON.stringify(claims()),
      ),
      'TOKEN_INVALID',
      'malformed',
    );
  });

  it('refuses non-canonical spellings of a valid token', async () => {
    const token = await rsSigned({}, JSON.stringify(claims()));
    const [h = '', p = '', s = ''] = token.split('.');
    const variants = [
      `${h}.${p}.${s}=`,
      `${h}=.${p}.${s}`,
      `${h}.${p} .${s}`,
      `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`,
      `${token}.`,
      `.${token}`,
      `${h}..${p}.${s}`,
    ].filter((v) => v !== token);
    for (const variant of variants) await expectRefused(rs, variant, 'TOKEN_INVALID', 'malformed');
  });

  it('refuses stray trailing bits, which atob would accept', async () => {
    // 2 bytes encode to 3 characters whose last carries 2 unused bits: set one.
    const payload = JSON.stringify(claims({ pad: 'ab' }));
    for (let extra = 0; extra < 3; extra++) {
      const text = payload.slice(0, -1) + ' '.repeat(extra) + '}';
      const token = await rsSigned({}, text);
      const [h = '', p = '', s = ''] = token.split('.');
      if (p.length % 4 === 0) continue;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(p.charAt(p.length - 1));
      const stray = `${p.slice(0, -1)}${alphabet.charAt(last | 1)}`;
      expect(Buffer.from(stray, 'base64url')).toEqual(Buffer.from(p, 'base64url'));
      await expectRefused(rs, `${h}.${stray}.${s}`, 'TOKEN_INVALID', 'malformed');
    }
  });

  describe('wrong claim types', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['exp as a string', { exp: String(nowSeconds() + 600) }],
      ['exp as 1e400 (Infinity)', { exp: 'INFINITY' }],
      ['nbf as a string', { nbf: '0' }],
      ['iat as a string', { iat: 'now' }],
      ['iat as an object', { iat: {} }],
      ['iss as a number', { iss: 1 }],
      ['aud as a number', { aud: 1 }],
      ['sub as a number', { sub: 1 }],
      ['sub as an object', { sub: { id: 'admin' } }],
      ['permissions as an object', { permissions: { admin: true } }],
      ['permissions with a number', { permissions: ['admin', 1] }],
      ['scope as a list of numbers', { scope: [1, 2] }],
    ];
    for (const [name, extra] of cases) {
      it(`refuses ${name}`, async () => {
        // `1e400` is not expressible through JSON.stringify: spliced in as text.
        const text = JSON.stringify(claims(extra)).replace('"INFINITY"', '1e400');
        await expectRefused(rs, await rsSigned({}, text), 'TOKEN_INVALID');
      });
    }
  });

  it('uses a separate generated key for the attacker (sanity)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    await expectRefused(rs, token, 'TOKEN_INVALID', 'signature');
    expect(await exportJWK(attacker.publicKey)).not.toEqual(await exportJWK(rsa.publicKey));
  });

  it('refuses a compact JWS of the right key over other bytes (CompactSign, no JWT)', async () => {
    const token = await new CompactSign(new TextEncoder().encode('hello'))
      .setProtectedHeader({ alg: 'RS256' })
      .sign(rsa.privateKey);
    await expectRefused(rs, token, 'TOKEN_INVALID', 'malformed');
  });
  describe('claim boundaries over HTTP, at a frozen clock', () => {
    // Every verifier below reads the injected clock (`currentDate`), never the wall clock: each
    // boundary is checked at exactly NOW, on both sides. NOW is years from the real time, so a
    // verifier on the wall clock would fail the accepted side (iat in the future).
    const NOW = 1_800_000_000;
    const frozen = (options: Partial<TokenVerifierOptions>) =>
      startTarget({
        algorithms: ['RS256'],
        key: { publicKey: rsa.publicKeyPem },
        currentDate: () => new Date(NOW * 1000),
        ...options,
      });
    const at = (extra: Record<string, unknown>) =>
      rsSigned(
        {},
        JSON.stringify({
          iss: ISSUER,
          aud: AUDIENCE,
          sub: 'victim',
          iat: NOW - 60,
          exp: NOW + 600,
          ...extra,
        }),
      );

    let exact: Target; // clockTolerance 0
    let tolerant: Target; // clockTolerance 10
    let shortLived: Target; // maxTokenLifetime 3600, clockTolerance 10
    let aged: Target; // maxTokenAge 300, clockTolerance 10
    let defaults: Target; // default lifetime (24 h) and tolerance
    beforeAll(async () => {
      [exact, tolerant, shortLived, aged, defaults] = await Promise.all([
        frozen({ clockTolerance: 0 }),
        frozen({ clockTolerance: 10 }),
        frozen({ maxTokenLifetime: 3600, clockTolerance: 10 }),
        frozen({ maxTokenAge: 300, clockTolerance: 10 }),
        frozen({}),
      ]);
    });
    afterAll(() =>
      Promise.all([exact, tolerant, shortLived, aged, defaults].map((t) => t.api.stop())),
    );

    it('expires at exp = now without tolerance; exp = now + 1 is accepted', async () => {
      await expectRefused(exact, await at({ exp: NOW }), 'TOKEN_EXPIRED', 'expired');
      await expectAccepted(exact, await at({ exp: NOW + 1 }));
    });

    it('expires at exp = now - tolerance; one second later is accepted', async () => {
      await expectRefused(tolerant, await at({ exp: NOW - 10 }), 'TOKEN_EXPIRED', 'expired');
      await expectAccepted(tolerant, await at({ exp: NOW - 9 }));
    });

    it('accepts nbf = now + tolerance and refuses one second later', async () => {
      await expectAccepted(tolerant, await at({ nbf: NOW + 10 }));
      await expectRefused(
        tolerant,
        await at({ nbf: NOW + 11 }),
        'TOKEN_INVALID',
        'not-yet-valid',
        'nbf',
      );
      await expectAccepted(exact, await at({ nbf: NOW }));
      await expectRefused(exact, await at({ nbf: NOW + 1 }), 'TOKEN_INVALID', 'not-yet-valid');
    });

    it('accepts iat = now + tolerance and refuses a later (future) iat', async () => {
      await expectAccepted(tolerant, await at({ iat: NOW + 10 }));
      await expectRefused(tolerant, await at({ iat: NOW + 11 }), 'TOKEN_INVALID', 'claim', 'iat');
      await expectAccepted(exact, await at({ iat: NOW }));
      await expectRefused(exact, await at({ iat: NOW + 1 }), 'TOKEN_INVALID', 'claim', 'iat');
    });

    it('accepts exp - iat = maxTokenLifetime and refuses one second more', async () => {
      const iat = NOW - 100;
      await expectAccepted(shortLived, await at({ iat, exp: iat + 3600 }));
      await expectRefused(
        shortLived,
        await at({ iat, exp: iat + 3601 }),
        'TOKEN_INVALID',
        'claim',
        'exp',
      );
    });

    it('bounds a token without iat by exp - now <= maxTokenLifetime + tolerance', async () => {
      await expectAccepted(shortLived, await at({ iat: undefined, exp: NOW + 3610 }));
      await expectRefused(
        shortLived,
        await at({ iat: undefined, exp: NOW + 3611 }),
        'TOKEN_INVALID',
        'claim',
        'exp',
      );
    });

    it('defaults the maximum lifetime to 24 hours', async () => {
      await expectAccepted(defaults, await at({ iat: NOW, exp: NOW + 86_400 }));
      await expectRefused(
        defaults,
        await at({ iat: NOW, exp: NOW + 86_401 }),
        'TOKEN_INVALID',
        'claim',
        'exp',
      );
    });

    it('expires a token older than maxTokenAge + tolerance, whatever its exp', async () => {
      await expectAccepted(aged, await at({ iat: NOW - 310 }));
      await expectRefused(aged, await at({ iat: NOW - 311 }), 'TOKEN_EXPIRED', 'expired');
      // The same token is fine where no maxTokenAge is set.
      await expectAccepted(tolerant, await at({ iat: NOW - 311 }));
    });
  });
});
