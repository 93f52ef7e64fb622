import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, type TokenVerifier } from '../../src/index.js';
import {
  createTestIssuer,
  EXPECTED_TOKEN_FAILURES,
  TOKEN_FAILURE_KINDS,
  type TestIssuer,
  type TestJwksServer,
} from '../../src/testing/index.js';

describe('TestIssuer.serveJwks', () => {
  let issuer: TestIssuer;
  let served: TestJwksServer;
  let remote: TokenVerifier;
  let discovered: TokenVerifier;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    served = await issuer.serveJwks();
    remote = await createTokenVerifier(served.verifierOptions());
    discovered = await createTokenVerifier(served.oidcVerifierOptions());
  });
  afterAll(() => served.close());

  it('listens on 127.0.0.1 with a system-chosen port', () => {
    expect(served.issuerUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(served.jwksUrl).toBe(`${served.issuerUrl}/.well-known/jwks.json`);
    expect(served.discoveryUrl).toBe(`${served.issuerUrl}/.well-known/openid-configuration`);
  });

  it("serves the issuer's public JWKS over HTTP, with kid and no private material", async () => {
    const response = await fetch(served.jwksUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body).toEqual(issuer.jwks);
    expect(body.keys).toEqual([
      expect.objectContaining({ kid: issuer.kid, alg: 'ES256', use: 'sig', kty: 'EC' }),
    ]);
    expect(body.keys[0]).not.toHaveProperty('d');
  });

  it('serves an OIDC discovery document naming its issuer URL and JWKS URL', async () => {
    const response = await fetch(served.discoveryUrl);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      issuer: served.issuerUrl,
      jwks_uri: served.jwksUrl,
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('answers 404 for another path and 405 for another method', async () => {
    expect((await fetch(`${served.issuerUrl}/jwks`)).status).toBe(404);
    const post = await fetch(served.jwksUrl, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('counts JWKS and discovery requests on the server side', async () => {
    const before = [served.fetchCount, served.discoveryCount];
    await (await fetch(served.jwksUrl)).arrayBuffer();
    await (await fetch(served.discoveryUrl)).arrayBuffer();
    await (await fetch(served.jwksUrl)).arrayBuffer();
    expect([served.fetchCount, served.discoveryCount]).toEqual([before[0]! + 2, before[1]! + 1]);
  });

  it('lets a { jwksUrl } verifier accept a kit-minted token', async () => {
    const principal = await remote.verify(
      await issuer.mint({ subject: 'ada', permissions: ['articles:read'] }),
    );
    expect(principal).toMatchObject({ subject: 'ada', issuer: issuer.issuer });
    expect([...principal.permissions]).toEqual(['articles:read']);
  });

  it('lets an { oidcIssuer } verifier discover the keys and accept a kit-minted token', async () => {
    const before = served.discoveryCount;
    await expect(discovered.verify(await issuer.mint({ subject: 'grace' }))).resolves.toMatchObject(
      { subject: 'grace' },
    );
    expect(served.discoveryCount).toBe(before + 1);
  });

  describe.each([
    ['{ jwksUrl }', () => remote],
    ['{ oidcIssuer }', () => discovered],
  ])('through a %s verifier', (_name, verifier) => {
    it.each(TOKEN_FAILURE_KINDS)('refuses a %s token with its documented code', async (kind) => {
      const expected = EXPECTED_TOKEN_FAILURES[kind];
      await expect(verifier().verify(await issuer.mintFailure(kind))).rejects.toMatchObject({
        code: expected.code,
        ...(expected.code === 'TOKEN_INVALID' ? { reason: expected.reason } : {}),
        ...(expected.claim === undefined ? {} : { claim: expected.claim }),
      });
    });
  });

  it('stops answering after close(), and close() may be called twice', async () => {
    const other = await issuer.serveJwks();
    expect((await fetch(other.jwksUrl)).status).toBe(200);
    await other.close();
    await other.close();
    await expect(fetch(other.jwksUrl)).rejects.toThrow(TypeError);
  });
});

describe('TestIssuer.rotateKey', () => {
  it('publishes the new key next to the old one; a remote verifier picks it up', async () => {
    const issuer = await createTestIssuer({ alg: 'EdDSA' });
    const served = await issuer.serveJwks();
    try {
      // cooldownDuration 0: an unknown kid refetches the JWKS at once (the default waits 30 s).
      const verifier = await createTokenVerifier(
        served.verifierOptions({ cache: false }, { cooldownDuration: 0 }),
      );
      const firstKid = issuer.kid;
      const before = await issuer.mint({ subject: 'before' });
      await expect(verifier.verify(before)).resolves.toMatchObject({ subject: 'before' });
      const fetches = served.fetchCount;

      const nextKid = await issuer.rotateKey();
      expect(nextKid).not.toBe(firstKid);
      expect(issuer.kid).toBe(nextKid);
      expect(issuer.jwks.keys.map((key) => key.kid)).toEqual([firstKid, nextKid]);

      const after = await issuer.mint({ subject: 'after' });
      expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString())).toMatchObject({
        kid: nextKid,
      });
      await expect(verifier.verify(after)).resolves.toMatchObject({ subject: 'after' });
      expect(served.fetchCount).toBe(fetches + 1);
      // Tokens of the previous key still verify while it stays published.
      await expect(verifier.verify(before)).resolves.toMatchObject({ subject: 'before' });
    } finally {
      await served.close();
    }
  });

  it('withdraws the previous keys with keepPrevious: false', async () => {
    const issuer = await createTestIssuer();
    // No verified-token cache: it would keep answering for `before` until its exp.
    const verifier = await createTokenVerifier(issuer.verifierOptions({ cache: false }));
    const before = await issuer.mint();
    await expect(verifier.verify(before)).resolves.toMatchObject({ subject: 'test-user' });
    const kid = await issuer.rotateKey({ keepPrevious: false });
    expect(issuer.jwks.keys.map((key) => key.kid)).toEqual([kid]);
    await expect(verifier.verify(await issuer.mint())).resolves.toMatchObject({
      subject: 'test-user',
    });
    await expect(verifier.verify(before)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      reason: 'key',
    });
  });
});
