import type { CryptoKey } from 'jose';

/** Bytes or text (taken as UTF-8) of a JWS part. */
export type JwsPart = string | Uint8Array;

/** Base64url without padding of `part`. */
export function b64u(part: JwsPart): string {
  return Buffer.from(typeof part === 'string' ? Buffer.from(part, 'utf8') : part).toString(
    'base64url',
  );
}

/** Base64url of `JSON.stringify(value)`. */
export function b64uJson(value: unknown): string {
  return b64u(JSON.stringify(value));
}

type SignParams = Parameters<typeof crypto.subtle.sign>[0];

const SIGN_PARAMS: Readonly<Record<string, SignParams>> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  HS256: { name: 'HMAC' },
};

/**
 * Signs raw header and payload bytes as a compact JWS, byte for byte: for attacks jose's signers
 * refuse to produce (duplicate keys, invalid UTF-8, unknown `crit`, non-object payloads).
 * `alg` picks the WebCrypto operation; the header is not looked at.
 */
export async function signRaw(
  alg: 'RS256' | 'PS256' | 'ES256' | 'HS256',
  key: CryptoKey,
  header: JwsPart,
  payload: JwsPart,
): Promise<string> {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const params = SIGN_PARAMS[alg];
  if (params === undefined) throw new Error(`no signer for ${alg}`);
  const signature = await crypto.subtle.sign(params, key, new TextEncoder().encode(input));
  return `${input}.${b64u(new Uint8Array(signature))}`;
}

/** An HMAC-SHA256 signing key for raw bytes (e.g. a PEM text, for key-confusion attacks). */
export function importHmacSigningKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}
