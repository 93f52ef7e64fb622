import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { makeExecutableSchema } from '@graphql-tools/schema';
import cors from 'cors';
import type { Logger } from 'pino';
import {
  applyAuthDirectives,
  authDirectivesTypeDefs,
  AuthUnavailableError,
  createAuthContext,
  createAuthStatusPlugin,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  createMemorySecurityStore,
  createOperationGuardPlugin,
  createRedisSecurityStore,
  createSecurityMonitor,
  formatError,
  type SecurityMonitor,
  type TokenVerifier,
} from '../index.js';
import type { ServerContext } from './context.js';
import {
  createLoggingObserver,
  createRedisConnectionLogger,
  createSecurityEventLogger,
  createServerLogger,
} from './create-server-logger.js';
import { createServerMetrics, type CompleteObserver } from './create-server-metrics.js';
import {
  createServerVerifier,
  expectedIssuerAndAudience,
  isDevelopmentMode,
} from './create-server-verifier.js';
import { createDevKeys, type DevKeys } from './dev-keys.js';
import { DEV_AUDIENCE, DEV_ISSUER, type ServerConfig } from './load-server-config.js';
import { createExampleData, createResolvers } from './resolvers.js';
import { serveSubscriptions } from './serve-subscriptions.js';

/** A running example server. */
export interface ExampleServer {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  /** The persisted dev key and dev tokens, in development mode only. */
  readonly devKeys: DevKeys | undefined;
  /** Whether the verification keys are loaded (what `GET /ready` answers). */
  isReady(): boolean;
  /** Where rate-limit and revocation state lives. */
  readonly securityStore: 'redis' | 'memory';
  /** Rate limiting, revocation and the security report (the same the `admin` fields use). */
  readonly security: SecurityMonitor;
  /** Stops accepting connections, drains in-flight requests and closes the security store. */
  close(): Promise<void>;
}

/** Hooks of {@link startExampleServer}. */
export interface ExampleServerHooks {
  /**
   * Called when loading remote keys (JWKS, OIDC discovery) fails; the server keeps serving and
   * retries after the error's `retryAfter`. `error` is an `AuthUnavailableError` whose `cause`
   * names the endpoint and what went wrong.
   */
  readonly onKeyLoadFailure?: ((error: unknown) => void) | undefined;
  /**
   * The structured logger (see `createServerLogger`): one line per request, token refusals and
   * denied fields. Never tokens, claims or the Authorization header.
   * @default a silent logger
   */
  readonly logger?: Logger | undefined;
}

/** The largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

const exampleTypeDefs = readFileSync(
  new URL('../../schema/example.graphql', import.meta.url),
  'utf8',
);

const SANDBOX_DOCUMENT = `query Me {
  me { sub permissions }
  articles { id title body draftNotes }
}
`;

/**
 * Starts the example API: Apollo Server 5 with claimgate on a plain `node:http` server, serving
 * `/graphql` (Apollo Sandbox on GET from a browser; subscriptions over WebSocket), `/health` (the
 * process serves), `/ready` (the verification keys are loaded; remote keys load in the background
 * and are retried) and Prometheus `/metrics`.
 */
export async function startExampleServer(
  config: ServerConfig,
  hooks: ExampleServerHooks = {},
): Promise<ExampleServer> {
  const logger = hooks.logger ?? createServerLogger({ level: 'silent' });
  const metrics = createServerMetrics();
  const observer = combineObservers(metrics.observer, createLoggingObserver(logger));
  const { issuer, audience } = expectedIssuerAndAudience(config);
  const devKeys = isDevelopmentMode(config)
    ? await createDevKeys(issuer ?? DEV_ISSUER, audience ?? DEV_AUDIENCE, config.devKeyDirectory)
    : undefined;
  const verifier = await createServerVerifier(config, devKeys, {
    fetch: metrics.countFetches((url, init) => fetch(url, init)),
  });
  const warmUp = keepWarm(verifier, hooks);
  const { redisUrl, redisKeyPrefix, rateLimit, trustProxy } = config.security;
  const store =
    redisUrl === undefined
      ? createMemorySecurityStore()
      : await createRedisSecurityStore({
          url: redisUrl,
          keyPrefix: redisKeyPrefix,
          onConnectionEvent: createRedisConnectionLogger(logger),
        });
  const logSecurityEvent = createSecurityEventLogger(logger);
  const security = createSecurityMonitor({
    store,
    rateLimit,
    onEvent: (event) => {
      metrics.onSecurityEvent(event);
      logSecurityEvent(event);
    },
  });
  const authContext = createAuthContext({
    verifier,
    rejectInvalidTokens: config.rejectInvalidTokens,
    security,
    trustProxy,
    observer,
  });

  const schema = applyAuthDirectives(
    makeExecutableSchema({
      typeDefs: [authDirectivesTypeDefs, exampleTypeDefs],
      resolvers: createResolvers(createExampleData(), security),
    }),
    { observer },
  );

  const corsHandler = cors({ exposedHeaders: ['WWW-Authenticate', 'Retry-After'] });
  const httpServer = createServer((req, res) => {
    const started = performance.now();
    res.once('finish', () => {
      // The path only: a query string can carry a GraphQL document and its variables.
      const path = (req.url ?? '/').split('?', 1)[0];
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      logger.info({ method: req.method, path, status: res.statusCode, durationMs }, 'request');
    });
    corsHandler(req, res, () => {
      route(req, res).catch(() => {
        // Apollo answers GraphQL errors itself; anything reaching here is ours. No details leak.
        if (!res.headersSent)
          sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
        else res.end();
      });
    });
  });

  // Subscriptions: graphql-ws on the same port and path, authenticated once per connection, with
  // the HTTP context's monitor: one failure count per client over both, revocation at connect and
  // on an interval while connected.
  const subscriptions = serveSubscriptions({
    httpServer,
    schema,
    verifier,
    observer,
    security,
    trustProxy,
    clockTolerance:
      config.issuers === undefined
        ? undefined
        : Math.max(
            ...config.issuers.map(
              (policy) => policy.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
            ),
          ),
  });

  const apollo = new ApolloServer<ServerContext>({
    schema,
    // Sandbox loads the schema by introspection, in development and production alike.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Masks every error not meant for the client, in development too (issue #4).
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      subscriptions.drainPlugin,
      // A response without data only because of auth errors answers 400/401/403 (issue #4).
      createAuthStatusPlugin(),
      ApolloServerPluginLandingPageLocalDefault({
        embed: true,
        document: SANDBOX_DOCUMENT,
        ...(devKeys === undefined
          ? {}
          : { headers: { Authorization: `Bearer ${devKeys.userToken}` } }),
      }),
      ...(config.wholeOperation ? [createOperationGuardPlugin<ServerContext>()] : []),
    ],
  });
  await apollo.start();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A request target that is not a URL (`//[`, say) is the client's mistake: 400, never a 500.
    const url = URL.canParse(req.url ?? '/', 'http://localhost')
      ? new URL(req.url ?? '/', 'http://localhost')
      : undefined;
    if (url === undefined) {
      sendJson(res, 400, { errors: [{ message: 'The request target is not a valid URL.' }] });
      return;
    }
    if (url.pathname === '/health') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (url.pathname === '/ready') {
      if (verifier.isReady()) sendJson(res, 200, { status: 'ready' });
      else sendJson(res, 503, { status: 'loading keys' }, { 'retry-after': '1' });
      return;
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    if (url.pathname !== '/graphql') {
      sendJson(res, 404, { errors: [{ message: 'Not found' }] });
      return;
    }
    const body = await readBody(req);
    if (body.kind === 'too-large') {
      sendJson(res, 413, { errors: [{ message: 'Request body too large.' }] });
      return;
    }
    if (body.kind === 'invalid-json') {
      sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON.' }] });
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: url.search,
      body: body.value,
    };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => authContext({ req }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${config.host === 'localhost' ? 'localhost' : host}:${address.port}/graphql`,
    devKeys,
    isReady: () => verifier.isReady(),
    securityStore: redisUrl === undefined ? 'memory' : 'redis',
    security,
    close: async () => {
      warmUp.stop();
      await apollo.stop();
      await security.close();
    },
  };
}

/**
 * Loads the verifier's keys in the background until they are loaded, waiting between attempts as
 * long as the key source advises (its outage backoff), so requests never wait on a cold JWKS.
 */
function keepWarm(verifier: TokenVerifier, hooks: ExampleServerHooks): { stop(): void } {
  const controller = new AbortController();
  const run = async () => {
    while (!controller.signal.aborted && !verifier.isReady()) {
      try {
        await verifier.warmUp();
      } catch (error) {
        hooks.onKeyLoadFailure?.(error);
        const seconds = error instanceof AuthUnavailableError ? error.retryAfter : 1;
        await delay(seconds * 1000, undefined, { signal: controller.signal, ref: false }).catch(
          () => undefined,
        );
      }
    }
  };
  void run();
  return { stop: () => controller.abort() };
}

/** One observer that calls each of `observers` in turn. */
function combineObservers(...observers: CompleteObserver[]): CompleteObserver {
  return {
    onAuthentication: (event) => {
      for (const observer of observers) observer.onAuthentication(event);
    },
    onDenial: (event) => {
      for (const observer of observers) observer.onDenial(event);
    },
  };
}

type Body = { kind: 'ok'; value: unknown } | { kind: 'too-large' } | { kind: 'invalid-json' };

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { kind: 'too-large' };
    chunks.push(chunk);
  }
  if (size === 0) return { kind: 'ok', value: undefined };
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/(graphql-response\+)?json\b/i.test(type)) return { kind: 'ok', value: text };
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid-json' };
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
}
