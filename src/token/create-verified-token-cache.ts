import { hash } from 'node:crypto';

/** Bounds of a verified-token cache. Every bound holds at all times, not just eventually. */
export interface VerifiedTokenCacheOptions {
  /**
   * The most tokens kept; the least recently used one is evicted first.
   * @default 10000
   */
  readonly maxEntries?: number | undefined;
  /**
   * The most memory the entries may take, in bytes, by the estimate the caller passes to `set`
   * (the verifier counts 2 × the token's length + 512 bytes per token).
   * @default 16777216 (16 MiB)
   */
  readonly maxBytes?: number | undefined;
}

/** Default of {@link VerifiedTokenCacheOptions.maxEntries}. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
/** Default of {@link VerifiedTokenCacheOptions.maxBytes}, in bytes (16 MiB). */
export const DEFAULT_CACHE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A bounded cache of values derived from verified tokens. Entries are keyed by a SHA-256 digest of
 * the exact token string, so a token is never kept in memory and each key is 44 bytes however long
 * the token is; two string forms of one token are two entries. An entry expires at the instant the
 * caller gives (`expiresAt`, in epoch milliseconds): a lookup at or after it misses.
 */
export interface VerifiedTokenCache<T> {
  /** The cache key of `token`: its SHA-256 digest in base64 (about 1 µs for a 1 KB token). */
  keyOf(token: string): string;
  /** The value stored under `key`, unless it expired at or before `nowMs` (epoch milliseconds). */
  get(key: string, nowMs: number): T | undefined;
  /**
   * Stores `value` under `key` until `expiresAtMs`, evicting least recently used entries to keep
   * within the bounds. Nothing is stored when the entry has already expired at `nowMs`, or when
   * `bytes` alone exceeds `maxBytes`.
   */
  set(key: string, value: T, expiresAtMs: number, bytes: number, nowMs: number): void;
  /** Removes the entry under `key`, if any. */
  delete(key: string): void;
  /** Removes every entry. */
  clear(): void;
  /** The number of entries held (expired ones included until they are looked up or evicted). */
  readonly size: number;
  /** The sum of the entries' byte estimates. */
  readonly bytes: number;
}

interface Entry<T> {
  readonly value: T;
  readonly expiresAtMs: number;
  readonly bytes: number;
}

/**
 * Creates a {@link VerifiedTokenCache} bounded by entries and bytes, with least-recently-used
 * eviction (a JavaScript `Map` keeps insertion order; a hit re-inserts its entry at the end).
 * @throws TypeError when a bound is not a positive integer.
 */
export function createVerifiedTokenCache<T>(
  options: VerifiedTokenCacheOptions = {},
): VerifiedTokenCache<T> {
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  const maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
  for (const [name, value] of [
    ['maxEntries', maxEntries],
    ['maxBytes', maxBytes],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(
        `claimgate: \`cache.${name}\` must be a positive integer (got ${String(value)}); use \`cache: false\` to turn the cache off.`,
      );
    }
  }
  const entries = new Map<string, Entry<T>>();
  let totalBytes = 0;

  const remove = (key: string, entry: Entry<T>): void => {
    entries.delete(key);
    totalBytes -= entry.bytes;
  };

  return {
    // A digest instead of the token itself: memory per key is fixed, and a heap snapshot of the
    // server holds no replayable bearer token (RFC 6750 §5.2). The cache-key table of
    // `npm run bench -- verify` (bench/verify.ts) measures the cost.
    keyOf: (token) => hash('sha256', token, 'base64'),
    get(key, nowMs) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (nowMs >= entry.expiresAtMs) {
        remove(key, entry);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, expiresAtMs, bytes, nowMs) {
      if (nowMs >= expiresAtMs || bytes > maxBytes) return;
      const existing = entries.get(key);
      if (existing !== undefined) remove(key, existing);
      entries.set(key, { value, expiresAtMs, bytes });
      totalBytes += bytes;
      while (entries.size > maxEntries || totalBytes > maxBytes) {
        const oldest = entries.entries().next();
        if (oldest.done === true) break;
        remove(oldest.value[0], oldest.value[1]);
      }
    },
    delete(key) {
      const entry = entries.get(key);
      if (entry !== undefined) remove(key, entry);
    },
    clear() {
      entries.clear();
      totalBytes = 0;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return totalBytes;
    },
  };
}
