import fs from 'node:fs';
import path from 'node:path';

/**
 * The compiled form of a process or thread entry point, e.g. `training/train-process.js`: next to
 * the caller in dist/, or in dist/ when the caller runs from src/ (tests run TypeScript sources but
 * start children from `npm run build`'s output).
 */
export function compiledScript(relative: string): string {
  const beside = path.resolve(__dirname, relative);
  if (fs.existsSync(beside)) return beside;
  const compiled = path.resolve(__dirname, '../dist/src', relative);
  if (fs.existsSync(compiled)) return compiled;
  throw new Error(`${relative} not found: run \`npm run build\` first`);
}
