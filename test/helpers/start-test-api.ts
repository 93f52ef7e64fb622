import { ApolloServer, type ApolloServerOptions } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import {
  applyAuthDirectives,
  authDirectivesTypeDefs,
  createAuthContext,
  type ApplyAuthDirectivesOptions,
  type AuthContext,
  type AuthContextOptions,
} from '../../src/index.js';

/** A running Apollo Server with claimgate on 127.0.0.1 and a random port. */
export interface TestApi {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts Apollo Server 5 (standalone) on 127.0.0.1:0 with `typeDefs` guarded by claimgate's
 * directives and the context of `createAuthContext(contextOptions)`.
 */
export async function startTestApi(options: {
  readonly typeDefs: string;
  readonly resolvers?: IResolvers;
  readonly context: AuthContextOptions;
  /** `formatError` and `plugins` for Apollo Server (e.g. claimgate's). */
  readonly formatError?: ApolloServerOptions<AuthContext>['formatError'];
  readonly plugins?: ApolloServerOptions<AuthContext>['plugins'];
  /** Options of `applyAuthDirectives` (e.g. `denyByDefault`). */
  readonly directives?: ApplyAuthDirectivesOptions;
}): Promise<TestApi> {
  const schema = applyAuthDirectives(
    makeExecutableSchema({
      typeDefs: [authDirectivesTypeDefs, options.typeDefs],
      ...(options.resolvers === undefined ? {} : { resolvers: options.resolvers }),
    }),
    options.directives,
  );
  const server = new ApolloServer<AuthContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    ...(options.formatError === undefined ? {} : { formatError: options.formatError }),
    ...(options.plugins === undefined ? {} : { plugins: options.plugins }),
  });
  const authContext = createAuthContext(options.context);
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: ({ req }) => authContext({ req }),
  });
  return { url, stop: () => server.stop() };
}
