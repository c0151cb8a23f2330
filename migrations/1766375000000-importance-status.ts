import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * Permutation importance follows a run's SUCCEEDED instead of delaying it: an evaluation says
 * whether it is still PENDING, READY or FAILED (and why). Evaluations made before had it at once.
 */
export class ImportanceStatus1766375000000 implements MigrationInterface {
  name = 'ImportanceStatus1766375000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('evaluation', new TableColumn({ ...c.string('importance_status', 10), default: "'READY'" }));
    await queryRunner.addColumn('evaluation', new TableColumn(c.string('importance_error', 500, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('evaluation', 'importance_error');
    await queryRunner.dropColumn('evaluation', 'importance_status');
  }
}
