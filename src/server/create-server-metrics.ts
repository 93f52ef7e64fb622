import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type {
  AuthenticationEvent,
  AuthObserver,
  DenialEvent,
  FetchFunction,
  SecurityEvent,
} from '../index.js';

/** An {@link AuthObserver} with both callbacks present. */
export type CompleteObserver = {
  readonly [K in keyof AuthObserver]-?: NonNullable<AuthObserver[K]>;
};

/** The example server's Prometheus metrics, fed by claimgate's observer hook. */
export interface ServerMetrics {
  /** The observer to pass to `createAuthContext` and `applyAuthDirectives`. */
  readonly observer: CompleteObserver;
  /** The registry served on `GET /metrics`. */
  readonly registry: Registry;
  /** `fetchImpl` counting each JWKS or discovery request by outcome (ok, http_error, network_error). */
  countFetches(fetchImpl: FetchFunction): FetchFunction;
  /** Counts a security-store failure or recovery (pass to `createSecurityMonitor`'s `onEvent`). */
  onSecurityEvent(event: SecurityEvent): void;
}

/** Outcomes with no token verification behind them: nothing was looked up in the cache. */
const UNVERIFIED_OUTCOMES = new Set(['anonymous', 'error', 'BAD_REQUEST', 'RATE_LIMITED']);

/** Verification latency buckets, in seconds: from a cache hit (µs) to a slow key resolver (ms). */
const DURATION_BUCKETS = [
  0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.01, 0.05,
];

/**
 * Creates the example server's metrics in a registry of their own (so two servers in one process,
 * as in the tests, never collide). Labels hold only bounded values: outcome codes, allow-listed
 * algorithms, schema coordinates. Never a token, a subject or a claim.
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `claimgate_authentications_total` | counter | `outcome`: ok, anonymous, error or an error code |
 * | `claimgate_authentication_duration_seconds` | histogram | `algorithm`, `cache` (hit, miss) |
 * | `claimgate_token_cache_requests_total` | counter | `result` (hit, miss): hit ratio = hit / sum |
 * | `claimgate_denials_total` | counter | `coordinate`, `code` |
 * | `claimgate_jwks_fetches_total` | counter | `outcome` (ok, http_error, network_error) |
 * | `claimgate_security_store_events_total` | counter | `event`, `feature`, `outcome` |
 *
 * Rate-limited requests are `claimgate_authentications_total{outcome="RATE_LIMITED"}`.
 */
export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const authentications = new Counter({
    name: 'claimgate_authentications_total',
    help: 'Requests authenticated, by outcome (ok, anonymous, error, or the refusal code).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'claimgate_authentication_duration_seconds',
    help: 'Time to authenticate a request that presented a token, in seconds.',
    labelNames: ['algorithm', 'cache'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const cacheRequests = new Counter({
    name: 'claimgate_token_cache_requests_total',
    help: 'Presented tokens answered by the verified-token cache (hit) or verified (miss).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const denials = new Counter({
    name: 'claimgate_denials_total',
    help: 'Fields denied by @auth / @hasPermission, by schema coordinate and code.',
    labelNames: ['coordinate', 'code'] as const,
    registers: [registry],
  });

  const jwksFetches = new Counter({
    name: 'claimgate_jwks_fetches_total',
    help: 'Requests for JWK Sets and OIDC discovery documents, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const securityStoreEvents = new Counter({
    name: 'claimgate_security_store_events_total',
    help: 'Security store failures (by feature and what the request got) and recoveries.',
    labelNames: ['event', 'feature', 'outcome'] as const,
    registers: [registry],
  });

  return {
    registry,
    countFetches(fetchImpl) {
      return async (url, init) => {
        let response: Response;
        try {
          response = await fetchImpl(url, init);
        } catch (error) {
          jwksFetches.inc({ outcome: 'network_error' });
          throw error;
        }
        jwksFetches.inc({ outcome: response.ok ? 'ok' : 'http_error' });
        return response;
      };
    },
    onSecurityEvent(event) {
      if (event.type === 'store-unavailable') {
        securityStoreEvents.inc({
          event: event.type,
          feature: event.feature,
          outcome: event.outcome,
        });
      } else {
        securityStoreEvents.inc({ event: event.type, feature: 'all', outcome: 'recovered' });
      }
    },
    observer: {
      onAuthentication(event: AuthenticationEvent) {
        authentications.inc({ outcome: event.outcome });
        // No token reached the verifier: nothing was looked up or verified.
        if (UNVERIFIED_OUTCOMES.has(event.outcome)) return;
        const cache = event.cacheHit ? 'hit' : 'miss';
        cacheRequests.inc({ result: cache });
        duration.observe(
          { algorithm: event.algorithm ?? 'refused', cache },
          event.durationMs / 1000,
        );
      },
      onDenial(event: DenialEvent) {
        denials.inc({ coordinate: event.coordinate, code: event.code });
      },
    },
  };
}
