import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';
import { auditEntryHash, GENESIS_HASH } from '../src/modules/auth/audit-chain';

const BATCH = 500;

/** A stored time as a Date: MySQL's driver gives one; SQLite gives `YYYY-MM-DD HH:MM:SS.sss` in UTC (as TypeORM reads it). */
function storedDate(value: unknown): Date {
  if (value instanceof Date) return value;
  let text = String(value);
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d/.test(text)) text = text.replace(' ', 'T');
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text += 'Z';
  return new Date(text);
}

/**
 * A tamper-evident audit log: each entry stores its place in the chain, the previous entry's
 * hash and its own; one head row holds the last sequence and hash, and writers lock it to append.
 * Entries written before this migration are chained here, oldest first (ids are time-sortable).
 */
export class AuditChain1766350000000 implements MigrationInterface {
  name = 'AuditChain1766350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumns('audit_log', [
      new TableColumn({ name: 'sequence', type: 'bigint', isNullable: true }),
      new TableColumn(c.string('previous_hash', 64, true)),
      new TableColumn(c.string('hash', 64, true)),
    ]);
    await queryRunner.createIndex('audit_log', new TableIndex({ name: 'ux_audit_log_sequence', columnNames: ['sequence'], isUnique: true }));
    await queryRunner.createTable(new Table({
      name: 'audit_chain_head',
      columns: [
        { name: 'id', type: 'int', isPrimary: true },
        { name: 'sequence', type: 'bigint' },
        c.string('hash', 64),
      ],
    }));

    let sequence = 0;
    let previousHash = GENESIS_HASH;
    let after = '';
    for (;;) {
      const rows: Record<string, unknown>[] = await queryRunner.query(
        'SELECT id, actor_key_id, actor_name, actor_principal, actor_role, operation, arguments, outcome, error_message, client_address, request_id, created_at FROM audit_log WHERE id > ? ORDER BY id LIMIT ?',
        [after, BATCH],
      );
      for (const row of rows) {
        sequence++;
        const hash = auditEntryHash({
          sequence, previousHash, id: String(row.id), actorKeyId: row.actor_key_id as string | null, actorName: row.actor_name as string | null,
          actorPrincipal: row.actor_principal as string | null, actorRole: row.actor_role as string | null, operation: String(row.operation),
          arguments: JSON.parse(String(row.arguments)), outcome: String(row.outcome), errorMessage: row.error_message as string | null,
          clientAddress: row.client_address as string | null, requestId: String(row.request_id), createdAt: storedDate(row.created_at),
        });
        await queryRunner.query('UPDATE audit_log SET sequence = ?, previous_hash = ?, hash = ? WHERE id = ?', [sequence, previousHash, hash, row.id]);
        previousHash = hash;
      }
      if (rows.length < BATCH) break;
      after = String(rows[rows.length - 1].id);
    }
    await queryRunner.query('INSERT INTO audit_chain_head (id, sequence, hash) VALUES (1, ?, ?)', [sequence, previousHash]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_chain_head');
    await queryRunner.dropIndex('audit_log', 'ux_audit_log_sequence');
    await queryRunner.dropColumns('audit_log', ['sequence', 'previous_hash', 'hash']);
  }
}
