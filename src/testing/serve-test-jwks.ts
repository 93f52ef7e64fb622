import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JSONWebKeySet } from 'jose';

/** The JWKS path of the loopback server, under its origin. */
export const TEST_JWKS_PATH = '/.well-known/jwks.json';
/** The OpenID Connect discovery path, under the issuer URL (OIDC Discovery 1.0 §4). */
export const TEST_DISCOVERY_PATH = '/.well-known/openid-configuration';

/** A running loopback JWKS endpoint (node:http on 127.0.0.1, a port chosen by the system). */
export interface LoopbackJwksEndpoint {
  /** `http://127.0.0.1:<port>`: the OIDC issuer URL of the discovery document. */
  readonly issuerUrl: string;
  /** `<issuerUrl>/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /** `<issuerUrl>/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /** Requests the JWKS path has answered. */
  readonly fetchCount: number;
  /** Requests the discovery path has answered. */
  readonly discoveryCount: number;
  /** Stops listening and drops open connections. Idempotent. */
  readonly close: () => Promise<void>;
}

/**
 * Serves `getJwks()` (read per request, so key changes show at once) and an OIDC discovery
 * document pointing at it, on 127.0.0.1 and port 0. Any other path is 404, any method other than
 * GET or HEAD is 405. Nothing but node:http: no dependency is added for tests.
 */
export async function serveLoopbackJwks(
  getJwks: () => JSONWebKeySet,
  algorithms: readonly string[],
): Promise<LoopbackJwksEndpoint> {
  let fetchCount = 0;
  let discoveryCount = 0;
  let origin = '';
  const sockets = new Set<Socket>();

  const json = (res: ServerResponse, status: number, value: unknown, head: boolean): void => {
    const body = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(head ? undefined : body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      json(res, 405, { error: 'method not allowed' }, head);
      return;
    }
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path === TEST_JWKS_PATH) {
      fetchCount += 1;
      json(res, 200, getJwks(), head);
      return;
    }
    if (path === TEST_DISCOVERY_PATH) {
      discoveryCount += 1;
      json(
        res,
        200,
        {
          issuer: origin,
          jwks_uri: `${origin}${TEST_JWKS_PATH}`,
          id_token_signing_alg_values_supported: [...algorithms],
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
        },
        head,
      );
      return;
    }
    json(res, 404, { error: 'not found' }, head);
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Do not keep a test runner's process alive because a test forgot close().
  server.unref();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
    return closing;
  };

  return {
    issuerUrl: origin,
    jwksUrl: `${origin}${TEST_JWKS_PATH}`,
    discoveryUrl: `${origin}${TEST_DISCOVERY_PATH}`,
    get fetchCount() {
      return fetchCount;
    },
    get discoveryCount() {
      return discoveryCount;
    },
    close,
  };
}
