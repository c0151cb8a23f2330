import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { Database } from '../../src/engines/db/database';

// The prediction log's writer thread has its own SQLite connection. A transaction on the main one
// that read first and wrote second failed at once with SQLITE_BUSY_SNAPSHOT when the writer
// committed in between (the busy timeout does not apply to it): deploys under predict traffic
// answered INTERNAL_SERVER_ERROR, found by the reliability suite's server-kill trials.
let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a transaction that reads, then writes after another connection committed, still commits', async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-lock-'));
  const file = path.join(dir, 'lock.sqlite');
  const db = await Database.open({ kind: 'sqlite', file }, { entities: [], migrations: [] });
  await db.write('CREATE TABLE pointer (id INTEGER PRIMARY KEY, value INTEGER)');
  await db.write('INSERT INTO pointer VALUES (1, 0)');
  const other = new Sqlite(file);
  // No waiting on this side: it must find the lock taken, not block this thread.
  other.pragma('busy_timeout = 0');
  let otherWrite: string | null = null;
  try {
    await db.transaction(async (manager) => {
      const [row] = await manager.query('SELECT value FROM pointer WHERE id = 1');
      try {
        other.prepare('INSERT INTO pointer VALUES (2, 0)').run();
        otherWrite = 'committed';
      } catch (error) {
        otherWrite = (error as { code?: string }).code ?? String(error);
      }
      await manager.query('UPDATE pointer SET value = ? WHERE id = 1', [row.value + 1]);
    });
    // The transaction held the write lock from its start, so the other writer had to wait.
    expect(otherWrite).toBe('SQLITE_BUSY');
    expect(await db.manager.query('SELECT value FROM pointer WHERE id = 1')).toEqual([{ value: 1 }]);
  } finally {
    other.close();
    await db.close();
  }
});
