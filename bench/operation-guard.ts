// Section 5: the cost of whole-operation enforcement per request: explain's walk of one operation,
// against graphql-js validation of the same document (which Apollo Server runs on every request
// anyway), measured in the same run.
import { getOperationAST, parse, validate } from 'graphql';
import { ANONYMOUS, type AuthState } from '../src/index.js';
import { explainResolvedOperation } from '../src/operations/explain-operation.js';
import { buildGuardedSchema, readFixture } from '../test/helpers/build-guarded-schema.js';
import { principalWith } from '../test/helpers/principal.js';
import {
  formatNumber,
  markdownTable,
  measureInterleaved,
  summarize,
  type BenchCase,
} from './lib/measure.js';

/** Runs section 5 and returns its Markdown. */
export async function benchOperationGuard(rounds: number): Promise<string> {
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
  const BASELINE = 'graphql validate (baseline)';
  const cases: BenchCase[] = [
    {
      name: BASELINE,
      run(n) {
        for (let i = 0; i < n; i += 1) validate(schema, document);
      },
    },
  ];
  for (const [caller, auth] of callers) {
    for (const stopAtFirst of [false, true]) {
      const label = stopAtFirst ? 'guard plugin (stops at first denial)' : 'explain (every denial)';
      cases.push({
        name: `${label}, ${caller}`,
        run(n) {
          for (let i = 0; i < n; i += 1) {
            explainResolvedOperation(schema, document, operation, variables, auth, stopAtFirst);
          }
        },
      });
    }
  }
  const samples = await measureInterleaved(cases, { rounds });
  const base = summarize(samples.get(BASELINE) ?? []).median;
  const rows = cases.map(({ name }) => {
    const s = summarize(samples.get(name) ?? []);
    return [
      name,
      `${formatNumber(s.median / 1000, 2)} (${formatNumber(s.min / 1000, 2)}–${formatNumber(s.max / 1000, 2)})`,
      (s.median / base).toFixed(2),
    ];
  });
  return [
    `### 5. Whole-operation enforcement per request (median of ${rounds} interleaved rounds)`,
    '',
    markdownTable(['case', 'µs/operation (min–max)', 'vs validate'], rows),
  ].join('\n');
}
