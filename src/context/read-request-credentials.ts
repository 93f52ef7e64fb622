import {
  badRequest,
  extractBearerToken,
  type BearerCredentials,
} from '../token/extract-bearer-token.js';
import { extractCookieToken } from '../token/extract-cookie-token.js';

type HeaderValue = string | readonly string[] | undefined;

/** The request shape the context builder reads: Node's `IncomingMessage` and Express's fit. */
export interface RequestWithHeaders {
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /**
   * Every value of every header (Node ≥ 18.3 `IncomingMessage.headersDistinct`). When present it
   * is preferred: `headers` keeps only the first of duplicate `Authorization` headers.
   */
  readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>> | undefined;
  /** The connection, whose `remoteAddress` keys rate limiting (`createAuthContext({ security })`). */
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

/**
 * The credentials of one request, from the `Authorization` header and, when `cookieName` is set,
 * that cookie. A token in both places is a malformed request (RFC 6750 §2: a client uses one
 * method per request).
 */
export function readRequestCredentials(
  req: RequestWithHeaders,
  cookieName: string | undefined,
): BearerCredentials {
  const header = extractBearerToken(headerValues(req, 'authorization'));
  if (cookieName === undefined) return header;
  const cookie = extractCookieToken(headerValues(req, 'cookie'), cookieName);
  if (header.kind === 'bad-request') return header;
  if (cookie.kind === 'bad-request') return cookie;
  if (header.kind === 'bearer' && cookie.kind === 'bearer') return badRequest('multiple-sources');
  return header.kind === 'bearer' ? header : cookie;
}

function headerValues(req: RequestWithHeaders, name: string): HeaderValue {
  const distinct = req.headersDistinct?.[name];
  return distinct ?? req.headers[name];
}
