/**
 * HMAC secrets copied from documentation, tutorials and tool defaults. Anyone can sign tokens with
 * them, so they are refused at start-up whatever their length (compared case-insensitively, after
 * trimming). Not a strength meter: a random secret of the hash size is still what to use.
 */
export const WELL_KNOWN_SECRETS: ReadonlySet<string> = new Set([
  // jwt.io debugger defaults, old and new
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'a-string-secret-at-least-256-bits-long',
  // Supabase local development and its docs
  'super-secret-jwt-token-with-at-least-32-characters-long',
  'your-super-secret-jwt-token-with-at-least-32-characters-long',
  // express-session / node tutorials and common placeholders
  'keyboard cat',
  'shhhhh',
  'shhhhhhared-secret',
  'secret',
  'secretkey',
  'secret-key',
  'secret_key',
  'mysecret',
  'my-secret',
  'my_secret',
  'mysecretkey',
  'my-secret-key',
  'my_secret_key',
  'supersecret',
  'super-secret',
  'super_secret',
  'supersecretkey',
  'super-secret-key',
  'jwt-secret',
  'jwt_secret',
  'jwtsecret',
  'jwt-secret-key',
  'your-secret-key',
  'your_secret_key',
  'your-jwt-secret',
  'your_jwt_secret',
  'changeme',
  'change-me',
  'change_me',
  'changeit',
  'password',
  'default',
  'test',
  'development',
]);

/** Whether `secret` is one byte repeated (`aaaa…`, or an all-zero buffer nobody filled). */
export function isRepeatedByte(secret: Uint8Array): boolean {
  const first = secret[0];
  return first !== undefined && secret.every((byte) => byte === first);
}

/** Lenient UTF-8: stateless without `stream`, so one decoder serves every call. */
const utf8 = new TextDecoder();

/**
 * Whether `secret`, as text, is on the {@link WELL_KNOWN_SECRETS} list. Cheap enough per call (a
 * `getKey` resolver's secret is checked per token): bytes that are not UTF-8 decode to U+FFFD, which
 * no listed secret contains and `trim` keeps, so they are never on the list; no exception is thrown
 * for random binary secrets.
 */
export function isWellKnownSecret(secret: Uint8Array): boolean {
  const text = utf8.decode(secret);
  if (text.includes('\uFFFD')) return false; // not text: not copied from a page
  return WELL_KNOWN_SECRETS.has(text.trim().toLowerCase());
}
