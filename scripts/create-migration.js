#!/usr/bin/env node
// `npm run migration:create -- add-training-runs`: writes migrations/<timestamp>-<name>.ts from a
// template that uses the portable column helpers, and registers it in migrations/index.ts.
const fs = require('node:fs');
const path = require('node:path');

const name = process.argv[2];
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: npm run migration:create -- <kebab-case-name>');
  process.exit(2);
}
const stamp = Date.now();
const className = name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase()) + stamp;
const dir = path.resolve(__dirname, '../migrations');
const file = path.join(dir, `${stamp}-${name}.ts`);
fs.writeFileSync(file, `import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/db/column-types';

/** TODO: say what this migration adds and why. */
export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({ name: 'example', columns: [c.id(), c.timestamp('created_at')] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('example');
  }
}
`);
const index = path.join(dir, 'index.ts');
let text = fs.readFileSync(index, 'utf8');
text = text.replace(/\n\/\*\*/, `import { ${className} } from './${stamp}-${name}';\n\n/**`);
text = text.replace(/\];\s*$/, `, ${className}];\n`);
fs.writeFileSync(index, text);
console.log(`created ${path.relative(process.cwd(), file)} and registered it in migrations/index.ts`);
