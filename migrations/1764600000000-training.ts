import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Training runs, their metric points, and evaluations of model versions. */
export class Training1764600000000 implements MigrationInterface {
  name = 'Training1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'training_run',
      columns: [
        c.id(), c.ref('model_id'), c.ref('dataset_version_id'), c.string('status', 20), c.double('progress', false), c.int('epochs_completed'),
        c.text('hyperparameters', false), c.text('split', false), c.int('seed'), c.int('priority'), c.string('backend', 40, true), c.text('library_versions'),
        c.text('error'), c.ref('model_version_id', true), c.ref('created_by', true), c.timestamp('queued_at'), c.timestamp('started_at', true), c.timestamp('finished_at', true),
      ],
      indices: [
        new TableIndex({ name: 'ix_training_run_model', columnNames: ['model_id'] }),
        new TableIndex({ name: 'ix_training_run_status', columnNames: ['status'] }),
      ],
      foreignKeys: [
        { columnNames: ['model_id'], referencedTableName: 'model', referencedColumnNames: ['id'] },
        { columnNames: ['dataset_version_id'], referencedTableName: 'dataset_version', referencedColumnNames: ['id'] },
      ],
    }));
    // The primary key is the history index: a run's series, in step order.
    await queryRunner.createTable(new Table({
      name: 'training_metric',
      columns: [
        { ...c.ref('run_id'), isPrimary: true }, { ...c.string('name', 64), isPrimary: true }, { ...c.int('step'), isPrimary: true },
        c.int('epoch'), c.double('value', false), c.bigint('recorded_at'),
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'evaluation',
      columns: [
        c.id(), c.ref('model_version_id'), c.ref('dataset_version_id'), c.string('split', 20), c.int('row_count'), c.double('threshold', true),
        c.text('metrics', false), c.text('roc_curve'), c.text('confusion_matrix'), c.text('feature_importance'), c.timestamp('created_at'),
      ],
      indices: [new TableIndex({ name: 'ix_evaluation_model_version', columnNames: ['model_version_id'] })],
      foreignKeys: [
        { columnNames: ['model_version_id'], referencedTableName: 'model_version', referencedColumnNames: ['id'] },
        { columnNames: ['dataset_version_id'], referencedTableName: 'dataset_version', referencedColumnNames: ['id'] },
      ],
    }));
    await queryRunner.addColumn('model_version', new TableColumn(c.ref('training_run_id', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('model_version', 'training_run_id');
    await queryRunner.dropTable('evaluation');
    await queryRunner.dropTable('training_metric');
    await queryRunner.dropTable('training_run');
  }
}
