import 'reflect-metadata';
import { expect, it } from 'vitest';
import { Database } from '../../src/engines/db/database';
import { databaseSchema } from '../../src/server/registry';
import { freshDatabase } from '../support/test-database';

// Migrations are the source of truth for the schema (synchronize is off); this catches an entity
// column that no migration creates, or one whose nullability differs, on the database under test.
it('every entity column exists in the migrated tables with the same nullability', async () => {
  const { config, drop } = await freshDatabase();
  const db = await Database.open(config, databaseSchema());
  const runner = db.dataSource.createQueryRunner();
  try {
    for (const entity of db.dataSource.entityMetadatas) {
      const table = await runner.getTable(entity.tableName);
      expect(table, `table ${entity.tableName}`).toBeDefined();
      const actual = Object.fromEntries(table!.columns.map((c) => [c.name, c.isNullable]));
      const expected = Object.fromEntries(entity.columns.map((c) => [c.databaseName, c.isNullable]));
      expect(actual, `columns of ${entity.tableName}`).toEqual(expected);
    }
  } finally {
    await runner.release();
    await db.close();
    await drop();
  }
});
