import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** How a WebSocket connection ended: its close code and reason. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A graphql-ws client (real socket, `ws` implementation) that never retries, and its close. */
export interface TestWsClient {
  readonly client: Client;
  /** Resolves with the first close of the socket. */
  readonly closed: Promise<Closed>;
  /** Resolves when the server acknowledged the connection. */
  readonly connected: Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A `ws` WebSocket class that sends `headers` with the upgrade request (e.g. `X-Forwarded-For`),
 * for graphql-ws's `webSocketImpl`.
 */
export function webSocketWithHeaders(headers: Record<string, string>): unknown {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  };
}

/**
 * Connects to `url` at once (not lazily) with `connectionParams`, sending `headers` with the
 * upgrade request. Retries are off, so a close surfaces in `closed` and as the error of every
 * running subscription.
 */
export function connectTestClient(
  url: string,
  connectionParams?: Record<string, unknown>,
  headers?: Record<string, string>,
): TestWsClient {
  let onClosed: (closed: Closed) => void = () => undefined;
  let onConnected: () => void = () => undefined;
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url,
    webSocketImpl: headers === undefined ? WebSocket : webSocketWithHeaders(headers),
    lazy: false,
    retryAttempts: 0,
    ...(connectionParams === undefined ? {} : { connectionParams }),
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => onClosed(toClosed(event)),
    },
  });
  return { client, closed, connected, dispose: async () => client.dispose() };
}

/** Connects, and resolves with the close when the server refused the connection at init. */
export async function closeOfRefusedConnection(
  url: string,
  connectionParams?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<Closed & { readonly acknowledged: boolean }> {
  const client = connectTestClient(url, connectionParams, headers);
  let acknowledged = false;
  void client.connected.then(() => (acknowledged = true));
  const result = await client.closed;
  await client.dispose();
  return { ...result, acknowledged };
}

/** One `next` payload of a subscription. */
export type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** A running subscription: its results so far, and how it ended. */
export interface TestSubscription {
  readonly results: Result[];
  /**
   * Resolves when the n-th result has arrived; rejects if the subscription ends first, or after
   * `timeoutMs` without it.
   */
  nth(n: number, timeoutMs?: number): Promise<Result>;
  /** Resolves with `complete` or with the error (a close event) that ended the subscription. */
  readonly ended: Promise<
    { readonly kind: 'complete' } | { readonly kind: 'error'; error: unknown }
  >;
  unsubscribe(): void;
}

/** How long {@link TestSubscription.nth} waits by default, in ms (under vitest's test timeout). */
export const NTH_TIMEOUT_MS = 10_000;

type Ending = { readonly kind: 'complete' } | { readonly kind: 'error'; error: unknown };

/** Starts a subscription on `client` and records everything it receives. */
export function subscribe(client: Client, query: string): TestSubscription {
  const results: Result[] = [];
  const waiters = new Set<{
    n: number;
    resolve: (r: Result) => void;
    reject: (e: Error) => void;
  }>();
  let ending: Ending | undefined;
  let end: (value: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (end = resolve));
  const endedEarly = (n: number, how: Ending) =>
    new Error(
      `subscription ended (${how.kind === 'complete' ? 'complete' : `error: ${describeError(how.error)}`}) after ${results.length} result(s), before result ${n}`,
    );
  const finish = (how: Ending) => {
    ending ??= how;
    for (const waiter of waiters) waiter.reject(endedEarly(waiter.n, how));
    waiters.clear();
    end(how);
  };
  const unsubscribe = client.subscribe(
    { query },
    {
      next(result) {
        results.push(result);
        for (const waiter of waiters) {
          if (waiter.n !== results.length) continue;
          waiters.delete(waiter);
          waiter.resolve(result);
        }
      },
      error: (error) => finish({ kind: 'error', error }),
      complete: () => finish({ kind: 'complete' }),
    },
  );
  return {
    results,
    ended,
    unsubscribe,
    nth(n, timeoutMs = NTH_TIMEOUT_MS) {
      const result = results[n - 1];
      if (result !== undefined) return Promise.resolve(result);
      if (ending !== undefined) return Promise.reject(endedEarly(n, ending));
      return new Promise<Result>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `result ${n} did not arrive within ${timeoutMs} ms (${results.length} so far)`,
            ),
          );
        }, timeoutMs);
        const waiter = {
          n,
          resolve: (r: Result) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === 'object' && 'code' in error && 'reason' in error) {
    return `close ${String(error.code)} ${String(error.reason)}`;
  }
  return String(error);
}

/** The code and reason of a close event (graphql-ws passes the socket's event through). */
export function toClosed(event: unknown): Closed {
  if (event !== null && typeof event === 'object' && 'code' in event && 'reason' in event) {
    return { code: Number(event.code), reason: String(event.reason) };
  }
  throw new Error(`not a close event: ${String(event)}`);
}
