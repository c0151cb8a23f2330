import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** The model inventory: owner, risk tier, intended use, known limitations, business line, regulations. Existing models start MEDIUM with no tags. */
export class ModelInventory1766360000000 implements MigrationInterface {
  name = 'ModelInventory1766360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);
    await queryRunner.addColumns('model', [
      new TableColumn(c.string('owner', 200, true)),
      new TableColumn({ ...c.string('risk_tier', 10), default: "'MEDIUM'" }),
      new TableColumn(c.text('intended_use')),
      new TableColumn(c.text('known_limitations')),
      new TableColumn(c.string('business_line', 200, true)),
      // Added nullable and filled, then made NOT NULL: MySQL 8 takes no literal default on a TEXT column.
      new TableColumn(c.text('regulations')),
    ]);
    await queryRunner.query("UPDATE model SET regulations = '[]'");
    await queryRunner.changeColumn('model', 'regulations', new TableColumn(c.text('regulations', false)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('model', ['owner', 'risk_tier', 'intended_use', 'known_limitations', 'business_line', 'regulations']);
  }
}
