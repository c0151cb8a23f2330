import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** API keys (hashes only) and the append-only audit log of mutations. */
export class ApiKeysAndAuditLog1764500000000 implements MigrationInterface {
  name = 'ApiKeysAndAuditLog1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'api_key',
      columns: [
        c.id(), c.string('name', 200), c.string('role', 20), c.text('model_scope'), c.string('prefix', 20), c.string('secret_hash', 64),
        c.ref('created_by', true), c.timestamp('created_at'), c.timestamp('revoked_at', true),
      ],
      indices: [new TableIndex({ name: 'uq_api_key_prefix', columnNames: ['prefix'], isUnique: true })],
    }));
    await queryRunner.createTable(new Table({
      name: 'audit_log',
      columns: [
        c.id(), c.ref('actor_key_id', true), c.string('actor_name', 200, true), c.string('actor_role', 20, true), c.string('operation', 100),
        c.text('arguments', false), c.string('outcome', 40), c.text('error_message'), c.string('client_address', 64, true),
        c.string('request_id', 100), c.timestamp('created_at'),
      ],
      indices: [
        new TableIndex({ name: 'ix_audit_log_operation', columnNames: ['operation'] }),
        new TableIndex({ name: 'ix_audit_log_actor', columnNames: ['actor_key_id'] }),
        new TableIndex({ name: 'ix_audit_log_created_at', columnNames: ['created_at'] }),
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_log');
    await queryRunner.dropTable('api_key');
  }
}
