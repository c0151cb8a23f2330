/**
 * The prediction log's writer thread. It has its own database connection (better-sqlite3 or
 * mysql2, no ORM: one multi-row INSERT statement is all it does), so encoding rows as JSON and
 * inserting them never takes time from requests on the main thread.
 *
 * Messages in: `{ type: 'write', id, rows, columns, durable }` (a JSON array of {@link WireRow}, and
 * columnar requests as {@link ColumnBatch}es, encoded here), `{ type: 'close' }`.
 * A batch is one transaction: all its rows are stored or none. `durable` batches (DURABLE
 * environments, whose predicts wait for them) are synced to disk on SQLite too.
 * Messages out: `{ type: 'written', id, count }` or `{ type: 'failed', id, message }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseConfig } from '../../core/config';
import { encodeColumnBatch, type ColumnBatch, type EncodedRow } from './prediction-log-columns';

/** One log row as the main thread sends it: id, model, version, environment, inputs, outputs, latency, request id, time (SQL-ready: text on SQLite, ISO text for MySQL). */
export type WireRow = [string, string, string, string, unknown, unknown, number, string | null, Date | string, string, string | null];

const COLUMNS = '(id, model_id, model_version_id, environment, inputs, outputs, latency_ms, request_id, created_at, route, routing_key)';
const ROWS_PER_STATEMENT = 250;

interface Sink {
  insert(rows: EncodedRow[], durable: boolean): Promise<void>;
  close(): Promise<void>;
}

const sqlFor = (count: number) => `INSERT INTO prediction ${COLUMNS} VALUES ${Array(count).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
const params = (rows: EncodedRow[]) => rows.flat();
const encoded = (r: WireRow): EncodedRow => [r[0], r[1], r[2], r[3], JSON.stringify(r[4]), JSON.stringify(r[5]), r[6], r[7], r[8], r[9], r[10]];

function sqliteSink(file: string): Sink {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Sqlite = require('better-sqlite3');
  const db = new Sqlite(file);
  db.pragma('busy_timeout = 5000');
  // NORMAL survives a killed process (the WAL is written before the commit returns); FULL also
  // syncs it, surviving a power cut, for the batches a predict answer waits on.
  let synchronous = 'NORMAL';
  db.pragma(`synchronous = ${synchronous}`);
  const statements = new Map<number, { run(...args: unknown[]): unknown }>();
  const statement = (count: number) => {
    const found = statements.get(count) ?? db.prepare(sqlFor(count));
    statements.set(count, found);
    return found;
  };
  // One transaction per batch: one commit instead of one per statement.
  const insertAll = db.transaction((rows: EncodedRow[]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const slice = rows.slice(i, i + ROWS_PER_STATEMENT);
      statement(slice.length).run(params(slice));
    }
  });
  return {
    insert: async (rows, durable) => {
      const wanted = durable ? 'FULL' : 'NORMAL';
      if (wanted !== synchronous) db.pragma(`synchronous = ${(synchronous = wanted)}`);
      insertAll(rows);
    },
    close: async () => { db.close(); },
  };
}

function mysqlSink(url: string): Sink {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise');
  const pool = mysql.createPool({ uri: url, connectionLimit: 2, timezone: 'Z', charset: 'utf8mb4_unicode_ci' });
  return {
    // One transaction per batch (InnoDB's commit is durable with its default flush setting).
    insert: async (rows) => {
      const connection = await pool.getConnection();
      try {
        await connection.beginTransaction();
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          const slice = rows.slice(i, i + ROWS_PER_STATEMENT);
          await connection.query(sqlFor(slice.length), params(slice));
        }
        await connection.commit();
      } catch (error) {
        await connection.rollback().catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}

if (parentPort) {
  const port = parentPort;
  const database = (workerData as { database: DatabaseConfig }).database;
  const sink = database.kind === 'sqlite' ? sqliteSink(database.file) : mysqlSink(database.url);
  // Batches are written one after another, in the order they arrive.
  let queue: Promise<void> = Promise.resolve();
  // Dates crossed as JSON text; mysql2 wants a Date back (SQLite's text form is stored as is).
  const revive = (row: EncodedRow) => {
    if (database.kind === 'mysql') row[8] = new Date(row[8]);
    return row;
  };
  port.on('message', (message: { type: 'write'; id: number; rows: string; columns?: ColumnBatch[]; durable: boolean } | { type: 'close' }) => {
    queue = queue.then(async () => {
      if (message.type === 'close') {
        await sink.close();
        port.close();
        return;
      }
      try {
        const rows = (JSON.parse(message.rows) as WireRow[]).map(encoded);
        for (const batch of message.columns ?? []) for (const row of encodeColumnBatch(batch)) rows.push(row);
        rows.forEach(revive);
        await sink.insert(rows, message.durable);
        port.postMessage({ type: 'written', id: message.id, count: rows.length });
      } catch (error) {
        port.postMessage({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}
