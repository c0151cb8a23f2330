import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Live feeds and paper trading. A tick is stored once per source id (a Redis stream entry id or
 * the pusher's id), with a sequence number per feed; a session stores the last sequence it
 * decided with its state, in one conditional update, so no tick is decided twice.
 */
export class Feeds1765800000000 implements MigrationInterface {
  name = 'Feeds1765800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.createTable(new Table({
      name: 'feed',
      columns: [c.id(), c.string('name', 200), c.ref('dataset_id'), c.string('kind', 20), c.string('stream_key', 300, true), c.int('last_seq'), c.ref('created_by', true), c.timestamp('created_at')],
      indices: [new TableIndex({ name: 'ux_feed_name', columnNames: ['name'], isUnique: true })],
    }));
    await queryRunner.createTable(new Table({
      name: 'feed_tick',
      columns: [c.id(), c.ref('feed_id'), c.int('seq'), c.string('source_id', 200), c.text('data', false), c.timestamp('received_at')],
      indices: [
        new TableIndex({ name: 'ux_feed_tick_source', columnNames: ['feed_id', 'source_id'], isUnique: true }),
        new TableIndex({ name: 'ux_feed_tick_seq', columnNames: ['feed_id', 'seq'], isUnique: true }),
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'feed_dead_letter',
      columns: [c.id(), c.ref('feed_id'), c.string('source_id', 200, true), c.text('data', false), c.text('reason', false), c.timestamp('received_at')],
      indices: [new TableIndex({ name: 'ix_feed_dead_letter_feed', columnNames: ['feed_id'] })],
    }));
    await queryRunner.createTable(new Table({
      name: 'paper_session',
      columns: [
        c.id(), c.ref('model_id'), c.string('environment', 20), c.ref('feed_id'), c.string('strategy', 20), c.text('parameters', false),
        c.string('status', 20), c.int('last_seq'), c.text('state', false), c.ref('created_by', true), c.timestamp('created_at'), c.timestamp('stopped_at', true),
      ],
      indices: [new TableIndex({ name: 'ix_paper_session_feed', columnNames: ['feed_id'] })],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['paper_session', 'feed_dead_letter', 'feed_tick', 'feed']) await queryRunner.dropTable(table);
  }
}
