import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Back-tests: a model version's decisions walked forward over a dataset version, with their figures. */
export class Backtests1765500000000 implements MigrationInterface {
  name = 'Backtests1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'backtest',
      columns: [
        c.id(), c.ref('model_id'), c.ref('model_version_id'), c.ref('dataset_version_id'), c.string('strategy', 20), c.text('parameters', false),
        c.timestamp('range_from', true), c.timestamp('range_to', true), c.string('status', 20), c.double('progress', false), c.text('error', true),
        c.int('row_count', true), c.text('metrics', true), c.text('benchmark', true), c.text('equity', true), c.text('trades', true), c.text('threshold_curve', true),
        c.ref('created_by', true), c.timestamp('created_at'), c.timestamp('finished_at', true),
      ],
      indices: [new TableIndex({ name: 'ix_backtest_version', columnNames: ['model_version_id'] })],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('backtest');
  }
}
