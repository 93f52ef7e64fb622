import { createRemoteJWKSet, customFetch, errors, type JWK, type JWTVerifyGetKey } from 'jose';
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
   * verifying with the cached keys while the refresh runs, and after it fails (stale-if-error, up
   * to {@link maxStaleAge}). Each fetch draws its refresh time a little earlier, see
   * {@link refreshJitter}.
   * @default 600000 (10 minutes)
   */
  readonly cacheMaxAge?: number | undefined;
  /**
   * The fraction of {@link cacheMaxAge} by which each refresh may come early, drawn at random after
   * every successful fetch: the set is refreshed after `cacheMaxAge × (1 − refreshJitter × r)` with
   * `r` in [0, 1), so instances started together do not all refresh at the same instant. A number
   * from 0 (no jitter: exactly `cacheMaxAge`) up to, not including, 1.
   * @default 0.1 (refresh between 9 and 10 minutes with the default `cacheMaxAge`)
   */
  readonly refreshJitter?: number | undefined;
  /**
   * How old the keys may get, in ms since their last successful fetch, before stale-if-error
   * stops: from then on, until a fetch succeeds, requests wait for a fetch as at a cold start and
   * tokens are `AUTH_UNAVAILABLE` (reason `stale`) while it fails, instead of being verified with
   * keys the issuer may have withdrawn (RFC 8725). `isReady()` is false meanwhile. An integer of at
   * least {@link cacheMaxAge}.
   * @default 86400000 (24 hours)
   */
  readonly maxStaleAge?: number | undefined;
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
  /**
   * The random source of {@link refreshJitter}: a number in [0, 1) per call (values outside are
   * clamped). For tests. @default Math.random
   */
  readonly random?: (() => number) | undefined;
}

/** The defaults of {@link RemoteJwksOptions}. */
export const REMOTE_JWKS_DEFAULTS = Object.freeze({
  timeoutDuration: 5_000,
  cooldownDuration: 30_000,
  cacheMaxAge: 600_000,
  refreshJitter: 0.1,
  maxStaleAge: 86_400_000,
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
  readonly refreshJitter: number;
  readonly maxStaleAge: number;
  readonly outageBackoff: number;
  readonly maxOutageBackoff: number;
  readonly maxResponseBytes: number;
  readonly maxKeys: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly allowInsecureHttp: boolean;
  readonly fetch: FetchFunction;
  readonly now: () => number;
  readonly random: () => number;
}

/**
 * Validates remote JWKS options once, at start-up.
 * @throws TypeError naming the option to fix.
 */
export function resolveRemoteJwksOptions(options: RemoteJwksOptions): Resolved {
  type IntegerOption = Exclude<keyof typeof REMOTE_JWKS_DEFAULTS, 'refreshJitter'>;
  const duration = (name: IntegerOption, min: number): number => {
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
  const refreshJitter = options.refreshJitter ?? REMOTE_JWKS_DEFAULTS.refreshJitter;
  if (typeof refreshJitter !== 'number' || !(refreshJitter >= 0 && refreshJitter < 1)) {
    throw new TypeError(
      'claimgate: `refreshJitter` must be a number from 0 (no jitter) up to, not including, 1.',
    );
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') {
    throw new TypeError('claimgate: `random` must be a function.');
  }
  const resolved: Resolved = {
    timeoutDuration: duration('timeoutDuration', 1),
    cooldownDuration: duration('cooldownDuration', 0),
    cacheMaxAge: duration('cacheMaxAge', 0),
    refreshJitter,
    maxStaleAge: duration('maxStaleAge', 1),
    outageBackoff: duration('outageBackoff', 1),
    maxOutageBackoff: duration('maxOutageBackoff', 1),
    maxResponseBytes: duration('maxResponseBytes', 1),
    maxKeys: duration('maxKeys', 1),
    headers: { ...options.headers },
    allowInsecureHttp: options.allowInsecureHttp === true,
    fetch: fetchImpl,
    now: options.now ?? Date.now,
    random,
  };
  if (resolved.maxOutageBackoff < resolved.outageBackoff) {
    throw new TypeError('claimgate: `maxOutageBackoff` must be at least `outageBackoff`.');
  }
  if (resolved.maxStaleAge < resolved.cacheMaxAge) {
    const which = options.maxStaleAge === undefined ? ', the default' : '';
    throw new TypeError(
      `claimgate: \`maxStaleAge\` (${resolved.maxStaleAge} ms${which}) must be at least \`cacheMaxAge\` (${resolved.cacheMaxAge} ms).`,
    );
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
  /** From when on the set is refreshed in the background: `cacheMaxAge` after `loadedAt`, less jitter. */
  readonly refreshAt: number;
  /** What the usable keys are, independent of their order: equal strings, equal verdicts. */
  readonly fingerprint: string;
}

/**
 * Creates the {@link ImportedKeySource} of a remote JWKS, on jose's `createRemoteJWKSet` (request, timeout,
 * JWK Set validation), with the policy jose leaves to its caller:
 *
 * - cold start and warm-up: concurrent requests share one fetch;
 * - rotation: an unknown `kid` refetches at most once per `cooldownDuration`, then is `TOKEN_INVALID`;
 * - background refresh: a cache older than `cacheMaxAge` (less a random `refreshJitter` share,
 *   drawn per fetch, so that instances started together spread their refreshes) is refreshed in
 *   the background while the cached keys keep answering;
 * - stale-if-error: if that refresh fails the last good keys keep verifying tokens of known `kid`s,
 *   until they are `maxStaleAge` old; then they are no longer used: requests wait for a fetch as at
 *   a cold start, and while it fails tokens are `AUTH_UNAVAILABLE` with reason `stale` and
 *   `isReady()` is false, until a fetch succeeds;
 * - key generation: `keyGeneration()` moves on when a refetch brings a different set of usable keys
 *   and when the set passes `maxStaleAge`, so verified-token caches stop trusting what these keys
 *   verified; calling it also starts a due background refresh;
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
  /** See `ImportedKeySource.keyGeneration`: moves on when cached verdicts may no longer hold. */
  let generation = 0;
  /** The set for which passing `maxStaleAge` has already moved {@link generation} on. */
  let staleCounted: Loaded | undefined;

  const isBackingOff = () => now() < backoffUntil;
  /** Whether `keys` are past `maxStaleAge`: no longer used, even when the endpoint is down. */
  const isTooOld = (keys: Loaded) => now() - keys.loadedAt >= options.maxStaleAge;
  const unavailable = (): AuthUnavailableError => {
    const retryAfter = (backoffUntil - now()) / 1000;
    if (loaded !== undefined && isTooOld(loaded)) {
      const message = `claimgate: the keys from ${jwksUrl?.href ?? lastUrl} were fetched ${now() - loaded.loadedAt} ms ago, more than \`maxStaleAge\` (${options.maxStaleAge} ms), and the last refresh failed (${lastFailure}); they are no longer used.`;
      return new AuthUnavailableError('stale', {
        retryAfter,
        cause: new KeySourceError('stale', message, { cause: lastCause }),
      });
    }
    return new AuthUnavailableError(lastFailure, { retryAfter, cause: lastCause });
  };
  /** How much earlier than `cacheMaxAge` the next refresh is due, in ms: a random `refreshJitter` share. */
  const jitter = (): number => {
    if (options.refreshJitter === 0) return 0;
    const r = Math.min(Math.max(options.random(), 0), 1);
    return Math.floor(options.cacheMaxAge * options.refreshJitter * r);
  };

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
    const loadedAt = now();
    return {
      getKey: imported.getKey,
      loadedAt,
      refreshAt: loadedAt + options.cacheMaxAge - jitter(),
      fingerprint: fingerprintOf(imported.keys),
    };
  }

  /** One fetch at a time; every caller waiting for keys shares it. */
  function refresh(): Promise<Loaded> {
    pending ??= fetchKeys().then(
      (next) => {
        // A first load replaces nothing: no verdict can predate it. A refetch of the same keys
        // changes no verdict either. Any other change can: a withdrawn or replaced key makes its
        // tokens TOKEN_INVALID, and even an added one can make a token without `kid` ambiguous.
        if (loaded !== undefined && loaded.fingerprint !== next.fingerprint) generation += 1;
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

  /** Stale-while-revalidate: starts the background refresh once due; a failure only starts the backoff. */
  function refreshIfDue(keys: Loaded): void {
    if (now() >= keys.refreshAt && !isBackingOff()) refresh().catch(() => undefined);
  }

  async function current(): Promise<Loaded> {
    const keys = loaded;
    if (keys === undefined || isTooOld(keys)) {
      // Nothing usable: wait for a fetch, as at a cold start.
      if (pending !== undefined) return pending;
      if (isBackingOff()) throw unavailable();
      return refresh();
    }
    refreshIfDue(keys);
    return keys;
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
    isReady(): boolean {
      if (loaded === undefined) return false;
      // Readiness probes keep loaded keys fresh too, so an instance that receives no traffic (say,
      // taken out of rotation because its keys got too old) still recovers.
      refreshIfDue(loaded);
      return !isTooOld(loaded);
    },
    async warmUp(): Promise<void> {
      await current();
    },
    keyGeneration(): number {
      // Called on every verified-token cache hit: one clock read, no allocation.
      const keys = loaded;
      if (keys === undefined) return generation;
      const at = now();
      if (at - keys.loadedAt >= options.maxStaleAge) {
        if (staleCounted !== keys) {
          // No longer trusted: a verdict reached with these keys must be reached again.
          staleCounted = keys;
          generation += 1;
        }
      } else if (at >= keys.refreshAt) {
        refreshIfDue(keys);
      }
      return generation;
    },
  });
}

/**
 * An order-independent description of a set of JWKs: each key as JSON with its members sorted,
 * the keys sorted. Every member counts, so any change to a key changes the fingerprint.
 */
function fingerprintOf(keys: readonly JWK[]): string {
  return keys
    .map((key) => JSON.stringify(key, Object.keys(key).sort()))
    .sort()
    .join('\n');
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
