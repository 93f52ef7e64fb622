// Section 3: the cost of one protected field, measured with graphql-js `execute` (no HTTP) on the
// protected-list workload: 200 items × 5 fields = 1,000 protected fields per operation.
import { randomBytes } from 'node:crypto';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { jwtVerify, SignJWT } from 'jose';
import type { AuthState } from '../src/index.js';
import {
  formatNumber,
  markdownTable,
  measureInterleaved,
  summarize,
  type BenchCase,
} from './lib/measure.js';
import {
  asyncWrapperSchema,
  claimgateSchema,
  ITEM_FIELDS,
  itemsQuery,
  passThroughSchema,
  plainSchema,
  recipeSchema,
  shieldSchema,
} from './lib/workload.js';

const ITEMS = 200;
const FIELDS = ITEMS * ITEM_FIELDS.length;

const AUTHENTICATED: AuthState = Object.freeze({
  status: 'authenticated',
  principal: Object.freeze({
    subject: 'user-1',
    issuer: undefined,
    permissions: new Set<string>(),
    claims: Object.freeze({ sub: 'user-1' }),
  }),
});

/** Runs section 3 and returns its Markdown. */
export async function benchFieldCost(rounds: number): Promise<string> {
  const secret = randomBytes(32);
  const key = await crypto.subtle.importKey(
    'raw',
    secret,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const token = await new SignJWT({ sub: 'user-1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('2h')
    .sign(secret);
  const getUser = async (t: string | undefined) =>
    t === undefined ? null : (await jwtVerify(t, key, { algorithms: ['HS256'] })).payload;

  const document = parse(itemsQuery(ITEMS));
  const variants: { name: string; schema: GraphQLSchema; context: () => object }[] = [
    { name: 'unprotected (baseline)', schema: plainSchema(), context: () => ({}) },
    {
      name: 'sync pass-through wrapper, no check',
      schema: passThroughSchema(),
      context: () => ({}),
    },
    {
      name: 'claimgate (sync check)',
      schema: claimgateSchema(),
      context: () => ({ auth: AUTHENTICATED }),
    },
    {
      name: 'claimgate with an observer',
      schema: claimgateSchema({ onDenial: () => undefined }),
      context: () => ({ auth: AUTHENTICATED }),
    },
    {
      name: 'async wrapper (one promise per field)',
      schema: asyncWrapperSchema(),
      context: () => ({ user: {} }),
    },
    {
      name: 'graphql-shield isAuthenticated',
      schema: shieldSchema(),
      context: () => ({ user: {} }),
    },
    {
      name: 'graphql-tools recipe (JWT lookup per field)',
      schema: recipeSchema(getUser),
      context: () => ({ token }),
    },
  ];
  const run = (schema: GraphQLSchema, context: object) =>
    execute({ schema, document, contextValue: context }) as
      ExecutionResult | Promise<ExecutionResult>;
  for (const v of variants) {
    const result = await run(v.schema, v.context());
    const items = result.data?.['items'];
    if (result.errors !== undefined || !Array.isArray(items) || items.length !== ITEMS) {
      throw new Error(
        `bench: ${v.name} did not resolve the workload: ${JSON.stringify(result.errors)}`,
      );
    }
  }
  const cases: BenchCase[] = variants.map((v) => ({
    name: v.name,
    run: async (n) => {
      for (let i = 0; i < n; i += 1) {
        const result = run(v.schema, v.context());
        if (result instanceof Promise) await result;
      }
    },
  }));
  const samples = await measureInterleaved(cases, { rounds, runMs: 120 });
  const base = summarize(samples.get(variants[0]?.name ?? '') ?? []).median;
  const rows = cases.map((c) => {
    const s = summarize(samples.get(c.name) ?? []);
    return [
      c.name,
      formatNumber(s.median / 1e6, 2),
      `${formatNumber(s.min / 1e6, 2)}–${formatNumber(s.max / 1e6, 2)}`,
      `${(s.median / base).toFixed(2)}×`,
      c.name.startsWith('unprotected') ? '—' : formatNumber((s.median - base) / FIELDS, 0),
    ];
  });
  return [
    `### 3. Per-field cost of a protected field (graphql-js execute, ${FIELDS.toLocaleString('en-US')} protected fields per operation, median of ${rounds} interleaved runs)\n`,
    markdownTable(
      ['variant', 'median ms/op', 'min–max ms/op', 'vs unprotected', 'ns per field'],
      rows,
    ),
  ].join('\n');
}
