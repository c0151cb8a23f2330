import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Sweeps, and the link from a training run to the sweep and trial that started it. A trial
 * number is unique within its sweep: two processes advancing one sweep cannot both create it.
 */
export class Sweeps1765200000000 implements MigrationInterface {
  name = 'Sweeps1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'sweep',
      columns: [
        c.id(), c.ref('model_id'), c.ref('dataset_version_id'), c.string('method', 20), c.text('parameters', false), c.text('base_hyperparameters', true), c.text('split', true),
        c.string('metric', 40), c.string('goal', 10), c.int('max_runs'), c.int('parallelism'), c.int('priority'), c.text('early_stopping', true), c.int('seed'),
        c.string('status', 20), c.double('progress', false), c.ref('best_run_id', true), c.double('best_value', true), c.text('error', true),
        c.ref('created_by', true), c.timestamp('created_at'), c.timestamp('finished_at', true),
      ],
      indices: [new TableIndex({ name: 'ix_sweep_model', columnNames: ['model_id'] }), new TableIndex({ name: 'ix_sweep_status', columnNames: ['status'] })],
    }));
    await queryRunner.addColumn('training_run', new TableColumn(c.ref('sweep_id', true)));
    await queryRunner.addColumn('training_run', new TableColumn(c.int('sweep_trial', true)));
    await queryRunner.createIndex('training_run', new TableIndex({ name: 'ux_training_run_sweep_trial', columnNames: ['sweep_id', 'sweep_trial'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('training_run', 'ux_training_run_sweep_trial');
    await queryRunner.dropColumn('training_run', 'sweep_trial');
    await queryRunner.dropColumn('training_run', 'sweep_id');
    await queryRunner.dropTable('sweep');
  }
}
