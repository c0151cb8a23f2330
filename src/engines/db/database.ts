import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import type { DatabaseConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import { QueryCounter } from './query-counter';

/** A write that matches no row: it takes SQLite's write lock (TypeORM's migrations table always exists). */
const TAKE_WRITE_LOCK = 'DELETE FROM "migrations" WHERE 0';

/** The tables a database holds: entity classes and the migrations that create them. */
export interface DatabaseSchema {
  entities: readonly Function[];
  migrations: readonly Function[];
}

/**
 * The one relational database: a TypeORM DataSource plus the rules every service relies on.
 * SQLite has a single connection, so its transactions are serialised here; MySQL has a pool.
 */
export class Database {
  readonly counter: QueryCounter;
  private sqliteLock: Promise<unknown> = Promise.resolve();
  private migrated = false;

  private constructor(readonly dataSource: DataSource, readonly kind: DatabaseConfig['kind'], counter: QueryCounter) {
    this.counter = counter;
  }

  /**
   * Opens the database and brings its schema up to date with `schema.migrations` (TypeORM runs
   * them in timestamp order, whatever order they are given in). The caller says which entities
   * and migrations exist: the server derives both from its module registry.
   */
  static async open(config: DatabaseConfig, schema: DatabaseSchema, log?: Logger): Promise<Database> {
    const counter = new QueryCounter(log);
    const common = { entities: [...schema.entities], migrations: [...schema.migrations], logger: counter, logging: true as const, synchronize: false };
    let dataSource: DataSource;
    if (config.kind === 'sqlite') {
      if (config.file !== ':memory:') fs.mkdirSync(path.dirname(config.file), { recursive: true });
      dataSource = new DataSource({
        ...common,
        type: 'better-sqlite3',
        database: config.file,
        enableWAL: true,
        // WAL with synchronous=NORMAL is durable across process crashes and avoids an fsync per commit.
        prepareDatabase: (db: { pragma(sql: string): unknown }) => {
          db.pragma('synchronous = NORMAL');
          db.pragma('busy_timeout = 5000');
        },
      });
    } else {
      dataSource = new DataSource({
        ...common,
        type: 'mysql',
        url: config.url,
        charset: 'utf8mb4_unicode_ci',
        timezone: 'Z',
        supportBigNumbers: true,
        bigNumberStrings: false,
        extra: { connectionLimit: 10 },
      });
    }
    await dataSource.initialize();
    const database = new Database(dataSource, config.kind, counter);
    await dataSource.runMigrations({ transaction: 'each' });
    database.migrated = true;
    return database;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Runs `work` in one transaction; on SQLite one transaction at a time, holding the write lock
   * from its start.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind !== 'sqlite') return this.dataSource.transaction(work);
    // The prediction log's writer thread has a connection of its own. A deferred transaction that
    // reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT, no busy wait) when that writer
    // committed in between, so the lock is taken first, waiting up to busy_timeout: a write as the
    // first statement does that (TypeORM has no BEGIN IMMEDIATE), and this one changes nothing.
    return this.exclusive(() => this.dataSource.transaction(async (manager) => {
      await manager.query(TAKE_WRITE_LOCK);
      return work(manager);
    }).catch((error) => {
      this.resyncSqliteTransaction();
      throw error;
    }));
  }

  /**
   * After SQLITE_FULL (or an I/O error) SQLite rolls the transaction back by itself; TypeORM's
   * ROLLBACK then fails and its one runner stays "in a transaction", so every later transaction
   * became a SAVEPOINT and the first to fail left one open for good: writes answered after that
   * were never committed. Here TypeORM's state is put back in line with the connection's.
   */
  private resyncSqliteTransaction(): void {
    const driver = this.dataSource.driver as unknown as { databaseConnection?: { inTransaction: boolean; exec(sql: string): void }; queryRunner?: { isTransactionActive: boolean; transactionDepth: number } };
    const connection = driver.databaseConnection;
    const runner = driver.queryRunner;
    if (!connection || !runner) return;
    if (connection.inTransaction) connection.exec('ROLLBACK');
    runner.isTransactionActive = false;
    runner.transactionDepth = 0;
  }

  /**
   * Runs one writing statement outside a transaction. On SQLite it waits for any open transaction,
   * because the single connection would otherwise make it part of that transaction (and of its
   * rollback).
   */
  write(sql: string, parameters: unknown[] = []): Promise<any> {
    if (this.kind !== 'sqlite') return this.dataSource.query(sql, parameters);
    return this.exclusive(() => this.dataSource.query(sql, parameters));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.sqliteLock.then(work);
    this.sqliteLock = run.catch(() => undefined);
    return run;
  }

  /** True when the database answers and the schema is migrated (for /readyz). */
  async isReady(): Promise<boolean> {
    if (!this.migrated || !this.dataSource.isInitialized) return false;
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * How much room the data takes and has: the database's size, and (SQLite) the free and total
   * space of the file system it lives on; a remote MySQL's disk is not visible from here (null).
   */
  async storage(): Promise<{ databaseBytes: number | null; freeBytes: number | null; totalBytes: number | null }> {
    if (this.kind === 'sqlite') {
      const file = this.dataSource.options.database as string;
      const size = (path: string) => fs.promises.stat(path).then((s) => s.size, () => 0);
      const [main, wal, disk] = await Promise.all([size(file), size(`${file}-wal`), fs.promises.statfs(path.dirname(file))]);
      return { databaseBytes: main + wal, freeBytes: disk.bavail * disk.bsize, totalBytes: disk.blocks * disk.bsize };
    }
    const [row] = await this.dataSource.query('SELECT COALESCE(SUM(data_length + index_length), 0) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE()');
    return { databaseBytes: Number(row.bytes), freeBytes: null, totalBytes: null };
  }

  /** A Date as a raw-SQL parameter: SQLite stores TypeORM's UTC text form, MySQL takes the Date. */
  sqlDate(date: Date): Date | string {
    return this.kind === 'sqlite' ? date.toISOString().replace('T', ' ').replace('Z', '') : date;
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
