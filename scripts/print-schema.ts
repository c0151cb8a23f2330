import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchemaFile } from '../src/server/schema-file';

/** `npm run schema`: writes schema.graphql from the code. */
async function main() {
  const file = path.resolve(__dirname, '../../schema.graphql');
  writeFileSync(file, await printSchemaFile());
  console.log(`wrote ${file}`);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
