import { badRequest, type BearerCredentials } from './extract-bearer-token.js';

const NONE: BearerCredentials = Object.freeze({ kind: 'none' });

/**
 * Reads a token from the cookie named `name` in the `Cookie` header(s) (RFC 6265 §5.4: pairs
 * separated by `;`). No such cookie is `none`; the cookie sent twice is `bad-request`
 * (`multiple-sources`), since the two values cannot be told apart safely.
 */
export function extractCookieToken(
  cookie: string | readonly string[] | undefined,
  name: string,
): BearerCredentials {
  if (cookie === undefined) return NONE;
  const headers = typeof cookie === 'string' ? [cookie] : cookie;
  const values: string[] = [];
  for (const header of headers) {
    for (const pair of header.split(';')) {
      const equals = pair.indexOf('=');
      if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
      let value = pair.slice(equals + 1).trim();
      // RFC 6265 §4.1.1 cookie-value may be DQUOTEd.
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
        value = value.slice(1, -1);
      }
      values.push(value);
    }
  }
  if (values.length > 1) return badRequest('multiple-sources');
  const [token] = values;
  return token === undefined || token === '' ? NONE : { kind: 'bearer', token };
}

/**
 * Whether `name` can be a cookie name (RFC 6265 §4.1.1: an RFC 9110 token).
 */
export function isCookieName(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
}
