// Section 2: end to end over HTTP. The servers run in one child process, autocannon in another
// (one per run), both on loopback; this process only orchestrates and waits.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatNumber, markdownTable, summarize } from './lib/measure.js';
import { itemsQuery } from './lib/workload.js';

interface Scenario {
  readonly name: string;
  readonly url: string;
  readonly token: string;
}

interface LoadResult {
  readonly requestsPerSecond: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const tsx = ['--import', 'tsx'];

/** Options of {@link benchHttp}. */
export interface HttpBenchOptions {
  readonly rounds: number;
  /** Seconds per measured run. */
  readonly durationSeconds: number;
  readonly connections: number;
}

/** Runs section 2 and returns its Markdown. */
export async function benchHttp(options: HttpBenchOptions): Promise<string> {
  const { rounds, durationSeconds, connections } = options;
  const server = spawn(process.execPath, [...tsx, here('./http/servers.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const scenarios = await readScenarios(server.stdout);
    const body = JSON.stringify({ query: itemsQuery(100) });
    for (const s of scenarios) await assertWorkload(s, body);
    const samples = new Map<string, LoadResult[]>(scenarios.map((s) => [s.name, []]));
    // Warm-up: JIT, connection pools and (for the cached scenarios) the cache.
    for (const s of scenarios) await load(s, body, 2, connections);
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < scenarios.length; i += 1) {
        const s = scenarios[(i + round) % scenarios.length];
        if (s === undefined) continue;
        const result = await load(s, body, durationSeconds, connections);
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`bench: ${s.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        }
        samples.get(s.name)?.push(result);
      }
    }
    return report(scenarios, samples, options);
  } finally {
    server.stdin.end();
  }
}

function report(
  scenarios: readonly Scenario[],
  samples: ReadonlyMap<string, readonly LoadResult[]>,
  { rounds, durationSeconds, connections }: HttpBenchOptions,
): string {
  const rps = (name: string) =>
    summarize((samples.get(name) ?? []).map((r) => r.requestsPerSecond));
  const baseline = rps(scenarios[0]?.name ?? '').median;
  const shield = scenarios.find((s) => s.name.startsWith('graphql-shield'));
  const shieldRps = shield === undefined ? Number.NaN : rps(shield.name).median;
  const rows = scenarios.map((s) => {
    const r = rps(s.name);
    const p50 = summarize((samples.get(s.name) ?? []).map((x) => x.latencyP50)).median;
    return [
      s.name,
      formatNumber(r.median, 0),
      `${formatNumber(r.min, 0)}–${formatNumber(r.max, 0)}`,
      `${((r.median / baseline) * 100).toFixed(1)} %`,
      `${(r.median / shieldRps).toFixed(2)}×`,
      formatNumber(p50, 0),
    ];
  });
  const targets: string[][] = [];
  for (const alg of ['HS256', 'RS256']) {
    const cached = scenarios.find((s) => s.name === `claimgate ${alg} cached`);
    if (cached === undefined) continue;
    const share = rps(cached.name).median / baseline;
    targets.push([
      `${alg} cached ≥ 97 % of no-auth throughput`,
      `${(share * 100).toFixed(1)} %`,
      share >= 0.97 ? 'met' : `missed by ${((0.97 - share) * 100).toFixed(1)} points`,
    ]);
    const ratio = rps(cached.name).median / shieldRps;
    targets.push([
      `${alg} cached ≥ 2× graphql-shield`,
      `${ratio.toFixed(2)}×`,
      ratio >= 2 ? 'met' : 'missed',
    ]);
    const cold = scenarios.find((s) => s.name.startsWith(`claimgate ${alg} cold`));
    if (cold !== undefined) {
      const coldRatio = rps(cold.name).median / shieldRps;
      targets.push([
        `${alg} cold ≥ 2× graphql-shield`,
        `${coldRatio.toFixed(2)}×`,
        coldRatio >= 2 ? 'met' : 'missed',
      ]);
    }
  }
  return [
    `### 2. End to end over HTTP (req/s; autocannon in its own process, ${connections} connections, ${durationSeconds} s per run, median of ${rounds} interleaved runs; a 100-item list, 500 protected fields per request)\n`,
    markdownTable(['server', 'median req/s', 'min–max', 'vs no auth', 'vs shield', 'p50 ms'], rows),
    '',
    markdownTable(['target', 'measured', 'result'], targets),
  ].join('\n');
}

async function readScenarios(stdout: NodeJS.ReadableStream): Promise<Scenario[]> {
  const lines = createInterface({ input: stdout });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as { scenarios: Scenario[] };
    return parsed.scenarios;
  }
  throw new Error('bench: the server process ended before it was ready');
}

async function assertWorkload(s: Scenario, body: string): Promise<void> {
  const response = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body,
  });
  const json = (await response.json()) as { data?: { items?: unknown[] }; errors?: unknown };
  if (response.status !== 200 || json.errors !== undefined || json.data?.items?.length !== 100) {
    throw new Error(`bench: ${s.name} did not serve the workload (${response.status})`);
  }
}

function load(
  s: Scenario,
  body: string,
  durationSeconds: number,
  connections: number,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...tsx,
        here('./http/load.ts'),
        s.url,
        s.token,
        String(durationSeconds),
        String(connections),
        body,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench: autocannon exited with ${String(code)}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
  });
}
