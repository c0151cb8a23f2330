import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** When each API key was last used (to the minute), so an ADMIN can spot keys nobody uses. */
export class ApiKeyLastUsed1766200000000 implements MigrationInterface {
  name = 'ApiKeyLastUsed1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumn('api_key', new TableColumn(c.timestamp('last_used_at', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('api_key', 'last_used_at');
  }
}
