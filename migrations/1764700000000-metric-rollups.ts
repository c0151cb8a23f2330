import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Per-100-step min/max rollups of training metrics, kept as points are written, so a history of a
 * million points is drawn from ten thousand rows instead of a full scan.
 */
export class MetricRollups1764700000000 implements MigrationInterface {
  name = 'MetricRollups1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'training_metric_rollup',
      columns: [
        { ...c.ref('run_id'), isPrimary: true }, { ...c.string('name', 64), isPrimary: true }, { ...c.int('bucket'), isPrimary: true },
        c.int('n'), c.int('min_step'), c.double('min_value', false), c.int('max_step'), c.double('max_value', false),
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('training_metric_rollup');
  }
}
