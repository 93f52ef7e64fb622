import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMultiIssuerVerifier, type TokenVerifier } from '../../src/index.js';
import {
  createTestIssuer,
  EXPECTED_TOKEN_FAILURES,
  TOKEN_FAILURE_KINDS,
  type TestIssuer,
  type TestJwksServer,
} from '../../src/testing/index.js';

const USERS = 'https://users.example.com/';
const MACHINES = 'https://m2m.example.com/';

let users: TestIssuer;
let machines: TestIssuer;
let userIdp: TestJwksServer;
let machineIdp: TestJwksServer;
let verifier: TokenVerifier;

beforeAll(async () => {
  [users, machines] = await Promise.all([
    createTestIssuer({ alg: 'RS256', issuer: USERS, audience: 'api' }),
    createTestIssuer({ alg: 'ES256', issuer: MACHINES, audience: 'api-m2m' }),
  ]);
  [userIdp, machineIdp] = await Promise.all([users.serveJwks(), machines.serveJwks()]);
  verifier = await createMultiIssuerVerifier({
    issuers: [
      {
        issuer: USERS,
        key: { jwksUrl: userIdp.jwksUrl },
        algorithms: ['RS256'],
        audience: 'api',
        permissionClaims: ['realm_access.roles'],
      },
      {
        issuer: MACHINES,
        key: { jwksUrl: machineIdp.jwksUrl },
        algorithms: ['ES256'],
        audience: 'api-m2m',
        permissionClaims: ['scope'],
      },
    ],
  });
});

afterAll(async () => {
  await Promise.all([userIdp.close(), machineIdp.close()]);
});

describe('createMultiIssuerVerifier', () => {
  it('is ready only when every issuer has loaded its keys', async () => {
    expect(verifier.isReady()).toBe(false);
    await verifier.warmUp();
    expect(verifier.isReady()).toBe(true);
    expect([userIdp.fetchCount, machineIdp.fetchCount]).toEqual([1, 1]);
  });

  it("verifies each issuer's tokens with that issuer's keys, audience and claims", async () => {
    const user = await users.mint({
      subject: 'alice',
      claims: { realm_access: { roles: ['reader'] } },
    });
    const machine = await machines.mint({ subject: 'svc', claims: { scope: 'jobs:run' } });
    const alice = await verifier.verify(user);
    const svc = await verifier.verify(machine);
    expect([...alice.permissions]).toEqual(['reader']);
    expect([...svc.permissions]).toEqual(['jobs:run']);
    expect(alice.issuer).toBe(USERS);
  });

  describe.each([
    ['users', () => users],
    ['machines', () => machines],
  ])('for the %s issuer', (_name, issuer) => {
    it.each(TOKEN_FAILURE_KINDS)('refuses a %s token with its documented code', async (kind) => {
      const expected = EXPECTED_TOKEN_FAILURES[kind];
      await expect(verifier.verify(await issuer().mintFailure(kind))).rejects.toMatchObject({
        code: expected.code,
        ...(expected.code === 'TOKEN_INVALID' ? { reason: expected.reason } : {}),
        ...(expected.claim === undefined ? {} : { claim: expected.claim }),
      });
    });
  });

  it("refuses a token that claims one issuer but is signed with another issuer's key", async () => {
    const forged = await machines.mint({ subject: 'mallory', claims: { iss: USERS, aud: 'api' } });
    await expect(verifier.verify(forged)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'algorithm',
    });
    // Same algorithm, the users' kid, another key.
    await expect(verifier.verify(await users.mintBadSignature())).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'signature',
    });
  });

  it("applies the claimed issuer's audience", async () => {
    // The machines issuer's token, with the audience of the users issuer.
    const wrongAudience = await machines.mint({ claims: { aud: 'api' } });
    await expect(verifier.verify(wrongAudience)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      claim: 'aud',
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown issuer', { iss: 'https://other.example.com/' }],
    ['an issuer differing only by a trailing slash', { iss: 'https://users.example.com' }],
    ['no issuer', { iss: undefined }],
    ['a non-string issuer', { iss: 42 }],
  ])('refuses a token with %s as TOKEN_INVALID without fetching keys', async (_name, claims) => {
    const before = userIdp.fetchCount + machineIdp.fetchCount;
    // A claim set to undefined is left out of the token (JSON), so `iss: undefined` omits `iss`.
    const t = await users.mint({ claims });
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'TOKEN_INVALID', claim: 'iss' });
    expect(userIdp.fetchCount + machineIdp.fetchCount).toBe(before);
  });

  it('refuses a malformed token as TOKEN_INVALID', async () => {
    await expect(verifier.verify('not.a.jwt')).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'malformed',
    });
  });

  it('refuses duplicate or missing issuers at start-up', async () => {
    const policy = { issuer: USERS, key: { jwksUrl: userIdp.jwksUrl }, algorithms: ['RS256'] };
    await expect(createMultiIssuerVerifier({ issuers: [policy, policy] })).rejects.toThrow(
      /listed twice/,
    );
    await expect(createMultiIssuerVerifier({ issuers: [] })).rejects.toThrow(TypeError);
  });

  it('refuses arbitrary attacker-built tokens as TOKEN_INVALID, whatever issuer they claim', async () => {
    const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const compact = fc
      .record({
        header: fc.record(
          { alg: fc.constantFrom('RS256', 'ES256', 'HS256', 'none', 'PS256'), kid: fc.string() },
          { requiredKeys: [] },
        ),
        payload: fc.record(
          {
            iss: fc.oneof(fc.constantFrom(USERS, MACHINES), fc.string(), fc.integer()),
            aud: fc.constantFrom('api', 'api-m2m'),
            exp: fc.integer(),
          },
          { requiredKeys: [] },
        ),
        signature: fc.base64String(),
      })
      .map(
        ({ header, payload, signature }) => `${segment(header)}.${segment(payload)}.${signature}`,
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(compact, fc.string()), async (input) => {
        const error: unknown = await verifier.verify(input).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ code: 'TOKEN_INVALID' });
      }),
      { numRuns: 300 },
    );
  });
});
