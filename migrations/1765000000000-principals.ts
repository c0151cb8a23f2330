import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Principals: each API key belongs to a named person or service account, and the audit log
 * records it. Keys made before this get their own name as principal, so no two existing keys are
 * taken for the same person (maker-checker stays as strict as it was).
 */
export class Principals1765000000000 implements MigrationInterface {
  name = 'Principals1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('api_key', new TableColumn({ ...c.string('principal', 200), default: "''" }));
    await queryRunner.query('UPDATE api_key SET principal = name');
    await queryRunner.addColumn('audit_log', new TableColumn(c.string('actor_principal', 200, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('audit_log', 'actor_principal');
    await queryRunner.dropColumn('api_key', 'principal');
  }
}
