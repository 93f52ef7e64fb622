import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenVerifier, importKeySource } from '../../src/index.js';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.js';
import { generateTestKeyPair, mintToken, type TestKeyPair } from '../helpers/keys.js';

let pair: TestKeyPair;
let server: JwksServer;

beforeAll(async () => {
  pair = await generateTestKeyPair('ES256');
});

beforeEach(async () => {
  server = await startJwksServer({ keys: [{ ...pair.publicJwk, kid: 'k' }] });
});

afterEach(async () => {
  await server.close();
});

const token = (iss: string) =>
  mintToken({
    alg: 'ES256',
    key: pair.privateKey,
    header: { kid: 'k' },
    claims: { iss, sub: 'u' },
  });

describe('OIDC discovery', () => {
  it('reads jwks_uri from the OpenID configuration once and checks iss against the issuer', async () => {
    const verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { oidcIssuer: server.issuer, timeoutDuration: 500 },
    });
    await verifier.warmUp();
    await expect(verifier.verify(await token(server.issuer))).resolves.toMatchObject({
      issuer: server.issuer,
    });
    await expect(verifier.verify(await token('https://evil.example.com'))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      claim: 'iss',
    });
    expect(server.discoveryCount).toBe(1);
    expect(server.fetchCount).toBe(1);
  });

  it('accepts a configured issuer with a trailing slash', async () => {
    const issuer = `${server.issuer}/`;
    server.setDiscovery({ issuer });
    const verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { oidcIssuer: issuer },
    });
    await expect(verifier.verify(await token(issuer))).resolves.toMatchObject({ issuer });
  });

  it('answers AUTH_UNAVAILABLE when the document names another issuer', async () => {
    server.setDiscovery({ issuer: `${server.issuer}/` });
    const verifier = await createTokenVerifier({
      algorithms: ['ES256'],
      key: { oidcIssuer: server.issuer },
    });
    const error: unknown = await verifier.warmUp().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_UNAVAILABLE', reason: 'discovery' });
    expect(String((error as Error).cause)).toMatch(/must be equal exactly/);
    expect(server.fetchCount).toBe(0);
  });

  it('answers AUTH_UNAVAILABLE when the document has no jwks_uri', async () => {
    server.setDiscovery({ jwks_uri: undefined });
    const source = await importKeySource({ oidcIssuer: server.issuer }, ['ES256']);
    await expect(source.warmUp()).rejects.toMatchObject({
      code: 'AUTH_UNAVAILABLE',
      reason: 'discovery',
    });
  });

  it('refuses a plain-http jwks_uri on a non-loopback host', async () => {
    server.setDiscovery({ jwks_uri: 'http://id.example.com/jwks' });
    const source = await importKeySource({ oidcIssuer: server.issuer }, ['ES256']);
    await expect(source.warmUp()).rejects.toMatchObject({ reason: 'discovery' });
  });

  it('refuses a plain-http issuer on a non-loopback host at start-up', async () => {
    await expect(
      importKeySource({ oidcIssuer: 'http://id.example.com' }, ['ES256']),
    ).rejects.toThrow(TypeError);
  });
});
