#!/usr/bin/env node
// `npm run migration:create -- <module> <name>`, e.g. `-- training add-batch-metrics`: writes
// migrations/<timestamp>-<name>.ts from a template that uses the portable column helpers, and
// lists it in that module's definition (src/modules/<module>/<module>.module.ts), which is where
// the server finds every migration.
const fs = require('node:fs');
const path = require('node:path');

const [moduleName, name] = process.argv.slice(2);
const root = path.resolve(__dirname, '..');
const moduleFile = moduleName && path.join(root, 'src/modules', moduleName, `${moduleName}.module.ts`);
if (!moduleFile || !fs.existsSync(moduleFile) || !name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: npm run migration:create -- <module> <kebab-case-name>   (module: a folder of src/modules with a <module>.module.ts)');
  process.exit(2);
}
const stamp = Date.now();
const className = name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase()) + stamp;
const file = path.join(root, 'migrations', `${stamp}-${name}.ts`);
fs.writeFileSync(file, `import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

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

let text = fs.readFileSync(moduleFile, 'utf8');
const importLine = `import { ${className} } from '../../../migrations/${stamp}-${name}';\n`;
text = importLine + text;
if (/\n  migrations: \[/.test(text)) {
  text = text.replace(/\n  migrations: \[([^\]]*)\]/, (_, list) => `\n  migrations: [${list ? `${list}, ` : ''}${className}]`);
} else {
  text = text.replace(/\n  name: '[^']*',\n/, (line) => `${line}  migrations: [${className}],\n`);
}
if (!text.includes(`migrations: [`) || !text.includes(className + ']')) {
  console.error(`created ${path.relative(process.cwd(), file)}, but could not list it in ${path.relative(process.cwd(), moduleFile)}: add ${className} to its migrations`);
  process.exit(1);
}
fs.writeFileSync(moduleFile, text);
console.log(`created ${path.relative(process.cwd(), file)} and listed it in ${path.relative(process.cwd(), moduleFile)}`);
