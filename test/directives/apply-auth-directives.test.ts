import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import {
  execute,
  parse,
  subscribe,
  type ExecutionResult,
  type GraphQLEnumType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  AUTH_ERROR_CODES,
  applyAuthDirectives,
  authDirectivesTypeDefs,
  REQUIREMENT_EXTENSION,
  TokenExpiredError,
  type AuthState,
} from '../../src/index.js';

const user = (...permissions: string[]): AuthState => ({
  status: 'authenticated',
  principal: { subject: 'u', issuer: undefined, permissions: new Set(permissions), claims: {} },
});

function build(typeDefs: string, resolvers: IResolvers = {}): GraphQLSchema {
  return applyAuthDirectives(
    makeExecutableSchema({ typeDefs: [authDirectivesTypeDefs, typeDefs], resolvers }),
  );
}

async function run(
  schema: GraphQLSchema,
  query: string,
  auth: AuthState,
): Promise<ExecutionResult> {
  return execute({ schema, document: parse(query), contextValue: { auth } });
}

function denials(result: ExecutionResult): Record<string, unknown> {
  return Object.fromEntries(
    (result.errors ?? []).map((e) => [e.path?.join('.') ?? '', e.extensions['code']]),
  );
}

const typeDefs = /* GraphQL */ `
  type Query {
    open: String
    signedIn: String @auth
    admin: String @hasPermission(permission: "admin")
    either: String @hasPermission(anyOf: ["a", "b"])
    both: String @hasPermission(allOf: ["a", "b"])
    stacked: String @hasPermission(anyOf: ["a", "b"]) @hasPermission(permission: "c")
    vault: Vault
    items: [Item]
    invoices: [Billable]
    things: [Thing]
  }
  type Mutation {
    write: String @hasPermission(permission: "write")
  }
  type Vault @hasPermission(permission: "vault") {
    secret: String
    note: String @hasPermission(permission: "note")
  }
  interface Billable @hasPermission(permission: "billing") {
    amount: Int
  }
  interface Named {
    name: String @auth
  }
  type Item implements Billable & Named {
    id: ID
    amount: Int
    name: String
  }
  type Other {
    name: String
  }
  union Thing = Item | Other
`;

const resolvers: IResolvers = {
  Query: {
    open: () => 'open',
    signedIn: () => 'signedIn',
    admin: () => 'admin',
    either: () => 'either',
    both: () => 'both',
    stacked: () => 'stacked',
    vault: () => ({ secret: 's', note: 'n' }),
    items: () => [{ id: '1', amount: 5, name: 'item' }],
    invoices: () => [{ id: '1', amount: 5, name: 'item' }],
    things: () => [{ id: '1', amount: 5, name: 'item' }, { name: 'other' }],
  },
  Mutation: { write: () => 'written' },
  Billable: { __resolveType: () => 'Item' },
  Named: { __resolveType: () => 'Item' },
  Thing: { __resolveType: (v: { id?: string }) => (v.id === undefined ? 'Other' : 'Item') },
};

describe('applyAuthDirectives', () => {
  const schema = build(typeDefs, resolvers);

  it('guards root fields with @auth and @hasPermission and leaves public fields alone', async () => {
    const query = '{ open signedIn admin either both stacked }';
    expect(denials(await run(schema, query, ANONYMOUS))).toEqual({
      signedIn: 'UNAUTHENTICATED',
      admin: 'UNAUTHENTICATED',
      either: 'UNAUTHENTICATED',
      both: 'UNAUTHENTICATED',
      stacked: 'UNAUTHENTICATED',
    });
    const partial = await run(schema, query, user('b', 'c'));
    expect(partial.data).toEqual({
      open: 'open',
      signedIn: 'signedIn',
      admin: null,
      either: 'either',
      both: null,
      stacked: 'stacked',
    });
    expect(denials(partial)).toEqual({ admin: 'FORBIDDEN', both: 'FORBIDDEN' });
    const all = await run(schema, query, user('admin', 'a', 'b', 'c'));
    expect(all.errors).toBeUndefined();
  });

  it('reports the failed requirement and coordinate of a FORBIDDEN field', async () => {
    const result = await run(schema, '{ both }', user('a'));
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'FORBIDDEN',
      coordinate: 'Query.both',
      requirement: { anyOf: ['b'] },
    });
    expect(result.errors?.[0]?.message).toBe('Permission denied.');
  });

  it('raises the token’s own error for a refused token', async () => {
    const expired: AuthState = {
      status: 'failed',
      principal: null,
      error: new TokenExpiredError(),
    };
    const result = await run(schema, '{ open signedIn }', expired);
    expect(result.data).toEqual({ open: 'open', signedIn: null });
    expect(denials(result)).toEqual({ signedIn: 'TOKEN_EXPIRED' });
  });

  it('applies a type-level requirement to every field of the type, ANDed with field ones', async () => {
    const query = '{ vault { secret note } }';
    expect(denials(await run(schema, query, user()))).toEqual({
      'vault.secret': 'FORBIDDEN',
      'vault.note': 'FORBIDDEN',
    });
    expect(denials(await run(schema, query, user('vault')))).toEqual({ 'vault.note': 'FORBIDDEN' });
    expect(denials(await run(schema, query, user('note')))).toEqual({
      'vault.secret': 'FORBIDDEN',
      'vault.note': 'FORBIDDEN',
    });
    expect((await run(schema, query, user('vault', 'note'))).errors).toBeUndefined();
  });

  it('applies interface requirements to implementing types, with no bypass through the concrete type', async () => {
    // Item.amount is Billable's; Item.name is Named's field-level @auth; Item.id is public.
    const direct = await run(schema, '{ items { id amount name } }', ANONYMOUS);
    expect(denials(direct)).toEqual({
      'items.0.amount': 'UNAUTHENTICATED',
      'items.0.name': 'UNAUTHENTICATED',
    });
    expect(denials(await run(schema, '{ items { amount } }', user()))).toEqual({
      'items.0.amount': 'FORBIDDEN',
    });
    expect(
      (await run(schema, '{ items { amount name } }', user('billing'))).errors,
    ).toBeUndefined();
    const viaInterface = await run(schema, '{ invoices { amount } }', user());
    expect(denials(viaInterface)).toEqual({ 'invoices.0.amount': 'FORBIDDEN' });
  });

  it('has no bypass through a union or a fragment', async () => {
    const query = `{
      things { ... on Item { amount } ... on Other { name } }
      items { ...F }
    }
    fragment F on Billable { amount }`;
    const result = await run(schema, query, user());
    expect(denials(result)).toEqual({
      'things.0.amount': 'FORBIDDEN',
      'items.0.amount': 'FORBIDDEN',
    });
    expect(result.data).toEqual({
      things: [{ amount: null }, { name: 'other' }],
      items: [{ amount: null }],
    });
  });

  it('guards mutation fields before their resolver runs', async () => {
    let ran = 0;
    const guarded = build(typeDefs, {
      ...resolvers,
      Mutation: { write: () => String(++ran) },
    });
    const denied = await run(guarded, 'mutation { write }', user());
    expect(denials(denied)).toEqual({ write: 'FORBIDDEN' });
    expect(ran).toBe(0);
    expect((await run(guarded, 'mutation { write }', user('write'))).data).toEqual({ write: '1' });
  });

  it('guards subscribe before the source stream is created', async () => {
    let created = 0;
    const subSchema = build(
      `type Query { ok: String } type Subscription { ticks: Int @hasPermission(permission: "ticks") }`,
      {
        Subscription: {
          ticks: {
            subscribe: async function* () {
              created += 1;
              await Promise.resolve();
              yield { ticks: 1 };
            },
          },
        },
      },
    );
    const denied = await subscribe({
      schema: subSchema,
      document: parse('subscription { ticks }'),
      contextValue: { auth: user() },
    });
    expect('errors' in denied && denied.errors?.[0]?.extensions['code']).toBe('FORBIDDEN');
    expect(created).toBe(0);
    const allowed = await subscribe({
      schema: subSchema,
      document: parse('subscription { ticks }'),
      contextValue: { auth: user('ticks') },
    });
    expect(Symbol.asyncIterator in allowed).toBe(true);
    const iterator = (allowed as AsyncIterableIterator<ExecutionResult>)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ data: { ticks: 1 } });
    expect(created).toBe(1);
  });

  it('wraps the default resolver and leaves unprotected fields untouched', () => {
    const original = makeExecutableSchema({
      typeDefs: [authDirectivesTypeDefs, typeDefs],
      resolvers,
    });
    const openResolve = original.getQueryType()?.getFields()['open']?.resolve;
    const mapped = applyAuthDirectives(original);
    expect(mapped).not.toBe(original);
    expect(mapped.getQueryType()?.getFields()['open']?.resolve).toBe(openResolve);
    const vaultType = mapped.getType('Vault') as GraphQLObjectType;
    const secret = vaultType.getFields()['secret'];
    expect(secret?.resolve).toBeTypeOf('function');
    expect(secret?.extensions[REQUIREMENT_EXTENSION]).toEqual({ clauses: [['vault']] });
  });

  it('is idempotent: applying it twice checks once', async () => {
    const twice = applyAuthDirectives(schema);
    expect(denials(await run(twice, '{ both }', user('a')))).toEqual({ both: 'FORBIDDEN' });
    expect((await run(twice, '{ both }', user('a', 'b'))).errors).toBeUndefined();
  });

  it('refuses a @hasPermission with zero or two arguments, or an empty list, naming the coordinate', () => {
    const cases: [string, RegExp][] = [
      ['type Query { a: String @hasPermission }', /on Query\.a takes exactly one .* \(got none\)/],
      [
        'type Query { a: String @hasPermission(permission: "x", anyOf: ["y"]) }',
        /on Query\.a takes exactly one .* \(got permission and anyOf\)/,
      ],
      [
        'type Query { a: String @hasPermission(allOf: []) }',
        /allOf: …\) on Query\.a needs at least one/,
      ],
      [
        'type Query { a: String @hasPermission(permission: "") }',
        /on Query\.a needs at least one non-empty/,
      ],
      [
        'type Query { a: T } type T @hasPermission(anyOf: []) { b: String }',
        /on T needs at least one/,
      ],
      ['type Query { a: I } interface I { b: String @hasPermission }', /on I\.b takes exactly one/],
    ];
    for (const [sdl, message] of cases) {
      expect(() => build(sdl), sdl).toThrow(message);
    }
  });

  it('refuses a schema without the directive definitions', () => {
    expect(() =>
      applyAuthDirectives(makeExecutableSchema({ typeDefs: 'type Query { a: String }' })),
    ).toThrow(/add authDirectivesTypeDefs/);
  });

  it('fails closed when the context has no auth state', async () => {
    const result = await execute({
      schema,
      document: parse('{ open signedIn }'),
      contextValue: {},
    });
    expect(result.data).toEqual({ open: 'open', signedIn: null });
    expect(result.errors?.[0]?.message).toMatch(/context\.auth is missing/);
  });
});

describe('authDirectivesTypeDefs', () => {
  it('equals schema/auth.graphql', () => {
    const file = readFileSync(new URL('../../schema/auth.graphql', import.meta.url), 'utf8');
    expect(authDirectivesTypeDefs).toBe(file);
  });

  it('lists every AuthErrorCode in enum AuthErrorCode', () => {
    const schema = makeExecutableSchema({
      typeDefs: [authDirectivesTypeDefs, 'type Query { a: String }'],
    });
    const values = (schema.getType('AuthErrorCode') as GraphQLEnumType)
      .getValues()
      .map((v) => v.name);
    expect(values).toEqual([...AUTH_ERROR_CODES]);
  });
});
