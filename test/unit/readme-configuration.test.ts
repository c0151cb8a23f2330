import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { RATE_LIMITED_ROLES } from '../../src/core/config';

const root = path.resolve(__dirname, '../..');

/** Every environment variable loadConfig reads: the quoted upper-case names handed to its parsers. */
function variablesRead(): string[] {
  const source = fs.readFileSync(path.join(root, 'src/core/config.ts'), 'utf8');
  const named = [...source.matchAll(/\b(?:integer|boolean|fraction|oneOf|origins|read)\(\s*'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]);
  return [...new Set([...named, ...RATE_LIMITED_ROLES.map((role) => `RATE_LIMIT_${role}`)])];
}

/** The variables the README's Configuration table names; `…_X` after `A_B_C` stands for `A_B_X`. */
function variablesDocumented(): Set<string> {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const out = new Set<string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const cell = line.split('|')[1];
    const names = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const prefix = names[0].replace(/_[A-Z0-9]+$/, '');
    for (const name of names) out.add(name.startsWith('…_') ? `${prefix}_${name.slice(2)}` : name);
  }
  return out;
}

it('the README\'s Configuration table lists every environment variable the server reads', () => {
  const read = variablesRead();
  expect(read.length).toBeGreaterThan(40);
  const documented = variablesDocumented();
  expect(read.filter((name) => !documented.has(name))).toEqual([]);
});
