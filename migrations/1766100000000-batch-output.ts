import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * A batch prediction writes its own dataset (`<input>-scored-<job>`, or a name the caller gives)
 * instead of a new latest version of its input, which plain `rows` and new training runs then
 * read by accident: the job keeps the name it will create.
 */
export class BatchOutput1766100000000 implements MigrationInterface {
  name = 'BatchOutput1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('batch_prediction_job', new TableColumn(c.string('output_dataset_name', 200, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('batch_prediction_job', 'output_dataset_name');
  }
}
