import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types for the example server. Inside a field guarded by @auth or @hasPermission the
// context is `Authenticated<ServerContext>`: `context.auth.principal` is non-null there.
const config: CodegenConfig = {
  schema: ['schema/auth.graphql', 'schema/example.graphql'],
  generates: {
    'src/server/generated/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        useIndexSignature: false,
        enumsAsTypes: true,
        contextType: '../context.js#ServerContext',
        directiveContextTypes: [
          'auth#../context.js#Authenticated',
          'hasPermission#../context.js#Authenticated',
        ],
        mappers: {
          Me: '../context.js#MeModel',
          SecurityReport: '../context.js#SecurityReportModel',
          FailureCounts: '../context.js#FailureCountsModel',
        },
      },
    },
  },
};

export default config;
