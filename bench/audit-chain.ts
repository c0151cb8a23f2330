import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/core/config';
import { newId } from '../src/core/ids';
import { Database } from '../src/engines/db/database';
import { AuditEntry } from '../src/modules/auth/audit-entry.entity';
import { AuditService } from '../src/modules/auth/audit.service';
import { Role } from '../src/modules/shared/role';
import { databaseSchema } from '../src/server/registry';
import { onScratchMysql } from './lib/fixtures';
import { round } from './lib/training-data';
import { median } from './lib/training-run';

const CALLER = { keyId: 'key_bench', keyName: 'bench', principal: 'bench', role: Role.ADMIN, modelScope: null };
const ARGS = { input: { name: 'credit-default-mlp', description: 'a typical mutation argument document', hyperparameters: { epochs: 10, layers: [64, 64] } } };

/** `count` audit entries written by `concurrency` writers at once; entries per second. */
async function writeRate(write: () => Promise<void>, count: number, concurrency: number): Promise<number> {
  let left = count;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await write();
  }));
  return count / ((performance.now() - start) / 1000);
}

/**
 * The hash chain's cost on the audit trail: entries written through AuditService.record (lock
 * the head, hash, insert, move the head) against the insert it replaced (the same entry, no
 * chain), by 16 concurrent writers, alternating over 3 rounds; then verifyAuditLog's speed over
 * every entry written.
 */
async function chainOn(url: string, count: number, concurrency: number) {
  const db = await Database.open(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }).database, databaseSchema());
  try {
    const audit = new AuditService(db, { maxPageSize: 100 });
    const chained = () => audit.record({ caller: CALLER as never, operation: 'updateModel', args: ARGS, outcome: 'ok', requestId: 'bench', clientAddress: '127.0.0.1' });
    // What record() did before the chain: one insert in its own transaction.
    const plain = () => db.transaction(async (manager) => {
      await manager.insert(AuditEntry, Object.assign(new AuditEntry(), {
        id: newId(AuditEntry), actorKeyId: CALLER.keyId, actorName: CALLER.keyName, actorPrincipal: CALLER.principal, actorRole: CALLER.role,
        operation: 'updateModel', arguments: ARGS, outcome: 'ok', errorMessage: null, clientAddress: '127.0.0.1', requestId: 'bench', createdAt: new Date(),
      }));
    });
    const ratios: number[] = [];
    const rates = { chained: [] as number[], plain: [] as number[] };
    for (let round_ = 0; round_ < 3; round_++) {
      const order = round_ % 2 === 0 ? (['plain', 'chained'] as const) : (['chained', 'plain'] as const);
      const rate: Record<string, number> = {};
      for (const side of order) rate[side] = await writeRate(side === 'chained' ? chained : plain, count, concurrency);
      rates.chained.push(round(rate.chained, 0));
      rates.plain.push(round(rate.plain, 0));
      ratios.push(rate.chained / rate.plain);
    }
    // The plain entries are not chained: verify the chained ones only (they were written after a fresh head).
    await db.dataSource.query('DELETE FROM audit_log WHERE sequence IS NULL');
    const start = performance.now();
    const verification = await audit.verify(null, null);
    const seconds = (performance.now() - start) / 1000;
    return {
      entriesPerSecond: { chained: rates.chained, unchained: rates.plain },
      chainedVsUnchained: { median: round(median(ratios)), spread: [round(Math.min(...ratios)), round(Math.max(...ratios))] },
      verify: { ok: verification.ok, entries: verification.checkedEntries, seconds: round(seconds, 2), entriesPerSecond: round(verification.checkedEntries / seconds, 0) },
    };
  } finally {
    await db.close();
  }
}

export async function benchAuditChain() {
  const quick = process.env.BENCH_QUICK === '1';
  const count = quick ? 500 : 3000;
  const concurrency = 16;
  const results: Record<string, unknown> = { count, concurrency };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-audit-'));
  try {
    results.sqlite = await chainOn(`sqlite:${path.join(dir, 'bench.sqlite')}`, count, concurrency);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  results.mysql = await onScratchMysql((url) => chainOn(url, count, concurrency));
  return results;
}
