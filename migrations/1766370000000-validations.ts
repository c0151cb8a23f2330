import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Independent validations of model versions and their findings. */
export class Validations1766370000000 implements MigrationInterface {
  name = 'Validations1766370000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'validation',
      columns: [
        c.id(), c.ref('model_id'), c.ref('model_version_id'), c.text('scope', false), c.string('state', 20), c.string('opened_by', 200), c.timestamp('created_at'),
        c.string('conclusion', 30, true), c.text('statement'), c.string('concluded_by', 200, true), c.timestamp('concluded_at', true),
      ],
      indices: [
        new TableIndex({ name: 'ix_validation_model', columnNames: ['model_id', 'created_at'] }),
        new TableIndex({ name: 'ix_validation_version', columnNames: ['model_version_id'] }),
      ],
      foreignKeys: [
        { columnNames: ['model_id'], referencedTableName: 'model', referencedColumnNames: ['id'] },
        { columnNames: ['model_version_id'], referencedTableName: 'model_version', referencedColumnNames: ['id'] },
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'validation_finding',
      columns: [
        c.id(), c.ref('validation_id'), c.ref('model_id'), c.string('severity', 10), c.text('description', false), c.string('status', 20), c.string('owner', 200),
        c.timestamp('due_at'), c.text('resolution_note'), c.string('recorded_by', 200), c.timestamp('created_at'), c.timestamp('updated_at'),
      ],
      indices: [
        new TableIndex({ name: 'ix_validation_finding_validation', columnNames: ['validation_id'] }),
        new TableIndex({ name: 'ix_validation_finding_model', columnNames: ['model_id', 'status'] }),
      ],
      foreignKeys: [{ columnNames: ['validation_id'], referencedTableName: 'validation', referencedColumnNames: ['id'] }],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('validation_finding');
    await queryRunner.dropTable('validation');
  }
}
