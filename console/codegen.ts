import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The console's typed operations: every `graphql(...)` document under src/, checked against the
 * committed schema.graphql, as plain strings (no GraphQL runtime in the browser bundle). Part of
 * `npm run build`, so an operation the schema no longer answers fails the build.
 */
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  generates: {
    'src/gql/': {
      preset: 'client',
      config: { documentMode: 'string', useTypeImports: true, enumsAsTypes: true, scalars: { DateTimeISO: 'string', JSONObject: 'Record<string, unknown>' } },
      presetConfig: { fragmentMasking: false },
    },
  },
  errorsOnly: true,
};

export default config;
