/** What an `Authorization` header value carries. */
export type BearerCredentials =
  | { readonly kind: 'none' } // no header, or another scheme (`Basic …`)
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'malformed' }; // the Bearer scheme with no usable credentials

const NONE: BearerCredentials = Object.freeze({ kind: 'none' });
const MALFORMED: BearerCredentials = Object.freeze({ kind: 'malformed' });

/**
 * Reads a Bearer token from an `Authorization` header value (RFC 6750 §2.1). The scheme is matched
 * case-insensitively (RFC 9110 §11.1); another scheme counts as no credentials, so a `Basic` header
 * meant for something else leaves the request anonymous.
 */
export function extractBearerToken(authorization: string | undefined): BearerCredentials {
  if (authorization === undefined || authorization === '') return NONE;
  const space = authorization.indexOf(' ');
  const scheme = space === -1 ? authorization : authorization.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return NONE;
  const token = space === -1 ? '' : authorization.slice(space + 1).trim();
  return token === '' ? MALFORMED : { kind: 'bearer', token };
}
