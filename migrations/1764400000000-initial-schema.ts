import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes } from '../src/engines/db/column-types';

/** Artifacts, datasets and their versions, models and model versions. */
export class InitialSchema1764400000000 implements MigrationInterface {
  name = 'InitialSchema1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnTypes(queryRunner.connection.driver.options.type);

    await queryRunner.createTable(new Table({
      name: 'artifact',
      columns: [c.id(), c.string('kind', 40), c.bigint('byte_size'), c.int('chunk_count'), c.bigint('item_count'), c.timestamp('created_at')],
    }));
    // Chunks stay under MySQL's default max_allowed_packet; `first_item` lets a reader seek.
    await queryRunner.createTable(new Table({
      name: 'artifact_chunk',
      columns: [
        { ...c.ref('artifact_id'), isPrimary: true },
        { ...c.int('seq'), isPrimary: true },
        c.bigint('first_item'),
        c.int('item_count'),
        c.blob('data'),
      ],
      foreignKeys: [{ columnNames: ['artifact_id'], referencedTableName: 'artifact', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
    }));

    await queryRunner.createTable(new Table({
      name: 'dataset',
      columns: [
        c.id(), c.string('name', 200), c.text('description'), c.string('kind', 20),
        c.int('latest_version'), c.timestamp('created_at'), c.timestamp('updated_at'),
      ],
      indices: [new TableIndex({ name: 'uq_dataset_name', columnNames: ['name'], isUnique: true })],
    }));
    await queryRunner.createTable(new Table({
      name: 'dataset_version',
      columns: [
        c.id(), c.ref('dataset_id'), c.int('version'), c.bigint('row_count'), c.text('columns', false),
        c.ref('artifact_id'), c.ref('parent_id', true), c.string('source', 20), c.timestamp('created_at'),
      ],
      indices: [new TableIndex({ name: 'uq_dataset_version', columnNames: ['dataset_id', 'version'], isUnique: true })],
      foreignKeys: [
        { columnNames: ['dataset_id'], referencedTableName: 'dataset', referencedColumnNames: ['id'] },
        { columnNames: ['artifact_id'], referencedTableName: 'artifact', referencedColumnNames: ['id'] },
      ],
    }));

    await queryRunner.createTable(new Table({
      name: 'model',
      columns: [
        c.id(), c.string('name', 200), c.text('description'), c.string('task', 40), c.string('architecture', 40),
        c.text('feature_columns', false), c.string('target_column', 200), c.text('hyperparameters', false),
        c.timestamp('archived_at', true), c.timestamp('created_at'), c.timestamp('updated_at'),
      ],
      indices: [new TableIndex({ name: 'uq_model_name', columnNames: ['name'], isUnique: true })],
    }));
    await queryRunner.createTable(new Table({
      name: 'model_version',
      columns: [
        c.id(), c.ref('model_id'), c.int('version'), c.ref('dataset_version_id', true), c.ref('artifact_id', true),
        c.text('metrics', false), c.timestamp('created_at'),
      ],
      indices: [new TableIndex({ name: 'uq_model_version', columnNames: ['model_id', 'version'], isUnique: true })],
      foreignKeys: [
        { columnNames: ['model_id'], referencedTableName: 'model', referencedColumnNames: ['id'] },
        { columnNames: ['dataset_version_id'], referencedTableName: 'dataset_version', referencedColumnNames: ['id'] },
        { columnNames: ['artifact_id'], referencedTableName: 'artifact', referencedColumnNames: ['id'] },
      ],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['model_version', 'model', 'dataset_version', 'dataset', 'artifact_chunk', 'artifact']) {
      await queryRunner.dropTable(table);
    }
  }
}
