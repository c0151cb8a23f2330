import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { printSchemaFile } from '../../src/server/schema-file';

it('schema.graphql is what the code generates (run `npm run schema` after changing the API)', async () => {
  const committed = fs.readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
  expect(committed).toBe(await printSchemaFile());
});
