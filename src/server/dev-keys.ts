import { randomUUID } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** An ephemeral development key pair and the tokens minted with it. Never used in production. */
export interface DevKeys {
  readonly algorithm: 'ES256';
  readonly publicKeyPem: string;
  readonly userToken: string;
  readonly adminToken: string;
}

/** How long dev tokens live, in seconds (8 hours: a working day in Sandbox). */
export const DEV_TOKEN_TTL_SECONDS = 8 * 60 * 60;

/** Permissions of the plain dev token and of the admin dev token. */
export const DEV_USER_PERMISSIONS = ['articles:read'];
export const DEV_ADMIN_PERMISSIONS = ['admin', 'articles:write', 'audit:read', 'billing:read'];

/** Generates an ephemeral ES256 key pair and mints the two dev tokens. */
export async function createDevKeys(issuer: string, audience: string): Promise<DevKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const mint = (sub: string, permissions: string[], key: CryptoKey) =>
    new SignJWT({ permissions })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject(sub)
      .setJti(randomUUID())
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${DEV_TOKEN_TTL_SECONDS}s`)
      .sign(key);
  return {
    algorithm: 'ES256',
    publicKeyPem: await exportSPKI(publicKey),
    userToken: await mint('dev-user', DEV_USER_PERMISSIONS, privateKey),
    adminToken: await mint('dev-admin', DEV_ADMIN_PERMISSIONS, privateKey),
  };
}
