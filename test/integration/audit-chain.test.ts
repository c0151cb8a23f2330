import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditChain1766350000000 } from '../../migrations/1766350000000-audit-chain';
import { auditEntryHash } from '../../src/modules/auth/audit-chain';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * The tamper-evident audit log: every entry chains to the one before it, verifyAuditLog finds a
 * change made in SQL, a deleted entry and a relinked one, concurrent writers keep one chain, and
 * the migration chains entries written before it.
 */
let server: TestServer;
const sql = (text: string, params: unknown[] = []) => server.services.db.dataSource.query(text, params);

const VERIFY = `query($from: DateTimeISO, $to: DateTimeISO) { verifyAuditLog(from: $from, to: $to) {
  ok checkedEntries firstSequence lastSequence headSequence headHash firstBreak { reason entryId sequence expected found } } }`;
const verify = async (variables: Record<string, unknown> = {}) => (await server.query(VERIFY, variables)).verifyAuditLog;

/** Audited calls: each createApiKey is one entry. */
async function audited(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await server.createKey('VIEWER');
}

async function entries(): Promise<{ id: string; sequence: number; previousHash: string; hash: string; createdAt: string }[]> {
  const { auditLog } = await server.query('{ auditLog(first: 100) { edges { node { id sequence previousHash hash createdAt } } } }');
  return auditLog.edges.map((edge: any) => edge.node).reverse();
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('the audit hash chain', () => {
  // Each test starts from an intact chain: tampering tests restore the rows they changed.
  beforeEach(async () => {
    expect((await verify()).ok).toBe(true);
  });

  it('links every entry to the one before it, from 1 without gaps, and verifies', async () => {
    await audited(3);
    const chain = await entries();
    expect(chain.length).toBeGreaterThanOrEqual(3);
    chain.forEach((entry, i) => {
      expect(entry.sequence).toBe(i + 1);
      expect(entry.previousHash).toBe(i === 0 ? '0'.repeat(64) : chain[i - 1].hash);
      expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    });
    const result = await verify();
    expect(result).toMatchObject({ ok: true, checkedEntries: chain.length, firstSequence: 1, lastSequence: chain.length, headSequence: chain.length, headHash: chain.at(-1)!.hash, firstBreak: null });
  });

  it('finds a field changed in SQL, at that entry, and only within the range asked', async () => {
    await audited(3);
    const chain = await entries();
    const target = chain[chain.length - 2];
    const [{ outcome }] = await sql('SELECT outcome FROM audit_log WHERE id = ?', [target.id]);
    await sql('UPDATE audit_log SET outcome = ? WHERE id = ?', ['FORBIDDEN', target.id]);
    try {
      const result = await verify();
      expect(result.ok).toBe(false);
      expect(result.firstBreak).toMatchObject({ reason: 'HASH_MISMATCH', entryId: target.id, sequence: target.sequence, found: target.hash });
      expect(result.checkedEntries).toBe(target.sequence - 1);
      // A range that ends before the changed entry does not read it.
      expect(await verify({ to: target.createdAt })).toMatchObject({ ok: true, lastSequence: target.sequence - 1 });
      // A range from the changed entry on starts there and finds it.
      expect((await verify({ from: target.createdAt })).firstBreak).toMatchObject({ reason: 'HASH_MISMATCH', entryId: target.id });
    } finally {
      await sql('UPDATE audit_log SET outcome = ? WHERE id = ?', [outcome, target.id]);
    }
  });

  it('finds a deleted entry in the middle and one deleted at the end', async () => {
    await audited(3);
    const chain = await entries();
    const [middle, last] = [chain[chain.length - 2], chain[chain.length - 1]];
    const copy = async (id: string) => (await sql('SELECT * FROM audit_log WHERE id = ?', [id]))[0];
    const restore = async (row: Record<string, unknown>) => {
      const columns = Object.keys(row);
      await sql(`INSERT INTO audit_log (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, columns.map((c) => row[c]));
    };
    const middleRow = await copy(middle.id);
    await sql('DELETE FROM audit_log WHERE id = ?', [middle.id]);
    try {
      expect((await verify()).firstBreak).toMatchObject({ reason: 'SEQUENCE_GAP', entryId: last.id, expected: String(middle.sequence), found: String(last.sequence) });
    } finally {
      await restore(middleRow);
    }
    const lastRow = await copy(last.id);
    await sql('DELETE FROM audit_log WHERE id = ?', [last.id]);
    try {
      expect((await verify()).firstBreak).toMatchObject({ reason: 'HEAD_MISMATCH', entryId: null, sequence: last.sequence });
    } finally {
      await restore(lastRow);
    }
  });

  it('finds an entry rewritten with a correct hash of its own, at the next entry', async () => {
    await audited(3);
    const chain = await entries();
    const [target, next] = [chain[chain.length - 2], chain[chain.length - 1]];
    const [row] = await sql('SELECT * FROM audit_log WHERE id = ?', [target.id]);
    const forged = { ...(await server.services.db.manager.findOneByOrFail('AuditEntry', { id: target.id })), outcome: 'ok', operation: 'viewer' };
    const forgedHash = auditEntryHash(forged as any);
    await sql('UPDATE audit_log SET outcome = ?, operation = ?, hash = ? WHERE id = ?', ['ok', 'viewer', forgedHash, target.id]);
    try {
      expect((await verify()).firstBreak).toMatchObject({ reason: 'PREVIOUS_HASH_MISMATCH', entryId: next.id, expected: forgedHash, found: target.hash });
    } finally {
      await sql('UPDATE audit_log SET outcome = ?, operation = ?, hash = ? WHERE id = ?', [row.outcome, row.operation, row.hash, target.id]);
    }
  });

  it('keeps one chain when many requests are audited at once', async () => {
    const { headSequence } = await verify();
    await Promise.all(Array.from({ length: 24 }, () => server.createKey('VIEWER')));
    const result = await verify();
    expect(result).toMatchObject({ ok: true, headSequence: headSequence + 24 });
    const [{ n, distinct }] = await sql('SELECT COUNT(*) AS n, COUNT(DISTINCT sequence) AS `distinct` FROM audit_log');
    expect(Number(distinct)).toBe(Number(n));
    expect(Number(n)).toBe(result.headSequence);
  });

  it('keeps a message cut inside a surrogate pair verifiable', async () => {
    await server.services.audit.record({ caller: null, operation: 'test', args: { note: '😀'.repeat(3) }, outcome: 'BAD_USER_INPUT', errorMessage: `${'x'.repeat(1999)}😀`, requestId: 'r1' });
    expect((await verify()).ok).toBe(true);
  });

  it('chains, on migrating, the entries written before the chain existed', async () => {
    const runner = server.services.db.dataSource.createQueryRunner();
    const migration = new AuditChain1766350000000();
    try {
      const before = await verify();
      await migration.down(runner);
      expect(Number((await sql('SELECT COUNT(*) AS n FROM audit_log'))[0].n)).toBe(before.headSequence);
      await migration.up(runner);
      const after = await verify();
      expect(after).toMatchObject({ ok: true, checkedEntries: before.headSequence, headSequence: before.headSequence });
      // The order is the ids' (time-sortable) order, as the entries were written.
      const ids = (await entries()).map((entry) => entry.id);
      expect(ids).toEqual([...ids].sort());
    } finally {
      await runner.release();
    }
  });
});
