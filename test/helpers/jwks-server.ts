import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JWK } from 'jose';

/**
 * How the JWKS endpoint answers:
 * - `ok`: 200 with the current keys;
 * - `reset`: accepts the request, then drops the connection without an answer (a crashed backend);
 * - `slow`: answers after `slowMs` (longer than the client's timeout);
 * - `status-500`: HTTP 500;
 * - `invalid-json`: 200 with a body that is not JSON;
 * - `malformed`: 200 with JSON that is not a JWK Set;
 * - `oversized`: 200 with a valid but huge JWK Set (`oversizedBytes`), sent with Content-Length;
 * - `oversized-chunked`: the same, chunked, without Content-Length.
 */
export type JwksServerMode =
  | 'ok'
  | 'reset'
  | 'slow'
  | 'status-500'
  | 'invalid-json'
  | 'malformed'
  | 'oversized'
  | 'oversized-chunked';

/** A real JWKS (and OpenID configuration) endpoint on 127.0.0.1 for tests. */
export interface JwksServer {
  /** The OIDC issuer: `http://127.0.0.1:<port><issuerPath>`. */
  readonly issuer: string;
  /** The JWKS URL: `<issuer>/jwks`. */
  readonly jwksUrl: string;
  /** Requests that reached the JWKS path, counted on the server side. */
  readonly fetchCount: number;
  /** Requests that reached `/.well-known/openid-configuration`. */
  readonly discoveryCount: number;
  /** The headers of the last request to the JWKS path. */
  readonly lastHeaders: Readonly<Record<string, string | string[] | undefined>>;
  /** Replaces the published keys (rotation). */
  setKeys(keys: readonly JWK[]): void;
  /** Changes how the JWKS path answers from the next request on. */
  setMode(mode: JwksServerMode): void;
  /** Overrides fields of the discovery document (e.g. a wrong `issuer`). */
  setDiscovery(fields: Record<string, unknown>): void;
  /** Stops listening (connections are refused) until {@link start}. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

/** Options of {@link startJwksServer}. */
export interface JwksServerOptions {
  readonly keys?: readonly JWK[];
  /** Delay of the `slow` mode, in ms. @default 2000 */
  readonly slowMs?: number;
  /** Body size of the `oversized` modes, in bytes. @default 300000 */
  readonly oversizedBytes?: number;
  /** A path under the origin for the issuer, e.g. Keycloak's `/realms/acme`. @default '' */
  readonly issuerPath?: string;
}

/** Starts a JWKS server on 127.0.0.1 and a random port. */
export async function startJwksServer(options: JwksServerOptions = {}): Promise<JwksServer> {
  let keys: readonly JWK[] = options.keys ?? [];
  let mode: JwksServerMode = 'ok';
  let discovery: Record<string, unknown> = {};
  let fetchCount = 0;
  let discoveryCount = 0;
  let lastHeaders: Record<string, string | string[] | undefined> = {};
  const slowMs = options.slowMs ?? 2000;
  const oversizedBytes = options.oversizedBytes ?? 300_000;
  const issuerPath = options.issuerPath ?? '';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let port = 0;

  const json = (res: ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const oversizedBody = () => {
    const filler = 'x'.repeat(oversizedBytes);
    return JSON.stringify({ keys: [...keys], filler });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === `${issuerPath}/.well-known/openid-configuration`) {
      discoveryCount += 1;
      json(res, 200, { issuer, jwks_uri: `${issuer}/jwks`, ...discovery });
      return;
    }
    if (path !== `${issuerPath}/jwks`) {
      json(res, 404, { error: 'not found' });
      return;
    }
    fetchCount += 1;
    lastHeaders = { ...req.headers };
    switch (mode) {
      case 'ok':
        json(res, 200, { keys });
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) json(res, 200, { keys });
        }, slowMs);
        timers.add(timer);
        return;
      }
      case 'status-500':
        json(res, 500, { error: 'internal' });
        return;
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"keys": [');
        return;
      case 'malformed':
        json(res, 200, { keys: 'not-a-list' });
        return;
      case 'oversized': {
        const body = oversizedBody();
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      case 'oversized-chunked':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(oversizedBody());
        return;
    }
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
    });

  await listen();
  const issuer = `http://127.0.0.1:${port}${issuerPath}`;

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    get fetchCount() {
      return fetchCount;
    },
    get discoveryCount() {
      return discoveryCount;
    },
    get lastHeaders() {
      return lastHeaders;
    },
    setKeys: (next) => {
      keys = next;
    },
    setMode: (next) => {
      mode = next;
    },
    setDiscovery: (fields) => {
      discovery = fields;
    },
    stop,
    start: listen,
    close: stop,
  };
}
