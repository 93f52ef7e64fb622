import type { CodegenConfig } from '@graphql-codegen/cli';
import * as permissionUnion from './src/codegen/permission-union-plugin.js';

// Resolver types for the example server. Inside a field guarded by @auth or @hasPermission the
// context is `Authenticated<ServerContext>`: `context.auth.principal` is non-null there.
//
// `Permission`: claimgate's codegen plugin emits a string-literal union of every permission the
// schema names, so a misspelt permission in code is a compile error. Applications list the plugin
// by its package name, `plugins: ['claimgate/codegen']`; this repository loads it from source.
const schema = ['schema/auth.graphql', 'schema/example.graphql'];

const config: CodegenConfig = {
  schema,
  pluginLoader: (name: string) =>
    name === 'claimgate/codegen' ? Promise.resolve(permissionUnion) : import(name),
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
    'src/server/generated/permissions.ts': {
      plugins: ['claimgate/codegen'],
    },
  },
};

export default config;
