import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every operation in examples.graphql, from the committed schema.graphql:
 * `npm run clients:check` regenerates them and type-checks the example client, so a schema change
 * that breaks a documented operation fails CI.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples.graphql'],
  generates: {
    'clients/typescript/src/gql/': {
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTimeISO: 'string', JSONObject: 'Record<string, unknown>', FloatList: '(number | null)[]', StringList: '(string | null)[]' } },
    },
  },
  errorsOnly: true,
};

export default config;
