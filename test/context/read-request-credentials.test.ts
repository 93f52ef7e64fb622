import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readRequestCredentials,
  type RequestWithHeaders,
} from '../../src/context/read-request-credentials.js';
import { rawPost } from '../helpers/raw-http.js';

const COOKIE = 'access_token';
const req = (
  headers: RequestWithHeaders['headers'],
  headersDistinct?: RequestWithHeaders['headersDistinct'],
): RequestWithHeaders => ({
  headers,
  ...(headersDistinct === undefined ? {} : { headersDistinct }),
});

describe('readRequestCredentials without a cookie name', () => {
  it('reads the Authorization header only', () => {
    expect(readRequestCredentials(req({ authorization: 'Bearer h.t.k' }), undefined)).toEqual({
      kind: 'bearer',
      token: 'h.t.k',
    });
    expect(readRequestCredentials(req({}), undefined)).toEqual({ kind: 'none' });
    // The cookie is not a credential unless asked for.
    expect(readRequestCredentials(req({ cookie: `${COOKIE}=c.t.k` }), undefined)).toEqual({
      kind: 'none',
    });
  });

  it('prefers headersDistinct, so a second Authorization header is seen', () => {
    const request = req(
      { authorization: 'Bearer first' },
      { authorization: ['Bearer first', 'Bearer second'] },
    );
    expect(readRequestCredentials(request, undefined)).toEqual({
      kind: 'bad-request',
      reason: 'duplicate-header',
    });
  });

  it('falls back to headers when headersDistinct lacks the header', () => {
    expect(readRequestCredentials(req({ authorization: 'Bearer h.t.k' }, {}), undefined)).toEqual({
      kind: 'bearer',
      token: 'h.t.k',
    });
  });

  it('passes malformed credentials on as a bad request with the reason', () => {
    expect(readRequestCredentials(req({ authorization: 'Bearer' }), undefined)).toEqual({
      kind: 'bad-request',
      reason: 'missing-credentials',
    });
    expect(readRequestCredentials(req({ authorization: 'Bearer\th.t.k' }), undefined)).toEqual({
      kind: 'bad-request',
      reason: 'separator',
    });
  });
});

describe('readRequestCredentials with a cookie name', () => {
  it('reads the token from the cookie when there is no Authorization header', () => {
    expect(readRequestCredentials(req({ cookie: `theme=dark; ${COOKIE}=c.t.k` }), COOKIE)).toEqual({
      kind: 'bearer',
      token: 'c.t.k',
    });
    expect(readRequestCredentials(req({ cookie: 'theme=dark' }), COOKIE)).toEqual({ kind: 'none' });
  });

  it('reads the header when there is no such cookie', () => {
    expect(
      readRequestCredentials(req({ authorization: 'Bearer h.t.k', cookie: 'theme=dark' }), COOKIE),
    ).toEqual({ kind: 'bearer', token: 'h.t.k' });
  });

  it('refuses a token in both places (RFC 6750 §2), even the same token', () => {
    for (const cookie of [`${COOKIE}=c.t.k`, `${COOKIE}=h.t.k`]) {
      expect(
        readRequestCredentials(req({ authorization: 'Bearer h.t.k', cookie }), COOKIE),
      ).toEqual({ kind: 'bad-request', reason: 'multiple-sources' });
    }
  });

  it('takes the cookie when the header carries another scheme', () => {
    expect(
      readRequestCredentials(
        req({ authorization: 'Basic dXNlcjpwYXNz', cookie: `${COOKIE}=c.t.k` }),
        COOKIE,
      ),
    ).toEqual({ kind: 'bearer', token: 'c.t.k' });
  });

  it('answers the header’s bad request before the cookie’s', () => {
    // Both are malformed: the header's reason wins.
    const request = req({ authorization: 'Bearer', cookie: `${COOKIE}=a; ${COOKIE}=b` });
    expect(readRequestCredentials(request, COOKIE)).toEqual({
      kind: 'bad-request',
      reason: 'missing-credentials',
    });
    // A malformed header with a good cookie is still malformed: the cookie does not rescue it.
    expect(
      readRequestCredentials(req({ authorization: 'Bearer', cookie: `${COOKIE}=c.t.k` }), COOKIE),
    ).toEqual({ kind: 'bad-request', reason: 'missing-credentials' });
  });

  it('refuses the cookie sent twice, across Cookie headers too', () => {
    expect(readRequestCredentials(req({ cookie: `${COOKIE}=a; ${COOKIE}=b` }), COOKIE)).toEqual({
      kind: 'bad-request',
      reason: 'multiple-sources',
    });
    const split = req({ cookie: `${COOKIE}=a` }, { cookie: [`${COOKIE}=a`, `${COOKIE}=b`] });
    expect(readRequestCredentials(split, COOKIE)).toEqual({
      kind: 'bad-request',
      reason: 'multiple-sources',
    });
  });
});

describe('readRequestCredentials on a real IncomingMessage', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  let seen: ReturnType<typeof readRequestCredentials>[] = [];
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, res) => {
      seen.push(readRequestCredentials(request, COOKIE));
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sees duplicate Authorization headers that `headers` would hide', async () => {
    seen = [];
    await rawPost(url, { authorization: ['Bearer one.t.k', 'Bearer two.t.k'] }, {});
    await rawPost(url, { authorization: 'Bearer one.t.k' }, {});
    await rawPost(url, { cookie: `${COOKIE}=c.t.k` }, {});
    await rawPost(url, { authorization: 'Bearer one.t.k', cookie: `${COOKIE}=c.t.k` }, {});
    expect(seen).toEqual([
      { kind: 'bad-request', reason: 'duplicate-header' },
      { kind: 'bearer', token: 'one.t.k' },
      { kind: 'bearer', token: 'c.t.k' },
      { kind: 'bad-request', reason: 'multiple-sources' },
    ]);
  });
});
