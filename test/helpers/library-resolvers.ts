import type { IResolvers } from '@graphql-tools/utils';

/** Calls of each mutation resolver, to prove that a rejected operation ran none. */
export interface ResolverCalls {
  publish: number;
}

/**
 * Resolvers for test/fixtures/library.graphql in which every field yields a value and every list
 * holds one object of each possible type, so field-level enforcement reaches every selection.
 */
export function createLibraryResolvers(calls: ResolverCalls = { publish: 0 }): IResolvers {
  const doc = { id: 'd1', title: 'Doc', body: 'Body', notes: 'Notes' };
  const invoice = { id: 'i1', price: 10, total: 12 };
  return {
    Query: {
      open: () => 'open',
      secret: () => 'secret',
      report: () => ({ summary: 'summary' }),
      items: () => [doc, invoice],
      nodes: () => [doc, invoice],
      docs: () => [doc],
      invoices: () => [invoice],
    },
    Mutation: {
      publish: (_source: unknown, { title }: { title: string }) => {
        calls.publish += 1;
        return { ...doc, title };
      },
    },
    Item: { __resolveType: (item: object) => ('total' in item ? 'Invoice' : 'Doc') },
    Node: { __resolveType: (item: object) => ('total' in item ? 'Invoice' : 'Doc') },
    Priced: { __resolveType: () => 'Invoice' },
  };
}
