import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Robustness reports, kept on the model version so validators see them. */
export class Robustness1765700000000 implements MigrationInterface {
  name = 'Robustness1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'robustness_report',
      columns: [c.id(), c.ref('model_version_id'), c.ref('dataset_version_id'), c.string('metric', 20), c.double('baseline', true), c.int('row_count'), c.text('scenarios', false), c.text('features', false), c.ref('created_by', true), c.timestamp('created_at')],
      indices: [new TableIndex({ name: 'ix_robustness_version', columnNames: ['model_version_id'] })],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('robustness_report');
  }
}
