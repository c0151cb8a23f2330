import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Deployments (append-only events + the live one per environment), approval requests, the prediction log and batch prediction jobs. */
export class Serving1764800000000 implements MigrationInterface {
  name = 'Serving1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('model', new TableColumn(c.boolean('requires_approval', true)));
    await queryRunner.addColumn('model', new TableColumn(c.text('promotion_gate')));
    await queryRunner.addColumn('model_version', new TableColumn(c.text('signature')));
    await queryRunner.createTable(new Table({
      name: 'deployment',
      columns: [
        c.id(), c.ref('model_id'), c.ref('model_version_id'), c.string('environment', 20), c.string('action', 20), c.ref('previous_id', true), c.ref('restores_id', true),
        c.ref('request_id', true), c.text('reason'), c.ref('deployed_by', true), c.string('deployed_by_name', 200, true), c.timestamp('deployed_at'),
      ],
      indices: [new TableIndex({ name: 'ix_deployment_history', columnNames: ['model_id', 'environment', 'deployed_at'] })],
      foreignKeys: [
        { columnNames: ['model_id'], referencedTableName: 'model', referencedColumnNames: ['id'] },
        { columnNames: ['model_version_id'], referencedTableName: 'model_version', referencedColumnNames: ['id'] },
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'live_deployment',
      columns: [{ ...c.ref('model_id'), isPrimary: true }, { ...c.string('environment', 20), isPrimary: true }, c.ref('deployment_id'), c.ref('model_version_id')],
    }));
    await queryRunner.createTable(new Table({
      name: 'deployment_request',
      columns: [
        c.id(), c.ref('model_id'), c.ref('model_version_id'), c.string('environment', 20), c.string('status', 20), c.text('reason'), c.text('gate'),
        c.ref('requested_by', true), c.string('requested_by_name', 200, true), c.ref('decided_by', true), c.string('decided_by_name', 200, true),
        c.text('decision_comment'), c.timestamp('decided_at', true), c.ref('deployment_id', true), c.timestamp('created_at'),
      ],
      indices: [new TableIndex({ name: 'ix_deployment_request_status', columnNames: ['status'] })],
      foreignKeys: [{ columnNames: ['model_version_id'], referencedTableName: 'model_version', referencedColumnNames: ['id'] }],
    }));
    await queryRunner.createTable(new Table({
      name: 'prediction',
      columns: [
        c.id(), c.ref('model_id'), c.ref('model_version_id'), c.string('environment', 20), c.text('inputs', false), c.text('outputs', false),
        c.double('latency_ms', false), c.string('request_id', 64, true), c.timestamp('created_at'),
      ],
      // No foreign keys: the log is written in bulk off the request path and must never fail on them.
      indices: [
        new TableIndex({ name: 'ix_prediction_model_time', columnNames: ['model_id', 'created_at'] }),
        new TableIndex({ name: 'ix_prediction_time', columnNames: ['created_at'] }),
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'batch_prediction_job',
      columns: [
        c.id(), c.ref('model_id'), c.ref('model_version_id'), c.string('environment', 20, true), c.ref('dataset_version_id'), c.string('status', 20),
        c.int('rows_total'), c.int('rows_done'), c.ref('output_dataset_version_id', true), c.text('error'), c.ref('created_by', true),
        c.timestamp('created_at'), c.timestamp('started_at', true), c.timestamp('finished_at', true),
      ],
      foreignKeys: [
        { columnNames: ['model_version_id'], referencedTableName: 'model_version', referencedColumnNames: ['id'] },
        { columnNames: ['dataset_version_id'], referencedTableName: 'dataset_version', referencedColumnNames: ['id'] },
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['batch_prediction_job', 'prediction', 'deployment_request', 'live_deployment', 'deployment']) await queryRunner.dropTable(table);
    await queryRunner.dropColumn('model_version', 'signature');
    await queryRunner.dropColumn('model', 'promotion_gate');
    await queryRunner.dropColumn('model', 'requires_approval');
  }
}
