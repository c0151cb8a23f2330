import fs from 'node:fs';
import path from 'node:path';

/** The source root (`src/` or `dist/src/`): this file sits in its `core/` folder. */
const SOURCE_ROOT = path.resolve(__dirname, '..');

/**
 * The compiled form of a process or thread entry point, named from the source root, e.g.
 * `engines/trainer/train-process.js`: in the same tree when it runs compiled (dist/src/), or in
 * dist/src/ when it runs from src/ (tests run TypeScript sources but start children from
 * `npm run build`'s output).
 */
export function compiledScript(relative: string): string {
  const beside = path.resolve(SOURCE_ROOT, relative);
  if (fs.existsSync(beside)) return beside;
  const compiled = path.resolve(SOURCE_ROOT, '../dist/src', relative);
  if (fs.existsSync(compiled)) return compiled;
  throw new Error(`${relative} not found: run \`npm run build\` first`);
}
