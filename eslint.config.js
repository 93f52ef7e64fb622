import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const noGraphQL = {
  patterns: [
    {
      group: ['graphql', 'graphql/*', '@graphql-tools/*', '@apollo/*'],
      message:
        'token/, keys/, policy/, stores/, security/ and errors/auth-error stay free of GraphQL (CONVENTIONS.md).',
    },
  ],
};
const noTestHelpers = {
  group: ['**/test/**'],
  message: 'src/ never imports test helpers.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'src/server/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-cycle': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-expect-error': 'allow-with-description', minimumDescriptionLength: 8 },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noTestHelpers] }] },
  },
  {
    // The CLI is a client of the library: it imports it only through src/index.ts (CONVENTIONS.md).
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noTestHelpers,
            {
              group: [
                'token',
                'keys',
                'policy',
                'directives',
                'errors',
                'context',
                'operations',
                'testing',
                'codegen',
              ].map((folder) => `**/${folder}/**`),
              message: 'src/cli uses the library only through src/index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/token/**/*.ts',
      'src/keys/**/*.ts',
      'src/policy/**/*.ts',
      'src/stores/**/*.ts',
      'src/security/**/*.ts',
      'src/errors/auth-error.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noGraphQL.patterns, noTestHelpers] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { console: 'readonly', process: 'readonly' },
    },
  },
  {
    // Plain Node scripts (scripts/, bin/): Node's globals.
    files: ['**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
);
