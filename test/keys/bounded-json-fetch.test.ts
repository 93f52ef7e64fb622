import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeySourceError } from '../../src/index.js';
import { boundedJsonFetch, type FetchFunction } from '../../src/keys/bounded-json-fetch.js';

// A real loopback server answering each path in one of the ways a JWKS endpoint can go wrong.
const JSON_BODY = JSON.stringify({ keys: [], note: 'exactly sized' });
const LIMIT = Buffer.byteLength(JSON_BODY);

let server: Server;
let base: string;
const sockets = new Set<Socket>();
/** Resolved when the `/slow` handler has sent its headers and first chunk. */
let slowStarted: () => void = () => undefined;
/** Resolved when the `/slow` client's connection closes. */
let slowClosed: () => void = () => undefined;
let lastHeaders: Record<string, unknown> = {};

function send(res: ServerResponse, status: number, body: string, chunked = false): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(chunked ? {} : { 'content-length': Buffer.byteLength(body) }),
  });
  if (chunked) {
    // Two writes without Content-Length: Node sends Transfer-Encoding: chunked.
    res.write(body.slice(0, 5));
    res.end(body.slice(5));
  } else {
    res.end(body);
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = { ...req.headers };
    switch (req.url) {
      case '/exact':
        return send(res, 200, JSON_BODY);
      case '/exact-chunked':
        return send(res, 200, JSON_BODY, true);
      case '/over':
        return send(res, 200, `${JSON_BODY} `);
      case '/over-chunked':
        return send(res, 200, `${JSON_BODY} `, true);
      case '/not-found':
        return send(res, 404, JSON_BODY);
      case '/error':
        return send(res, 500, '{"error":"internal"}');
      case '/no-content':
        res.writeHead(204).end();
        return;
      case '/redirect':
        res.writeHead(302, { location: '/exact' }).end();
        return;
      case '/invalid-json':
        return send(res, 200, '{"keys": [');
      case '/empty':
        return send(res, 200, '');
      case '/html':
        return send(res, 200, '<html>login</html>');
      case '/slow':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys": [', () => slowStarted());
        req.socket.once('close', () => slowClosed());
        return; // the rest never comes
      default:
        return send(res, 404, '{}');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const bounded = (maxBytes = LIMIT, fetchImpl: FetchFunction = fetch) =>
  boundedJsonFetch(fetchImpl, maxBytes);

/** The KeySourceError a call rejects with (failing the test if it resolves). */
async function refusal(call: Promise<Response>): Promise<KeySourceError> {
  const error = await call.then(
    () => expect.fail('the fetch resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeySourceError);
  return error as KeySourceError;
}

describe('boundedJsonFetch', () => {
  it('passes a 200 JSON body of exactly maxBytes, as a fresh JSON response', async () => {
    for (const path of ['/exact', '/exact-chunked']) {
      const response = await bounded()(`${base}${path}`, {});
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.text()).toBe(JSON_BODY);
    }
  });

  it('hands the caller’s init to the fetch it wraps', async () => {
    const seen: RequestInit[] = [];
    const spy: FetchFunction = (url, init) => {
      seen.push(init);
      return fetch(url, init);
    };
    const init = { headers: { accept: 'application/jwk-set+json' }, redirect: 'manual' as const };
    await bounded(LIMIT, spy)(`${base}/exact`, init);
    expect(seen).toEqual([init]);
    expect(lastHeaders['accept']).toBe('application/jwk-set+json');
  });

  it('refuses any status but 200, naming the URL and the status', async () => {
    for (const [path, status] of [
      ['/not-found', 404],
      ['/error', 500],
      ['/no-content', 204],
    ] as const) {
      const error = await refusal(bounded()(`${base}${path}`, {}));
      expect(error.reason).toBe('http-status');
      expect(error.message).toBe(
        `claimgate: ${base}${path} answered HTTP ${status}; expected 200.`,
      );
    }
  });

  it('refuses a redirect the caller did not follow (302 is not 200)', async () => {
    const error = await refusal(bounded()(`${base}/redirect`, { redirect: 'manual' }));
    expect(error).toMatchObject({ reason: 'http-status' });
    expect(error.message).toContain('HTTP 302');
  });

  it('refuses one byte over maxBytes, by Content-Length and while streaming', async () => {
    for (const path of ['/over', '/over-chunked']) {
      const error = await refusal(bounded()(`${base}${path}`, {}));
      expect(error.reason, path).toBe('too-large');
      expect(error.message).toBe(
        `claimgate: the body from ${base}${path} exceeds ${LIMIT} bytes; raise \`maxResponseBytes\` if this is expected.`,
      );
    }
    // The same bodies pass with one more byte allowed: the limit is inclusive.
    for (const path of ['/over', '/over-chunked']) {
      const response = await bounded(LIMIT + 1)(`${base}${path}`, {});
      expect(response.status).toBe(200);
    }
  });

  it('refuses a 200 that is not JSON, keeping the parser’s error as cause', async () => {
    for (const path of ['/invalid-json', '/empty', '/html']) {
      const error = await refusal(bounded(1000)(`${base}${path}`, {}));
      expect(error.reason, path).toBe('invalid-json');
      expect(error.message).toBe(`claimgate: ${base}${path} did not answer JSON.`);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('reads the body under the caller’s abort signal: a stalled body is aborted', async () => {
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const closed = new Promise<void>((resolve) => (slowClosed = resolve));
    let headersReceived = false;
    const observed: FetchFunction = async (url, init) => {
      const response = await fetch(url, init);
      headersReceived = true;
      return response;
    };
    const controller = new AbortController();
    const call = bounded(1000, observed)(`${base}/slow`, { signal: controller.signal });
    const outcome = call.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await started;
    // Wait for fetch to hand over the response: the abort must hit the body read, not the fetch.
    while (!headersReceived) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await outcome;
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    await closed; // the connection was given up, not left hanging
  });
});
