import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Webhooks and their deliveries. A delivery is unique per (webhook, event key), so instances that
 * hear the same event write it once; the due index serves the delivery loop's poll.
 */
export class Notifications1766000000000 implements MigrationInterface {
  name = 'Notifications1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'webhook',
      columns: [c.id(), c.string('url', 2000), c.text('events', false), c.ref('model_id', true), c.string('secret', 200), c.string('created_by', 200, true), c.timestamp('created_at'), c.timestamp('deleted_at', true)],
      indices: [new TableIndex({ name: 'ix_webhook_model', columnNames: ['model_id'] })],
    }));
    await queryRunner.createTable(new Table({
      name: 'webhook_delivery',
      columns: [
        c.id(), c.ref('webhook_id'), c.string('event', 40), c.string('event_key', 200), c.text('payload', false), c.string('status', 20), c.int('attempts'),
        c.text('attempt_log', false), c.timestamp('next_attempt_at', true), c.timestamp('lease_until', true), c.timestamp('created_at'), c.timestamp('delivered_at', true),
      ],
      indices: [
        new TableIndex({ name: 'ux_webhook_delivery_event', columnNames: ['webhook_id', 'event_key'], isUnique: true }),
        new TableIndex({ name: 'ix_webhook_delivery_due', columnNames: ['status', 'next_attempt_at'] }),
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_delivery');
    await queryRunner.dropTable('webhook');
  }
}
