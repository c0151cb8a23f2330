import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/**
 * The algorithm contract: an evaluation keeps the algorithm's own feature importance
 * (`native_importance`: split gain of trees, |coefficient| of linear models) beside the
 * permutation importance every algorithm gets; a run keeps the feature selection it asked for,
 * and its version what that selection kept (`feature_selection`).
 */
export class Algorithms1765900000000 implements MigrationInterface {
  name = 'Algorithms1765900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('evaluation', new TableColumn(c.text('native_importance')));
    await queryRunner.addColumn('training_run', new TableColumn(c.text('feature_selection')));
    await queryRunner.addColumn('model_version', new TableColumn(c.text('feature_selection')));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('model_version', 'feature_selection');
    await queryRunner.dropColumn('training_run', 'feature_selection');
    await queryRunner.dropColumn('evaluation', 'native_importance');
  }
}
