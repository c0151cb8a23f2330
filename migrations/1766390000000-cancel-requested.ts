import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * A cancel of a RUNNING run is stored before it is answered, so the worker training the run
 * honours it even when it missed the bus message (Redis away for a moment).
 */
export class CancelRequested1766390000000 implements MigrationInterface {
  name = 'CancelRequested1766390000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('training_run', new TableColumn(c.timestamp('cancel_requested_at', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('training_run', 'cancel_requested_at');
  }
}
