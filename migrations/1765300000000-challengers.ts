import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Challengers (a version in SHADOW or CANARY beside the live one), the mode a deployment request
 * asks for (a PRODUCTION canary goes through approval like a deploy), and which route served each
 * logged prediction, and the routing key it was asked with. `active_key` is `<model>:<environment>` while a challenger runs and NULL
 * after: its unique index allows one running challenger per model and environment.
 */
export class Challengers1765300000000 implements MigrationInterface {
  name = 'Challengers1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'challenger',
      columns: [
        c.id(), c.ref('model_id'), c.string('environment', 20), c.ref('model_version_id'), c.ref('champion_version_id'), c.string('mode', 10),
        c.int('traffic_percent', true), c.string('active_key', 80, true), c.text('reason', true), c.ref('started_by', true), c.string('started_by_name', 200, true),
        c.timestamp('started_at'), c.timestamp('ended_at', true), c.string('ended_by_name', 200, true), c.string('end_reason', 20, true),
      ],
      indices: [
        new TableIndex({ name: 'ux_challenger_active', columnNames: ['active_key'], isUnique: true }),
        new TableIndex({ name: 'ix_challenger_model', columnNames: ['model_id', 'environment'] }),
      ],
    }));
    await queryRunner.addColumn('deployment_request', new TableColumn({ ...c.string('mode', 10), default: "'LIVE'" }));
    await queryRunner.addColumn('deployment_request', new TableColumn(c.int('traffic_percent', true)));
    await queryRunner.addColumn('prediction', new TableColumn({ ...c.string('route', 10), default: "'LIVE'" }));
    // The caller's routing key (a customer id): canaries split by it, outcomes may name it.
    await queryRunner.addColumn('prediction', new TableColumn(c.string('routing_key', 200, true)));
    await queryRunner.createIndex('prediction', new TableIndex({ name: 'ix_prediction_routing_key', columnNames: ['model_id', 'routing_key'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('prediction', 'ix_prediction_routing_key');
    await queryRunner.dropColumn('prediction', 'routing_key');
    await queryRunner.dropColumn('prediction', 'route');
    await queryRunner.dropColumn('deployment_request', 'traffic_percent');
    await queryRunner.dropColumn('deployment_request', 'mode');
    await queryRunner.dropTable('challenger');
  }
}
