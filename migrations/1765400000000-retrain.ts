import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Retrain policies (one per model) and the record of every firing. The policy's `next_run_at`,
 * `last_data_version` and `last_alert_id` are claimed with conditional updates, so a schedule,
 * new data or a drift alert fires a policy once across the cluster.
 */
export class Retrain1765400000000 implements MigrationInterface {
  name = 'Retrain1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'retrain_policy',
      columns: [
        c.id(), c.ref('model_id'), c.string('trigger', 20), c.string('cron', 120, true), c.string('timezone', 80), c.ref('dataset_id'),
        c.text('hyperparameters', true), c.text('sweep', true), c.string('promote_to', 20), c.text('gate', false), c.int('test_percent'), c.int('shadow_seconds', true),
        c.timestamp('next_run_at', true), c.int('last_data_version', true), c.ref('last_alert_id', true),
        c.ref('created_by', true), c.timestamp('created_at'), c.timestamp('updated_at'),
      ],
      indices: [new TableIndex({ name: 'ux_retrain_policy_model', columnNames: ['model_id'], isUnique: true })],
    }));
    await queryRunner.createTable(new Table({
      name: 'retrain_event',
      columns: [
        c.id(), c.ref('policy_id'), c.ref('model_id'), c.string('trigger', 20), c.text('detail', true), c.string('status', 20),
        c.ref('dataset_version_id', true), c.ref('run_id', true), c.ref('sweep_id', true), c.ref('challenger_version_id', true), c.ref('champion_version_id', true),
        c.string('metric', 40), c.double('challenger_value', true), c.double('champion_value', true), c.int('compared_rows', true),
        c.string('decision', 20, true), c.text('reason', true), c.ref('deployment_id', true), c.ref('request_id', true), c.ref('challenger_id', true), c.timestamp('shadow_until', true),
        c.timestamp('created_at'), c.timestamp('decided_at', true),
      ],
      indices: [
        new TableIndex({ name: 'ix_retrain_event_model', columnNames: ['model_id'] }),
        new TableIndex({ name: 'ix_retrain_event_run', columnNames: ['run_id'] }),
        new TableIndex({ name: 'ix_retrain_event_sweep', columnNames: ['sweep_id'] }),
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('retrain_event');
    await queryRunner.dropTable('retrain_policy');
  }
}
