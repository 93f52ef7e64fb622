import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/claimgate.mjs', import.meta.url));

/** How a `claimgate` child process ended. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Environment variables on top of a clean one (PATH and HOME only). */
  readonly env?: Record<string, string>;
  /** Written to the child's standard input. */
  readonly stdin?: string;
  readonly cwd?: string;
  /**
   * How long the child may run before it is killed (SIGKILL) and the promise rejects, in ms.
   * Under vitest's 20 s test timeout, so a hung command fails with its output rather than a bare
   * timeout. @default 15000
   */
  readonly timeoutMs?: number;
}

/** The default {@link RunCliOptions.timeoutMs}. */
export const CLI_TIMEOUT_MS = 15_000;

/**
 * Runs `bin/claimgate.mjs` as a child process, as a user's shell would. Rejects, after killing
 * the child, when it has not exited within `timeoutMs`.
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? CLI_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `claimgate ${args.join(' ')} did not exit within ${timeoutMs} ms and was killed.\nstdout: ${stdout.slice(-1000)}\nstderr: ${stderr.slice(-1000)}`,
        ),
      );
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
