import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Realised outcomes: what really happened to a served prediction, one per prediction. */
export class Outcomes1765600000000 implements MigrationInterface {
  name = 'Outcomes1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'outcome',
      columns: [c.id(), c.ref('model_id'), c.ref('prediction_id'), c.string('actual', 200), c.timestamp('observed_at'), c.timestamp('recorded_at'), c.ref('recorded_by', true)],
      indices: [
        new TableIndex({ name: 'ux_outcome_prediction', columnNames: ['prediction_id'], isUnique: true }),
        new TableIndex({ name: 'ix_outcome_model', columnNames: ['model_id'] }),
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outcome');
  }
}
