/** What a WebSocket connection's `connectionParams` carry for authentication. */
export type ConnectionAuthorization =
  | { readonly kind: 'value'; readonly authorization: string | undefined }
  | { readonly kind: 'malformed' }
  /** Two values (two key spellings, or an array of several), as two HTTP headers would be. */
  | { readonly kind: 'duplicate' };

/**
 * The longest `Authorization` value read from `connectionParams`, in UTF-16 code units: Node's
 * default limit for all HTTP headers together (16 KiB), so a WebSocket cannot carry a token that
 * HTTP would refuse.
 */
export const MAX_CONNECTION_AUTHORIZATION_LENGTH = 16 * 1024;

const NONE: ConnectionAuthorization = Object.freeze({ kind: 'value', authorization: undefined });
const MALFORMED: ConnectionAuthorization = Object.freeze({ kind: 'malformed' });
const DUPLICATE: ConnectionAuthorization = Object.freeze({ kind: 'duplicate' });

/**
 * Reads the `Authorization` value a graphql-ws client sent in `connectionParams`
 * (`{ Authorization: "Bearer …" }`, the convention of Apollo Client and graphql-ws clients). The key
 * is matched case-insensitively, like an HTTP header name (RFC 9110 §5.1).
 *
 * - No params, no such key, or the key set to `null`: no credentials (`authorization: undefined`).
 * - A value that is not a string or is longer than {@link MAX_CONNECTION_AUTHORIZATION_LENGTH}:
 *   `malformed` (`TOKEN_INVALID`, as HTTP treats an oversized token).
 * - Two keys (`Authorization` and `authorization`) with different values, or an array of several
 *   values: `duplicate` (`BAD_REQUEST`, as HTTP treats two `Authorization` headers). Never a guess.
 */
export function readConnectionAuthorization(params: unknown): ConnectionAuthorization {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return NONE;
  let found: string | undefined;
  // Own enumerable keys only: a `__proto__` key from JSON.parse is own data, never the prototype.
  for (const key of Object.keys(params)) {
    if (key.length !== 13 || key.toLowerCase() !== 'authorization') continue;
    const value: unknown = (params as Record<string, unknown>)[key];
    if (value === null) continue;
    if (Array.isArray(value) && value.length > 1) return DUPLICATE;
    if (typeof value !== 'string' || value.length > MAX_CONNECTION_AUTHORIZATION_LENGTH) {
      return MALFORMED;
    }
    if (found !== undefined && found !== value) return DUPLICATE;
    found = value;
  }
  return found === undefined ? NONE : { kind: 'value', authorization: found };
}
