import type { BadRequestReason } from '../errors/auth-error.js';

/** What a request's credentials carry. */
export type BearerCredentials =
  | { readonly kind: 'none' } // no header, or another scheme (`Basic …`)
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'bad-request'; readonly reason: BadRequestReason }; // malformed request

const NONE: BearerCredentials = Object.freeze({ kind: 'none' });

/** The credentials of a malformed request. */
export function badRequest(reason: BadRequestReason): BearerCredentials {
  return { kind: 'bad-request', reason };
}

// RFC 9110 §11.4 / RFC 6750 §2.1: credentials = auth-scheme 1*SP token68.
const SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)([\s\S]*)$/;

/**
 * Reads a Bearer token from the `Authorization` header (RFC 6750 §2.1). Pass every value of the
 * header (Node's `req.headersDistinct.authorization`) so duplicates are seen; a single string is
 * one header.
 *
 * - No header, or another scheme (`Basic …`): `none`, so a header meant for something else leaves
 *   the request anonymous. The scheme is matched case-insensitively (RFC 9110 §11.1).
 * - More than one header, `Bearer` with no credentials, or the scheme separated from the token by
 *   anything but spaces (a tab, a comma): `bad-request` (RFC 6750 §3.1 `invalid_request`).
 * - Otherwise `bearer` with the token as sent; whether it is a well-formed JWS is the verifier's
 *   call, so a malformed token is `TOKEN_INVALID`, not a malformed request.
 */
export function extractBearerToken(
  authorization: string | readonly string[] | undefined,
): BearerCredentials {
  let header: string | undefined;
  if (typeof authorization === 'string' || authorization === undefined) {
    header = authorization;
  } else {
    if (authorization.length > 1) return badRequest('duplicate-header');
    header = authorization[0];
  }
  // Node strips the optional whitespace around a field value (RFC 9110 §5.5); other stacks may not.
  header = header?.trim();
  if (header === undefined || header === '') return NONE;
  const match = SCHEME.exec(header);
  if (match === null) return NONE; // not even an auth-scheme: not credentials we understand
  const [, scheme = '', rest = ''] = match;
  if (scheme.toLowerCase() !== 'bearer') return NONE;
  if (rest === '') return badRequest('missing-credentials');
  const token = rest.replace(/^ +/, '');
  if (token.length === rest.length) return badRequest('separator'); // `Bearer,x`, `Bearer\tx`
  if (token === '') return badRequest('missing-credentials');
  if (/^\s/.test(token)) return badRequest('separator'); // `Bearer \tx`
  return { kind: 'bearer', token };
}
