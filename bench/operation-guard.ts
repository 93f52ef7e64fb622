// The cost of whole-operation enforcement per request: explain's walk of one operation, against
// graphql-js validation of the same document (which Apollo Server runs on every request anyway),
// measured in the same run. Run: `npx tsx bench/operation-guard.ts`.
import { getOperationAST, parse, validate } from 'graphql';
import { ANONYMOUS, type AuthState } from '../src/index.js';
import { explainResolvedOperation } from '../src/operations/explain-operation.js';
import { buildGuardedSchema, readFixture } from '../test/helpers/build-guarded-schema.js';
import { principalWith } from '../test/helpers/principal.js';

const schema = buildGuardedSchema(readFixture('library.graphql'));
const document = parse(`
  query ($flag: Boolean!) {
    open secret
    items { ... on Doc { id title body notes @include(if: $flag) } ... on Invoice { id price total } }
    nodes { ...N }
    docs { id title body }
    report { summary }
  }
  fragment N on Node { id ... on Priced { price } }
`);
const operation = getOperationAST(document);
if (operation === null || operation === undefined) throw new Error('no operation');
const variables = { flag: true };

const ITERATIONS = 20_000;
function measure(run: () => unknown): number {
  for (let i = 0; i < ITERATIONS / 10; i += 1) run(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i += 1) run();
  return Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
}

const callers: [string, AuthState][] = [
  ['anonymous', ANONYMOUS],
  [
    'all permissions',
    {
      status: 'authenticated',
      principal: principalWith(['admin', 'audit:read', 'billing:read', 'docs:write', 'editor']),
    },
  ],
];
const baseline = measure(() => validate(schema, document));
const rows = [
  ['case', 'µs/op', 'vs validate'],
  ['graphql validate (baseline)', baseline.toFixed(2), '1.00'],
];
for (const [name, auth] of callers) {
  for (const stopAtFirst of [false, true]) {
    const cost = measure(() =>
      explainResolvedOperation(schema, document, operation, variables, auth, stopAtFirst),
    );
    const label = stopAtFirst ? 'guard plugin (stops at first denial)' : 'explain (every denial)';
    rows.push([`${label}, ${name}`, cost.toFixed(2), (cost / baseline).toFixed(2)]);
  }
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
