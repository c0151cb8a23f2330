import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Database } from '../../src/engines/db/database';

// Found by the reliability suite's full-disk trials: a model answered as created was gone later.
// On SQLITE_FULL SQLite rolls the transaction back itself; TypeORM's ROLLBACK then fails ("no
// transaction is active") and its runner stays "in a transaction" at depth 1. Every later
// transaction became a SAVEPOINT, and the first to fail (ROLLBACK TO, which does not end a
// transaction) left one open for good: everything written after it was answered but never
// committed, and gone at the next restart or rollback.
function mountTmpfs(bytes: number): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

it('after a write refused for a full disk, later writes are committed (a tmpfs the test mounts; skipped where mounting is refused)', async (context) => {
  const dir = mountTmpfs(4 * 1024 * 1024);
  if (!dir) return context.skip();
  try {
    const file = path.join(dir, 'full.sqlite');
    const db = await Database.open({ kind: 'sqlite', file }, { entities: [], migrations: [] });
    await db.write('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
    const ballast = path.join(dir, 'ballast');
    for (const size of [65536, 1024]) {
      try { for (;;) fs.appendFileSync(ballast, Buffer.alloc(size)); } catch { /* full */ }
    }
    await expect(db.transaction((m) => m.query('INSERT INTO t (v) VALUES (?)', [Buffer.alloc(2_000_000, 7)]))).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    fs.rmSync(ballast);
    // A transaction that fails for its own reasons, then a write that is answered.
    await expect(db.transaction(async (m) => {
      await m.query('INSERT INTO t (v) VALUES (?)', [Buffer.from('rolled back')]);
      throw new Error('refused by the service');
    })).rejects.toThrow('refused by the service');
    await db.transaction((m) => m.query('INSERT INTO t (v) VALUES (?)', [Buffer.from('kept')]));
    await db.close();
    const again = await Database.open({ kind: 'sqlite', file }, { entities: [], migrations: [] });
    const rows = await again.manager.query('SELECT CAST(v AS TEXT) AS v FROM t');
    await again.close();
    expect(rows).toEqual([{ v: 'kept' }]);
  } finally {
    execFileSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
