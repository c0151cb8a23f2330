import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Binary models' decision policies: thresholds per environment and reason codes per feature (adverse-action notices). */
export class DecisionPolicy1766380000000 implements MigrationInterface {
  name = 'DecisionPolicy1766380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'decision_policy',
      columns: [{ ...c.ref('model_id'), isPrimary: true }, c.text('thresholds', false), c.text('reasons', false), c.string('updated_by', 200, true), c.timestamp('updated_at')],
      foreignKeys: [{ columnNames: ['model_id'], referencedTableName: 'model', referencedColumnNames: ['id'] }],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('decision_policy');
  }
}
