import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Run options and ownership for training on worker processes: `batch_metrics` (was held in the
 * starting process's memory, so a re-queued run lost it), `attempts` (starts of training; a run
 * whose worker stopped may start once more) and `worker_id` (the process that trains it).
 */
export class RunOptions1765100000000 implements MigrationInterface {
  name = 'RunOptions1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('training_run', new TableColumn(c.boolean('batch_metrics', false)));
    await queryRunner.addColumn('training_run', new TableColumn({ ...c.int('attempts'), default: 0 }));
    await queryRunner.addColumn('training_run', new TableColumn(c.string('worker_id', 200, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('training_run', 'worker_id');
    await queryRunner.dropColumn('training_run', 'attempts');
    await queryRunner.dropColumn('training_run', 'batch_metrics');
  }
}
