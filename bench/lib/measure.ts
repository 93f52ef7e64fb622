import { performance } from 'node:perf_hooks';

/** One thing to time: `run(n)` performs the operation `n` times. */
export interface BenchCase {
  readonly name: string;
  run(iterations: number): void | Promise<void>;
}

/** Per-case samples: one value per round, in nanoseconds per operation. */
export type Samples = ReadonlyMap<string, readonly number[]>;

/** Options of {@link measureInterleaved}. */
export interface MeasureOptions {
  /** How many rounds; each runs every case once. @default 7 */
  readonly rounds?: number;
  /** Target duration of one run of one case, in milliseconds. @default 200 */
  readonly runMs?: number;
}

/**
 * Times every case in interleaved rounds (round 1 runs A, B, C; round 2 runs B, C, A; ...), so a
 * slow period on the shared machine hits every case rather than one. The iteration count of each
 * case is calibrated once (which also warms the JIT up) to fill about `runMs`.
 */
export async function measureInterleaved(
  cases: readonly BenchCase[],
  options: MeasureOptions = {},
): Promise<Samples> {
  const rounds = options.rounds ?? 7;
  const runMs = options.runMs ?? 200;
  const iterations = new Map<string, number>();
  for (const c of cases) iterations.set(c.name, await calibrate(c, runMs));
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < cases.length; i += 1) {
      const c = cases[(i + round) % cases.length];
      if (c === undefined) continue;
      const n = iterations.get(c.name) ?? 1;
      const started = performance.now();
      await c.run(n);
      const elapsedMs = performance.now() - started;
      samples.get(c.name)?.push((elapsedMs * 1e6) / n);
    }
  }
  return samples;
}

async function calibrate(c: BenchCase, runMs: number): Promise<number> {
  let n = 1;
  for (;;) {
    const started = performance.now();
    await c.run(n);
    const elapsed = performance.now() - started;
    if (elapsed >= runMs / 4 || n >= 1 << 30) {
      return Math.max(1, Math.round((n * runMs) / Math.max(elapsed, 0.001)));
    }
    n *= elapsed < runMs / 40 ? 10 : 2;
  }
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** Median, minimum and maximum of one case's samples. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Summarises samples. */
export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Formats a number with `digits` significant decimals, for tables. */
export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(digits);
}

/** Renders a GitHub-flavoured Markdown table (copied into the README as is). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w) => '-'.repeat(Math.max(3, w))).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}
