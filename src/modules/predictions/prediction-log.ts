import { Worker } from 'node:worker_threads';
import { compiledScript } from '../../core/compiled-script';
import type { DatabaseConfig } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { WireRow } from './prediction-log-writer';
import { columnBatch, columnBatchRows, keepRows, type ColumnBatch } from './prediction-log-columns';
import type { CheckedColumns } from '../../ml/columns';
import type { ServedPrediction } from '../../engines/serving/loaded-model';
import { Prediction } from './prediction.entity';

/** The served rows of one request, as the log receives them: `inputs[i]` was answered with `outputs[i]`. */
export interface LoggedRequest {
  modelId: string;
  modelVersionId: string;
  environment: string;
  inputs: unknown[];
  outputs: unknown[];
  latencyMs: number;
  requestId: string | null;
  createdAt: Date;
  /** LIVE (the default), CANARY or SHADOW. */
  route?: string;
  /** The rows' ids, when the caller hands them out (predict returns them); made here otherwise. */
  ids?: string[];
  routingKey?: string | null;
}

export interface PredictionLogOptions {
  /** Share of rows kept, 0 to 1 (PREDICTION_LOG_SAMPLE_RATE). */
  sampleRate: number;
  /** Buffered rows are written this often. */
  flushMs: number;
  /** Rows older than this many days are deleted hourly; 0 keeps them (PREDICTION_LOG_RETENTION_DAYS). */
  retentionDays: number;
  /** Most rows held in memory; beyond it rows are dropped (and counted) rather than slowing serving. */
  maxBuffered?: number;
  /** Whether this process runs the cluster's schedules (the retention sweep); always, embedded. */
  schedules?: () => boolean;
}

const SWEEP_MS = 3_600_000;

/**
 * The prediction log, in two modes an environment chooses (PREDICTION_LOG_DURABILITY_*).
 *
 * ASYNC: predict only appends to an in-memory buffer; a timer hands the buffer to a writer thread
 * with its own database connection (prediction-log-writer.ts), so neither JSON encoding nor the
 * INSERTs take time from requests. When the database falls behind, the buffer is capped and the
 * overflow dropped and counted: serving beats bookkeeping.
 *
 * DURABLE: predict answers only once its rows are committed, every row (no sampling, no drop).
 * Commits are grouped as databases group their own log writes: one batch is in flight at a time,
 * and every request that arrives meanwhile joins the next one, so a burst of micro-batched
 * predicts costs a few transactions rather than one each.
 */
export class PredictionLog {
  private buffer: WireRow[] = [];
  /** ASYNC columnar requests buffered beside the row objects, and the rows they hold. */
  private bufferedColumns: ColumnBatch[] = [];
  private bufferedColumnRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private writer: Worker | null = null;
  private nextBatch = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  /** DURABLE rows waiting for the next group commit, and the requests waiting on it. */
  private group: { rows: WireRow[]; columns: ColumnBatch[]; waiters: { resolve: () => void; reject: (error: Error) => void }[] } = { rows: [], columns: [], waiters: [] };
  /** The group commit in flight, if any. */
  private committing: Promise<void> | null = null;
  /**
   * Rows written, dropped because the buffer was full, left out by sampling, lost to a failed
   * write (ASYNC), and refused with their predict because their commit failed (DURABLE), since start.
   */
  readonly counts = { written: 0, dropped: 0, sampledOut: 0, failed: 0, durableFailed: 0, groupCommits: 0 };

  constructor(
    private readonly db: Database,
    private readonly database: DatabaseConfig,
    private readonly options: PredictionLogOptions,
    private readonly log?: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts the hourly retention sweep (and runs it once now), where the cluster's schedules run. */
  start(): void {
    if (this.options.retentionDays <= 0 || this.sweeper) return;
    const scheduled = () => (this.options.schedules?.() ?? true) && this.sweep();
    void scheduled();
    this.sweeper = setInterval(() => void scheduled(), SWEEP_MS);
    this.sweeper.unref();
  }

  /**
   * ASYNC: takes the rows of one request (sampled, within the buffer's cap); returns at once,
   * with which rows it kept (their ids will be in the log).
   */
  record(request: LoggedRequest): boolean[] {
    const max = this.options.maxBuffered ?? 100_000;
    const kept: boolean[] = [];
    for (let i = 0; i < request.inputs.length; i++) {
      if (this.options.sampleRate < 1 && this.random() >= this.options.sampleRate) {
        this.counts.sampledOut++;
        kept.push(false);
        continue;
      }
      if (this.buffer.length + this.bufferedColumnRows >= max) {
        this.counts.dropped++;
        kept.push(false);
        continue;
      }
      this.buffer.push(this.wireRow(request, i));
      kept.push(true);
    }
    this.startTimer();
    return kept;
  }

  /** ASYNC, for a columnar request (see prediction-log-columns.ts): as record, the JSON encoded by the writer thread. */
  recordColumns(batch: ColumnBatch): boolean[] {
    const max = this.options.maxBuffered ?? 100_000;
    const kept: boolean[] = [];
    const positions: number[] = [];
    for (let i = 0; i < columnBatchRows(batch); i++) {
      if (this.options.sampleRate < 1 && this.random() >= this.options.sampleRate) {
        this.counts.sampledOut++;
        kept.push(false);
      } else if (this.buffer.length + this.bufferedColumnRows + positions.length >= max) {
        this.counts.dropped++;
        kept.push(false);
      } else {
        positions.push(i);
        kept.push(true);
      }
    }
    if (positions.length) {
      this.bufferedColumns.push(positions.length === kept.length ? batch : keepRows(batch, positions));
      this.bufferedColumnRows += positions.length;
    }
    this.startTimer();
    return kept;
  }

  private startTimer(): void {
    if ((this.buffer.length || this.bufferedColumns.length) && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
      this.timer.unref();
    }
  }

  /**
   * DURABLE: stores every row of one request; resolves once they are committed, rejects when the
   * commit failed (then none of them is stored, and the caller must not answer with them).
   */
  commit(request: LoggedRequest | ColumnBatch): Promise<void> {
    if ('inputs' in request) {
      for (let i = 0; i < request.inputs.length; i++) this.group.rows.push(this.wireRow(request, i));
    } else {
      this.group.columns.push(request);
    }
    const done = new Promise<void>((resolve, reject) => this.group.waiters.push({ resolve, reject }));
    // The requests one micro-batch answers all continue within this turn: wait for it to end so
    // that they join the same commit.
    if (!this.committing && this.group.waiters.length === 1) setImmediate(() => this.commitGroup());
    return done;
  }

  /** Hands everything buffered to the writer; resolves when it is stored (tests and shutdown wait on it). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.buffer;
    const columns = this.bufferedColumns;
    const count = rows.length + this.bufferedColumnRows;
    this.buffer = [];
    this.bufferedColumns = [];
    this.bufferedColumnRows = 0;
    try {
      // Batches are written in order; waiting on an empty one waits for every earlier one.
      await this.write(rows, columns, false);
    } catch (error) {
      // The rows are lost, counted and reported; serving goes on.
      this.counts.failed += count;
      this.log?.error({ err: error, rows: count }, 'could not write prediction log rows');
    }
  }

  /** Deletes rows past the retention period. */
  async sweep(now = new Date()): Promise<void> {
    if (this.options.retentionDays <= 0) return;
    const cutoff = new Date(now.getTime() - this.options.retentionDays * 86_400_000);
    try {
      await this.db.write('DELETE FROM prediction WHERE created_at < ?', [this.db.sqlDate(cutoff)]);
    } catch (error) {
      this.log?.error({ err: error }, 'prediction log retention sweep failed');
    }
  }

  /** Writes what is buffered and stops the writer thread. */
  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    // Predicts waiting on a commit are answered (or refused) before the writer stops.
    while (this.committing || this.group.waiters.length > 0) {
      this.commitGroup();
      await this.committing;
    }
    if (!this.writer && this.buffer.length === 0 && this.bufferedColumns.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    await this.flush();
    const writer = this.writer;
    this.writer = null;
    if (!writer) return;
    await new Promise<void>((resolve) => {
      writer.once('exit', () => resolve());
      writer.postMessage({ type: 'close' });
    });
  }

  /**
   * A columnar request's entry for recordColumns / commit: its columns and typed outputs, encoded
   * by the writer thread. Null when the predictions do not fit that form (explanations): log rows then.
   */
  columnEntry(request: Omit<LoggedRequest, 'inputs' | 'outputs' | 'ids'> & { ids: string[] }, columns: CheckedColumns, rows: readonly number[] | null, predictions: readonly ServedPrediction[]): ColumnBatch | null {
    const { modelId, modelVersionId, environment, latencyMs, requestId, createdAt } = request;
    return columnBatch([modelId, modelVersionId, environment, latencyMs, requestId, this.db.sqlDate(createdAt), request.route ?? 'LIVE', request.routingKey ?? null], request.ids, columns, rows, predictions);
  }

  private wireRow(request: LoggedRequest, i: number): WireRow {
    const { modelId, modelVersionId, environment, latencyMs, requestId, createdAt } = request;
    // The id is taken now, so the log's id order is serving order even when writes lag.
    return [request.ids?.[i] ?? newId(Prediction), modelId, modelVersionId, environment, request.inputs[i], request.outputs[i], latencyMs, requestId, this.db.sqlDate(createdAt), request.route ?? 'LIVE', request.routingKey ?? null];
  }

  /** Writes the waiting DURABLE group as one transaction, then the group that gathered meanwhile. */
  private commitGroup(): void {
    if (this.committing || this.group.waiters.length === 0) return;
    const { rows, columns, waiters } = this.group;
    this.group = { rows: [], columns: [], waiters: [] };
    this.counts.groupCommits++;
    const count = rows.length + columns.reduce((sum, batch) => sum + columnBatchRows(batch), 0);
    this.committing = this.write(rows, columns, true).then(
      () => waiters.forEach((w) => w.resolve()),
      (error: Error) => {
        this.counts.durableFailed += count;
        this.log?.error({ err: error, rows: count }, 'could not commit prediction log rows; their predicts are refused');
        waiters.forEach((w) => w.reject(error));
      },
    ).finally(() => {
      this.committing = null;
      this.commitGroup();
    });
  }

  /** One batch to the writer thread, in order; resolves once committed. */
  private write(rows: WireRow[], columns: ColumnBatch[], durable: boolean): Promise<void> {
    const id = this.nextBatch++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        // One JSON text crosses to the thread: far cheaper than structured-cloning thousands of objects.
        // Columnar requests go as they are: typed arrays copy in one go, and the thread encodes them.
        this.thread().postMessage({ type: 'write', id, rows: JSON.stringify(rows), columns, durable });
      } catch (error) {
        // No writer thread (it could not start).
        this.waiting.delete(id);
        reject(error as Error);
      }
    });
  }

  /** The writer thread, started on first use and again if it ever dies. */
  private thread(): Worker {
    if (this.writer) return this.writer;
    const writer = new Worker(compiledScript('modules/predictions/prediction-log-writer.js'), { workerData: { database: this.database } });
    writer.unref();
    writer.on('message', (message: { type: 'written' | 'failed'; id: number; count?: number; message?: string }) => {
      const batch = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.type === 'written') {
        this.counts.written += message.count ?? 0;
        batch?.resolve();
      } else {
        batch?.reject(new Error(message.message ?? 'the writer could not store the rows'));
      }
    });
    writer.on('error', (error) => this.log?.error({ err: error }, 'prediction log writer failed'));
    writer.on('exit', () => {
      if (this.writer === writer) this.writer = null;
      // Whatever it had not confirmed is lost: fail the waiters rather than hang shutdown.
      for (const [id, batch] of this.waiting) {
        batch.reject(new Error('the prediction log writer stopped'));
        this.waiting.delete(id);
      }
    });
    this.writer = writer;
    return writer;
  }
}

/**
 * The log entry of one served request: a row per input row, or for a forecast (one answer for the
 * whole history) one entry holding the history.
 */
export function loggedRequest(request: Omit<LoggedRequest, 'inputs' | 'outputs' | 'createdAt'>, rows: Record<string, unknown>[], outputs: unknown[]): LoggedRequest {
  const perRow = outputs.length === rows.length;
  return { ...request, createdAt: new Date(), inputs: perRow ? rows : [{ history: rows }], outputs };
}
