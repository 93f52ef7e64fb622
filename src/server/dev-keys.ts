import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Permission } from './generated/permissions.js';

/** The development signing key of the example server, shared with `claimgate mint`. */
export interface DevKey {
  readonly algorithm: 'ES256';
  /** The RFC 7638 thumbprint of the public key, sent as `kid`. */
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKeyPem: string;
  /** Where the key is kept. */
  readonly file: string;
}

/** The dev key and the two tokens the example server prints at start-up. Never used in production. */
export interface DevKeys extends DevKey {
  readonly userToken: string;
  readonly adminToken: string;
}

/** How long dev tokens live, in seconds (8 hours: a working day in Sandbox). */
export const DEV_TOKEN_TTL_SECONDS = 8 * 60 * 60;

/** The file, inside the dev key directory, that holds the private key as a JWK. */
export const DEV_KEY_FILE = 'dev-key.json';

/** Permissions of the plain dev token and of the admin dev token. */
export const DEV_USER_PERMISSIONS = ['articles:read'] satisfies Permission[];
export const DEV_ADMIN_PERMISSIONS = [
  'admin',
  'articles:write',
  'audit:read',
  'billing:read',
] satisfies Permission[];

/**
 * Reads the dev key kept in `directory`, or `undefined` when there is none yet.
 * @throws TypeError when the file exists but does not hold an ES256 private JWK.
 */
export async function loadDevKey(directory: string): Promise<DevKey | undefined> {
  const file = join(directory, DEV_KEY_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
  const broken = () =>
    new TypeError(
      `claimgate: ${file} is not a claimgate dev key; delete it to generate a new one.`,
    );
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw broken();
  }
  const { kty, crv, x, y, d } = jwk;
  if (kty !== 'EC' || crv !== 'P-256' || [x, y, d].some((v) => typeof v !== 'string')) {
    throw broken();
  }
  const privateKey = (await importJWK(jwk, 'ES256', { extractable: true })) as CryptoKey;
  const publicJwk: JWK = { kty, crv, x: String(x), y: String(y) };
  const publicKey = (await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey;
  return {
    algorithm: 'ES256',
    kid: await calculateJwkThumbprint(publicJwk),
    privateKey,
    publicKeyPem: await exportSPKI(publicKey),
    file,
  };
}

/**
 * The dev key kept in `directory`, generated (ES256) and written there with mode 0600 on first
 * use, so that `npm start` and `claimgate mint` sign and verify with the same key across restarts.
 */
export async function loadOrCreateDevKey(directory: string): Promise<DevKey> {
  const existing = await loadDevKey(directory);
  if (existing !== undefined) return existing;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  try {
    // `wx`: if another process wrote a key first, keep theirs.
    writeFileSync(join(directory, DEV_KEY_FILE), `${JSON.stringify(jwk)}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
  } catch (error) {
    if (!(isNodeError(error) && error.code === 'EEXIST')) throw error;
  }
  const created = await loadDevKey(directory);
  if (created === undefined)
    throw new Error(`claimgate: could not keep the dev key in ${directory}.`);
  return created;
}

/** What {@link mintDevToken} signs. */
export interface DevTokenOptions {
  readonly subject: string;
  readonly permissions: readonly string[];
  readonly issuer: string;
  readonly audience: string;
  /** Lifetime in seconds. @default DEV_TOKEN_TTL_SECONDS */
  readonly ttlSeconds?: number;
  /** Further claims; registered claims set by the other options win. */
  readonly claims?: Readonly<JWTPayload>;
}

/** Signs a development token with `key`. */
export function mintDevToken(key: DevKey, options: DevTokenOptions): Promise<string> {
  return (
    new SignJWT({ ...options.claims, permissions: [...options.permissions] })
      .setProtectedHeader({ alg: key.algorithm, typ: 'JWT', kid: key.kid })
      .setSubject(options.subject)
      // A `jti` makes each dev token revocable on its own (Mutation.revokeToken).
      .setJti(randomUUID())
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime(`${options.ttlSeconds ?? DEV_TOKEN_TTL_SECONDS}s`)
      .sign(key.privateKey)
  );
}

/** Loads (or creates) the dev key in `directory` and mints the two dev tokens. */
export async function createDevKeys(
  issuer: string,
  audience: string,
  directory: string,
): Promise<DevKeys> {
  const key = await loadOrCreateDevKey(directory);
  const mint = (subject: string, permissions: readonly string[]) =>
    mintDevToken(key, { subject, permissions, issuer, audience });
  return {
    ...key,
    userToken: await mint('dev-user', DEV_USER_PERMISSIONS),
    adminToken: await mint('dev-admin', DEV_ADMIN_PERMISSIONS),
  };
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
