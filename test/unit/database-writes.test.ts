import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/**
 * Writes that bypass Database.transaction and Database.write. On SQLite the server has one
 * connection and TypeORM one query runner on it, so such a write runs inside whatever transaction
 * another request has open, and is undone if that one rolls back (and a TypeORM save() there
 * starts a transaction the other request's then nests in). The two doors queue SQLite's
 * transactions and take the write lock first; the entity manager handed to a transaction's
 * callback (`manager`, `m`) is fine, `db.manager` and `dataSource` are for reads.
 */
const BYPASSES: [string, RegExp][] = [
  ['an entity-manager write on db.manager', /\.manager\s*\.\s*(save|insert|update|delete|remove|softRemove|softDelete|restore|recover|upsert|increment|decrement|clear)\s*\(/g],
  ['a query-builder write on db.manager', /\.manager\s*\.\s*createQueryBuilder\([^)]*\)\s*\.\s*(update|insert|delete|softDelete|restore)\s*\(/g],
  ['a raw writing statement on db.manager or dataSource', /(?:\.manager|dataSource)\s*\.\s*query\(\s*[`'"]\s*(INSERT|UPDATE|DELETE|REPLACE)\b/gi],
  ['a repository or query runner of its own', /\b(getRepository|createQueryRunner)\s*\(/g],
];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

it('every database write in src goes through Database.transaction or Database.write', () => {
  const found: string[] = [];
  const files = sources(path.join(root, 'src')).filter((file) => !file.endsWith(path.join('engines', 'db', 'database.ts')));
  expect(files.length).toBeGreaterThan(100);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [what, pattern] of BYPASSES) {
      for (const match of text.matchAll(pattern)) {
        const line = text.slice(0, match.index).split('\n').length;
        found.push(`${path.relative(root, file)}:${line}: ${what}`);
      }
    }
  }
  expect(found).toEqual([]);
});
