import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { AuthUnavailableError, type KeySourceFailureReason } from '../errors/auth-error.js';
import type { AsymmetricAlgorithm } from './algorithms.js';
import { boundedJsonFetch, type FetchFunction } from './bounded-json-fetch.js';
import { DEFAULT_MAX_JWKS_KEYS, importJwks } from './import-jwks.js';
import { KeySourceError, type ImportedKeySource } from './key-source.js';

/** Options of a remote JWKS (`{ jwksUrl }` or `{ oidcIssuer }` key configurations). */
export interface RemoteJwksOptions {
  /**
   * How long one HTTP request (JWKS or discovery document, body included) may take, in ms.
   * @default 5000
   */
  readonly timeoutDuration?: number | undefined;
  /**
   * The least time between two fetches triggered by unknown `kid`s, in ms: a token whose `kid` is
   * not cached refetches the JWKS at most once per cooldown (key rotation is picked up at once).
   * @default 30000
   */
  readonly cooldownDuration?: number | undefined;
  /**
   * How long a fetched JWKS is used before it is refreshed in the background, in ms. Tokens keep
   * verifying with the cached keys while the refresh runs, and after it fails (stale-if-error).
   * @default 600000 (10 minutes)
   */
  readonly cacheMaxAge?: number | undefined;
  /**
   * The wait after a failed fetch before the next one, in ms; it doubles with each consecutive
   * failure up to {@link maxOutageBackoff}. While it runs no request triggers a fetch, so an outage
   * cannot turn traffic into a flood of fetches, and unknown `kid`s answer `AUTH_UNAVAILABLE`.
   * @default 1000
   */
  readonly outageBackoff?: number | undefined;
  /** The longest outage backoff, in ms. @default 30000 */
  readonly maxOutageBackoff?: number | undefined;
  /** The largest response body accepted, in bytes. @default 262144 (256 KiB) */
  readonly maxResponseBytes?: number | undefined;
  /** The largest number of keys accepted in the JWKS. @default 100 */
  readonly maxKeys?: number | undefined;
  /** Extra request headers (e.g. an API key some gateways require). @default {} */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Accept `http:` URLs for hosts other than loopback. Keys fetched without TLS can be replaced by
   * anyone on the path: use only inside a trusted network (e.g. a container network in development).
   * @default false (https only, except for localhost, 127.0.0.0/8 and ::1)
   */
  readonly allowInsecureHttp?: boolean | undefined;
  /** The fetch implementation (jose's `customFetch`). @default globalThis.fetch */
  readonly fetch?: FetchFunction | undefined;
  /** The clock for cooldown, cache age and backoff, in ms since the epoch. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** The defaults of {@link RemoteJwksOptions}. */
export const REMOTE_JWKS_DEFAULTS = Object.freeze({
  timeoutDuration: 5_000,
  cooldownDuration: 30_000,
  cacheMaxAge: 600_000,
  outageBackoff: 1_000,
  maxOutageBackoff: 30_000,
  maxResponseBytes: 256 * 1024,
  maxKeys: DEFAULT_MAX_JWKS_KEYS,
});

/** Where a remote key source finds its JWKS URL: given, or discovered (then cached). */
export type JwksLocator = (fetchJson: FetchFunction, signal: () => AbortSignal) => Promise<URL>;

/** Resolved options of a remote key source. */
interface Resolved {
  readonly timeoutDuration: number;
  readonly cooldownDuration: number;
  readonly cacheMaxAge: number;
  readonly outageBackoff: number;
  readonly maxOutageBackoff: number;
  readonly maxResponseBytes: number;
  readonly maxKeys: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly allowInsecureHttp: boolean;
  readonly fetch: FetchFunction;
  readonly now: () => number;
}

/**
 * Validates remote JWKS options once, at start-up.
 * @throws TypeError naming the option to fix.
 */
export function resolveRemoteJwksOptions(options: RemoteJwksOptions): Resolved {
  const duration = (name: keyof typeof REMOTE_JWKS_DEFAULTS, min: number): number => {
    const value = options[name] ?? REMOTE_JWKS_DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new TypeError(`claimgate: \`${name}\` must be an integer of at least ${min}.`);
    }
    return value;
  };
  const fetchImpl = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  if (typeof fetchImpl !== 'function') {
    throw new TypeError('claimgate: `fetch` must be a function.');
  }
  const resolved: Resolved = {
    timeoutDuration: duration('timeoutDuration', 1),
    cooldownDuration: duration('cooldownDuration', 0),
    cacheMaxAge: duration('cacheMaxAge', 0),
    outageBackoff: duration('outageBackoff', 1),
    maxOutageBackoff: duration('maxOutageBackoff', 1),
    maxResponseBytes: duration('maxResponseBytes', 1),
    maxKeys: duration('maxKeys', 1),
    headers: { ...options.headers },
    allowInsecureHttp: options.allowInsecureHttp === true,
    fetch: fetchImpl,
    now: options.now ?? Date.now,
  };
  if (resolved.maxOutageBackoff < resolved.outageBackoff) {
    throw new TypeError('claimgate: `maxOutageBackoff` must be at least `outageBackoff`.');
  }
  return resolved;
}

/**
 * Parses and checks a URL of the key infrastructure.
 * @throws TypeError for a malformed URL, or `http:` to a non-loopback host without
 *   `allowInsecureHttp` (RFC 8414 §2 and OIDC Discovery §4 require TLS).
 */
export function parseKeyUrl(input: string | URL, name: string, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TypeError(`claimgate: \`${name}\` is not a valid URL.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (allowInsecureHttp || isLoopback(url.hostname))) return url;
  throw new TypeError(
    `claimgate: \`${name}\` must be an https: URL (got ${url.protocol}); set \`allowInsecureHttp\` only for a trusted network.`,
  );
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** The loaded key set of a remote source. */
interface Loaded {
  readonly getKey: JWTVerifyGetKey;
  /** When the set was fetched, in ms since the epoch. */
  readonly loadedAt: number;
}

/**
 * Creates the {@link ImportedKeySource} of a remote JWKS, on jose's `createRemoteJWKSet` (request, timeout,
 * JWK Set validation), with the policy jose leaves to its caller:
 *
 * - cold start and warm-up: concurrent requests share one fetch;
 * - rotation: an unknown `kid` refetches at most once per `cooldownDuration`, then is `TOKEN_INVALID`;
 * - stale-if-error: an expired cache is refreshed in the background; if that fails the last good
 *   keys keep verifying tokens of known `kid`s;
 * - outage backoff: after a failure no fetch happens for `outageBackoff` ms (doubling up to
 *   `maxOutageBackoff`), and what needs a fetch answers `AUTH_UNAVAILABLE` with `Retry-After`.
 *   (jose's own cooldown starts only after a success, so it does not bound an outage.)
 */
export function createRemoteKeySource(
  locate: JwksLocator,
  algorithms: readonly AsymmetricAlgorithm[],
  options: Resolved,
): ImportedKeySource {
  const { now } = options;
  const bounded = boundedJsonFetch(options.fetch, options.maxResponseBytes);
  let lastUrl = 'the key endpoint';
  const fetchJson: FetchFunction = (url, init) => {
    lastUrl = url;
    return bounded(url, init);
  };
  const signal = () => AbortSignal.timeout(options.timeoutDuration);
  let jwksUrl: URL | undefined;
  let remote: ReturnType<typeof createRemoteJWKSet> | undefined;
  let loaded: Loaded | undefined;
  let pending: Promise<Loaded> | undefined;
  let failures = 0;
  let backoffUntil = 0;
  let lastFailure: KeySourceFailureReason = 'network';
  let lastCause: unknown;

  const unavailable = (): AuthUnavailableError =>
    new AuthUnavailableError(lastFailure, {
      retryAfter: (backoffUntil - now()) / 1000,
      cause: lastCause,
    });
  const isBackingOff = () => now() < backoffUntil;

  async function fetchKeys(): Promise<Loaded> {
    jwksUrl ??= await locate(fetchJson, signal);
    remote ??= createRemoteJWKSet(jwksUrl, {
      timeoutDuration: options.timeoutDuration,
      headers: options.headers,
      [customFetch]: fetchJson,
    });
    await remote.reload();
    const imported = await importJwks(remote.jwks(), algorithms, {
      strict: false,
      maxKeys: options.maxKeys,
      label: jwksUrl.href,
    });
    return { getKey: imported.getKey, loadedAt: now() };
  }

  /** One fetch at a time; every caller waiting for keys shares it. */
  function refresh(): Promise<Loaded> {
    pending ??= fetchKeys().then(
      (next) => {
        loaded = next;
        failures = 0;
        backoffUntil = 0;
        pending = undefined;
        return next;
      },
      (error: unknown) => {
        failures += 1;
        const wait = Math.min(
          options.outageBackoff * 2 ** Math.min(failures - 1, 30),
          options.maxOutageBackoff,
        );
        backoffUntil = now() + wait;
        lastFailure = classify(error);
        lastCause = explain(error, lastFailure, lastUrl, options.timeoutDuration);
        pending = undefined;
        throw unavailable();
      },
    );
    return pending;
  }

  async function current(): Promise<Loaded> {
    if (loaded === undefined) {
      if (pending !== undefined) return pending;
      if (isBackingOff()) throw unavailable();
      return refresh();
    }
    if (now() - loaded.loadedAt >= options.cacheMaxAge && !isBackingOff()) {
      // Stale-while-revalidate: this request does not wait; a failure only starts the backoff.
      refresh().catch(() => undefined);
    }
    return loaded;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const keys = await current();
    try {
      return await keys.getKey(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown kid may be a key the issuer has just rotated in.
      if (pending !== undefined) return (await pending).getKey(header, token);
      if (now() - keys.loadedAt < options.cooldownDuration) throw error;
      if (isBackingOff()) throw unavailable();
      return (await refresh()).getKey(header, token);
    }
  };

  return Object.assign(getKey, {
    isReady: () => loaded !== undefined,
    async warmUp(): Promise<void> {
      await current();
    },
  });
}

function classify(error: unknown): KeySourceFailureReason {
  if (error instanceof KeySourceError) return error.reason;
  if (error instanceof errors.JWKSTimeout) return 'timeout';
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'timeout';
  }
  if (error instanceof errors.JWKSInvalid) return 'invalid-jwks';
  if (error instanceof errors.JOSEError) return 'invalid-jwks';
  return 'network';
}

/** A {@link KeySourceError} whose message names the URL and what went wrong, for the server's logs. */
function explain(
  error: unknown,
  reason: KeySourceFailureReason,
  url: string,
  timeoutDuration: number,
): KeySourceError {
  if (error instanceof KeySourceError) return error;
  let detail: string;
  if (reason === 'timeout') detail = `no answer within ${timeoutDuration} ms (\`timeoutDuration\`)`;
  else if (reason === 'network') detail = `request failed (${networkCode(error)})`;
  else detail = 'the answer is not a usable JWK Set';
  return new KeySourceError(reason, `claimgate: ${url}: ${detail}.`, { cause: error });
}

/**
 * The system error code under fetch's generic "fetch failed" (ECONNREFUSED, ENOTFOUND, ...), or
 * the innermost message when there is none (e.g. "bad port").
 */
function networkCode(error: unknown): string {
  let current: unknown = error;
  let message = 'unknown error';
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('ERR_JWKS')) return code;
    message = current.message;
    current = current.cause;
  }
  return message;
}
