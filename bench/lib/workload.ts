// The protected-list workload shared by the HTTP and per-field benches: a 100-item list whose
// type carries a type-level @auth, so every field of every item is protected.
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { applyMiddleware } from 'graphql-middleware';
import { rule, shield } from 'graphql-shield';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { applyAuthDirectives, authDirectivesTypeDefs, type AuthObserver } from '../../src/index.js';

export const ITEM_FIELDS = ['id', 'name', 'price', 'inStock', 'category'] as const;

const typeDefs = /* GraphQL */ `
  type Query {
    items(first: Int = 100): [Item!]!
  }
  "Every field needs an authenticated caller (type-level @auth)."
  type Item @auth {
    id: ID!
    name: String!
    price: Float!
    inStock: Boolean!
    category: String!
  }
`;

/** The query every bench sends: `first` items with all their fields. */
export const itemsQuery = (first = 100) =>
  `{ items(first: ${first}) { ${ITEM_FIELDS.join(' ')} } }`;

const ITEMS = Array.from({ length: 1000 }, (_, i) => ({
  id: `item-${i}`,
  name: `Item number ${i}`,
  price: 10 + (i % 97) * 0.5,
  inStock: i % 3 !== 0,
  category: ['books', 'music', 'games', 'tools'][i % 4] ?? 'other',
}));

const resolvers = {
  Query: { items: (_: unknown, { first }: { first: number }) => ITEMS.slice(0, first) },
};

/** The schema without any auth: the `@auth` directives are declared but not applied. */
export function plainSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: [authDirectivesTypeDefs, typeDefs], resolvers });
}

/** claimgate: `applyAuthDirectives` compiles each field's requirement into a synchronous check. */
export function claimgateSchema(observer?: AuthObserver): GraphQLSchema {
  return applyAuthDirectives(plainSchema(), observer === undefined ? {} : { observer });
}

/**
 * graphql-shield with an `isAuthenticated` rule on every field of Item (a type-wide rule), cached
 * per request as its documentation recommends. Expects `context.user`.
 */
export function shieldSchema(): GraphQLSchema {
  const isAuthenticated = rule({ cache: 'contextual' })(
    (_parent, _args, context: { user?: unknown }) =>
      context.user !== undefined && context.user !== null,
  );
  return applyMiddleware(plainSchema(), shield({ Item: isAuthenticated }));
}

/**
 * The graphql-tools documentation's auth-directive recipe: every field of a type carrying the
 * directive looks the user up from the request's token (`getUser(context.token)`) and checks it.
 */
export function recipeSchema(
  getUser: (token: string | undefined) => Promise<unknown>,
): GraphQLSchema {
  const schema = plainSchema();
  const typeDirectives = new Map<string, unknown>();
  return mapSchema(schema, {
    [MapperKind.TYPE]: (type) => {
      const directive = getDirective(schema, type, 'auth')?.[0];
      if (directive !== undefined) typeDirectives.set(type.name, directive);
      return undefined;
    },
    [MapperKind.OBJECT_FIELD]: (fieldConfig, _fieldName, typeName) => {
      const directive =
        getDirective(schema, fieldConfig, 'auth')?.[0] ?? typeDirectives.get(typeName);
      if (directive === undefined) return fieldConfig;
      const { resolve = defaultFieldResolver } = fieldConfig;
      const guarded: GraphQLFieldResolver<unknown, { token?: string }> = async (
        source,
        args,
        context,
        info,
      ) => {
        const user = await getUser(context.token);
        if (user === null || user === undefined) throw new Error('not authorized');
        return resolve(source, args, context, info);
      };
      return { ...fieldConfig, resolve: guarded };
    },
  });
}

/** Every Item field wrapped in a synchronous pass-through: the cost of the wrapper alone. */
export function passThroughSchema(): GraphQLSchema {
  return mapSchema(plainSchema(), {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, _fieldName, typeName) => {
      if (typeName !== 'Item') return fieldConfig;
      const { resolve = defaultFieldResolver } = fieldConfig;
      const wrapped: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) =>
        resolve(source, args, context, info);
      return { ...fieldConfig, resolve: wrapped };
    },
  });
}

/** A claimgate-like synchronous check wrapped in an async function: the cost of one promise. */
export function asyncWrapperSchema(): GraphQLSchema {
  const schema = plainSchema();
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, _fieldName, typeName) => {
      if (typeName !== 'Item') return fieldConfig;
      const { resolve = defaultFieldResolver } = fieldConfig;
      const wrapped: GraphQLFieldResolver<unknown, { user?: unknown }> =
        // eslint-disable-next-line @typescript-eslint/require-await -- the promise is what is measured
        async function (source, args, context, info) {
          if (context.user === undefined) throw new Error('not authorized');
          return resolve(source, args, context, info);
        };
      return { ...fieldConfig, resolve: wrapped };
    },
  });
}
