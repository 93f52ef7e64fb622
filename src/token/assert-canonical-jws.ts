import { TokenInvalidError } from '../errors/auth-error.js';

/** How deeply objects and arrays may nest in a token's header or payload. */
export const MAX_JSON_DEPTH = 32;

// RFC 7515 §2 / RFC 4648 §5: base64url without padding. Anything else (`=`, `+`, `/`, whitespace)
// is refused here because jose on Node 20 decodes through `atob`, which tolerates all of them.
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Refuses, before any cryptography, a token that is not in the one canonical compact JWS form
 * (RFC 7515 §7.1): exactly three non-empty base64url segments without padding, whitespace or
 * non-zero trailing bits, and a protected header that is a strict JSON object (valid UTF-8, no
 * duplicate member names, nesting at most {@link MAX_JSON_DEPTH}).
 *
 * One token therefore has exactly one accepted spelling: a cache keyed by the token string, a
 * revocation list or a log line cannot be bypassed by re-encoding it. JWE (five segments) and the
 * JSON serializations are refused too. The payload is left for {@link assertStrictJsonPayload},
 * after the signature verified: claimgate does not parse an unauthenticated payload.
 * @throws TokenInvalidError `TOKEN_INVALID`, reason `malformed`.
 */
export function assertCanonicalJws(token: string): void {
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every(isCanonicalBase64url)) throw malformed();
  if (!isStrictJsonObject(segments[0] ?? '')) throw malformed();
}

/**
 * Refuses a verified token whose payload is not a strict JSON object: invalid UTF-8 (which jose's
 * decoder would replace with U+FFFD), duplicate member names, or nesting deeper than
 * {@link MAX_JSON_DEPTH}. Call it after {@link assertCanonicalJws} and the signature check.
 * @throws TokenInvalidError `TOKEN_INVALID`, reason `malformed`.
 */
export function assertStrictJsonPayload(token: string): void {
  if (!isStrictJsonObject(token.split('.')[1] ?? '')) throw malformed();
}

function malformed(): TokenInvalidError {
  return new TokenInvalidError('malformed');
}

/** Whether `segment` is the one canonical unpadded base64url spelling of its bytes. */
export function isCanonicalBase64url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false;
  const remainder = segment.length % 4;
  if (remainder === 1) return false; // no byte string encodes to 4n+1 characters
  if (remainder === 0) return true;
  // The last character carries 4 (remainder 2) or 2 (remainder 3) bits past the final byte; in the
  // canonical encoding they are zero (RFC 4648 §3.5).
  const value = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (value & (remainder === 2 ? 0x0f : 0x03)) === 0;
}

function isStrictJsonObject(segment: string): boolean {
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(segment, 'base64url'));
  } catch {
    return false; // invalid UTF-8 (RFC 7515 §5.2 requires it; `TextDecoder` would replace it)
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return !hasDuplicateKeysOrDeepNesting(text);
}

/**
 * Scans text that is already known to be valid JSON. RFC 7515 §5.2 / RFC 7519 §4 let a parser
 * reject duplicate member names; `JSON.parse` silently keeps the last one, which another parser in
 * the chain may not, so claimgate refuses them.
 */
function hasDuplicateKeysOrDeepNesting(json: string): boolean {
  const stack: (Set<string> | null)[] = []; // a Set of member names per object, null per array
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const char = json.charCodeAt(i);
    if (char === 0x22 /* " */) {
      const start = i;
      for (i++; json.charCodeAt(i) !== 0x22; i++) if (json.charCodeAt(i) === 0x5c /* \ */) i++;
      if (expectKey) {
        const names = stack[stack.length - 1];
        const name = JSON.parse(json.slice(start, i + 1)) as string; // decodes \u escapes
        if (names === undefined || names === null || names.has(name)) return true;
        names.add(name);
        expectKey = false;
      }
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      stack.push(char === 0x7b ? new Set() : null);
      if (stack.length > MAX_JSON_DEPTH) return true;
      expectKey = char === 0x7b;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (char === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return false;
}
