import type { TableColumnOptions } from 'typeorm';

/**
 * Portable column definitions for migrations, so one migration file creates the same schema on
 * SQLite and MySQL/MariaDB. Each helper picks the type that fits the driver.
 */
export function columnTypes(driver: string) {
  const mysql = driver === 'mysql';
  return {
    id: (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '40', isPrimary: true }),
    ref: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '40', isNullable: nullable }),
    string: (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
    text: (name: string, nullable = true): TableColumnOptions => ({ name, type: mysql ? 'longtext' : 'text', isNullable: nullable }),
    int: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'int', isNullable: nullable }),
    bigint: (name: string): TableColumnOptions => ({ name, type: 'bigint' }),
    double: (name: string, nullable = true): TableColumnOptions => ({ name, type: 'double', isNullable: nullable }),
    boolean: (name: string, fallback: boolean): TableColumnOptions => ({ name, type: 'boolean', default: fallback ? 1 : 0 }),
    blob: (name: string): TableColumnOptions => ({ name, type: mysql ? 'longblob' : 'blob' }),
    // Millisecond precision on MySQL; SQLite keeps whatever string TypeORM writes.
    timestamp: (name: string, nullable = false): TableColumnOptions =>
      mysql ? { name, type: 'datetime', precision: 3, isNullable: nullable } : { name, type: 'datetime', isNullable: nullable },
  };
}
