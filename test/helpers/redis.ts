import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createClient } from 'redis';

/** The machine's shared Redis, used by store tests with a per-run key prefix. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix unique to this test run, e.g. `claimgate-test:9f0c…:`. */
export function uniqueKeyPrefix(): string {
  return `claimgate-test:${randomUUID()}:`;
}

/** Deletes every key under `prefix` on `url` (SCAN, never KEYS). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server this test started on its own port, to stop, pause and restart. */
export interface OwnRedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/** How long `redis-server` may take to start or to exit, in ms, before it is killed. */
export const REDIS_PROCESS_TIMEOUT_MS = 10_000;

/**
 * Starts `redis-server` on a free port without persistence, and waits until it accepts
 * connections (at most {@link REDIS_PROCESS_TIMEOUT_MS}: then the process is killed and the
 * promise rejects). Call `stop()` in `afterAll`.
 */
export async function startOwnRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(
          new Error(
            `redis-server on port ${port} was not ready within ${REDIS_PROCESS_TIMEOUT_MS} ms and was killed: ${output.slice(-500)}`,
          ),
        );
      }, REDIS_PROCESS_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`));
      });
      proc.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      const proc = child;
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGCONT');
      proc.kill('SIGTERM');
      // A redis-server that ignores SIGTERM is killed rather than waited for without end.
      const timer = setTimeout(() => proc.kill('SIGKILL'), REDIS_PROCESS_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}
