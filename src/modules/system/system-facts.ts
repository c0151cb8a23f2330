import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/package-root';
import type { Database } from '../../engines/db/database';

const cache = new WeakMap<Database, Promise<{ version: string; databaseVersion: string }>>();

/** Facts that do not change while the process runs, read once: the package and database versions. */
export function systemFacts(db: Database): Promise<{ version: string; databaseVersion: string }> {
  let facts = cache.get(db);
  if (facts) return facts;
  facts = (async () => {
    const version = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version as string;
    const query = db.kind === 'sqlite' ? 'SELECT sqlite_version() AS v' : 'SELECT VERSION() AS v';
    const [{ v }] = await db.dataSource.query(query);
    return { version, databaseVersion: String(v) };
  })();
  cache.set(db, facts);
  return facts;
}
