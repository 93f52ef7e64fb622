// `npm run bench [-- verify field http security guard]`: prints Markdown tables (copied into the README).
// Not part of `npm test`. Sections run in order; pass names to run a subset.
// BENCH_ROUNDS (default 11) sets the interleaved rounds of the in-process sections;
// BENCH_HTTP_ROUNDS (default 7) and BENCH_HTTP_SECONDS (default 4) those of the HTTP section.
import { cpus, loadavg } from 'node:os';
import { benchFieldCost } from './field-cost.js';
import { benchHttp } from './http.js';
import { benchOperationGuard } from './operation-guard.js';
import { benchSecurity } from './security-overhead.js';
import { benchVerify } from './verify.js';

const sections = process.argv.slice(2);
const wants = (name: string) => sections.length === 0 || sections.includes(name);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 11);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

console.log(
  `claimgate bench — ${new Date().toISOString()}, Node ${process.version}, ` +
    `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average (1/5/15 min) ${load()}\n`,
);
if (wants('verify')) console.log(await benchVerify(rounds), '\n');
if (wants('field')) console.log(await benchFieldCost(rounds), '\n');
if (wants('http')) {
  console.log(
    await benchHttp({
      rounds: Number(process.env['BENCH_HTTP_ROUNDS'] ?? 7),
      durationSeconds: Number(process.env['BENCH_HTTP_SECONDS'] ?? 4),
      connections: 10,
    }),
    '\n',
  );
}
if (wants('security')) console.log(await benchSecurity(rounds), '\n');
if (wants('guard')) console.log(await benchOperationGuard(rounds), '\n');
console.log(`finished ${new Date().toISOString()}, load average ${load()}`);
