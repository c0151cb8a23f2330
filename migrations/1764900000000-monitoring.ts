import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Alert rules, alerts (open → acknowledged → resolved), and health snapshots kept for history. */
export class Monitoring1764900000000 implements MigrationInterface {
  name = 'Monitoring1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'alert_rule',
      columns: [
        c.id(), c.string('name', 200), c.string('metric', 40), c.string('comparator', 10), c.double('threshold', false), c.int('for_seconds'),
        c.int('cooldown_seconds'), c.string('severity', 20), c.ref('model_id', true), c.string('environment', 20, true), c.boolean('enabled', true),
        c.string('built_in', 40, true), c.timestamp('created_at'), c.timestamp('updated_at'),
      ],
      indices: [new TableIndex({ name: 'ux_alert_rule_built_in', columnNames: ['built_in'], isUnique: true })],
    }));
    await queryRunner.createTable(new Table({
      name: 'alert',
      columns: [
        c.id(), c.ref('rule_id'), c.string('rule_name', 200), c.string('metric', 40), c.string('severity', 20), c.string('state', 20), c.string('subject', 64),
        c.ref('model_id', true), c.ref('run_id', true), c.double('value', true), c.double('threshold', false), c.string('comparator', 10), c.text('message', false),
        c.timestamp('created_at'), c.timestamp('acknowledged_at', true), c.string('acknowledged_by', 200, true), c.timestamp('resolved_at', true),
      ],
      indices: [
        new TableIndex({ name: 'ix_alert_state', columnNames: ['state'] }),
        new TableIndex({ name: 'ix_alert_model', columnNames: ['model_id'] }),
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'health_snapshot',
      columns: [{ ...c.timestamp('taken_at'), isPrimary: true }, c.text('data', false)],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['health_snapshot', 'alert', 'alert_rule']) await queryRunner.dropTable(table);
  }
}
