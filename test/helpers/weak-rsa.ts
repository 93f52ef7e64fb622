import { generateKeyPairSync, sign } from 'node:crypto';
import type { JWK } from 'jose';

/**
 * An RSA key pair under 2048 bits and a token signed with it. jose refuses to generate or sign with
 * such keys, so this signs with node:crypto directly (RFC 7515 §5.1, RS256).
 */
export function createWeakRsaToken(
  kid: string,
  claims: Record<string, unknown>,
  modulusLength = 1024,
): { readonly publicJwk: JWK; readonly token: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const publicJwk: JWK = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
  return { publicJwk, token: `${input}.${signature}` };
}
