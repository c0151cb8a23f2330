import { existsSync } from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/**
 * The folder of aimass's package.json, whether the code runs from src/ (tests) or dist/src/
 * (npm start): the first folder above this file that holds one.
 */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error('package.json not found');
  }
}
