import { Worker } from 'node:worker_threads';
import { compiledScript } from '../../core/compiled-script';
import type { DatabaseConfig } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { WireRow } from './prediction-log-writer';
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
}

const SWEEP_MS = 3_600_000;

/**
 * The prediction log. Predict only appends to an in-memory buffer; a timer hands the buffer to a
 * writer thread with its own database connection (prediction-log-writer.ts), so neither JSON
 * encoding nor the INSERTs take time from requests. When the database falls behind, the buffer is
 * capped and the overflow dropped and counted: serving beats bookkeeping.
 */
export class PredictionLog {
  private buffer: WireRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private writer: Worker | null = null;
  private nextBatch = 0;
  private readonly waiting = new Map<number, { resolve: () => void; size: number }>();
  /** Rows written, dropped because the buffer was full, and left out by sampling, since start. */
  readonly counts = { written: 0, dropped: 0, sampledOut: 0, failed: 0 };

  constructor(
    private readonly db: Database,
    private readonly database: DatabaseConfig,
    private readonly options: PredictionLogOptions,
    private readonly log?: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts the hourly retention sweep (and runs it once now). */
  start(): void {
    if (this.options.retentionDays <= 0 || this.sweeper) return;
    void this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Takes the rows of one request; returns at once. */
  record(request: LoggedRequest): void {
    const max = this.options.maxBuffered ?? 100_000;
    const sqlDate = this.db.sqlDate(request.createdAt);
    const { modelId, modelVersionId, environment, latencyMs, requestId } = request;
    for (let i = 0; i < request.inputs.length; i++) {
      if (this.options.sampleRate < 1 && this.random() >= this.options.sampleRate) {
        this.counts.sampledOut++;
        continue;
      }
      if (this.buffer.length >= max) {
        this.counts.dropped++;
        continue;
      }
      // The id is taken now, so the log's id order is serving order even when writes lag.
      this.buffer.push([newId(Prediction), modelId, modelVersionId, environment, request.inputs[i], request.outputs[i], latencyMs, requestId, sqlDate]);
    }
    if (this.buffer.length && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
      this.timer.unref();
    }
  }

  /** Hands everything buffered to the writer; resolves when it is stored (tests and shutdown wait on it). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.buffer;
    this.buffer = [];
    // Batches are written in order; waiting on an empty one waits for every earlier one.
    const id = this.nextBatch++;
    return new Promise<void>((resolve) => {
      this.waiting.set(id, { resolve, size: rows.length });
      try {
        // One JSON text crosses to the thread: far cheaper than structured-cloning thousands of objects.
        this.thread().postMessage({ type: 'write', id, rows: JSON.stringify(rows) });
      } catch (error) {
        // No writer thread (it could not start): the rows are lost, counted and reported; serving goes on.
        this.waiting.delete(id);
        this.counts.failed += rows.length;
        this.log?.error({ err: error, rows: rows.length }, 'could not hand prediction log rows to the writer');
        resolve();
      }
    });
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
    if (!this.writer && this.buffer.length === 0) {
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

  /** The writer thread, started on first use and again if it ever dies. */
  private thread(): Worker {
    if (this.writer) return this.writer;
    const writer = new Worker(compiledScript('modules/predictions/prediction-log-writer.js'), { workerData: { database: this.database } });
    writer.unref();
    writer.on('message', (message: { type: 'written' | 'failed'; id: number; count?: number; message?: string }) => {
      const batch = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.type === 'written') this.counts.written += message.count ?? 0;
      else {
        // A lost batch of log rows must not take serving down; it is counted and reported.
        this.counts.failed += batch?.size ?? 0;
        this.log?.error({ rows: batch?.size, reason: message.message }, 'could not write prediction log rows');
      }
      batch?.resolve();
    });
    writer.on('error', (error) => this.log?.error({ err: error }, 'prediction log writer failed'));
    writer.on('exit', () => {
      if (this.writer === writer) this.writer = null;
      // Whatever it had not confirmed is lost: release the waiters rather than hang shutdown.
      for (const [id, batch] of this.waiting) {
        this.counts.failed += batch.size;
        batch.resolve();
        this.waiting.delete(id);
      }
    });
    this.writer = writer;
    return writer;
  }
}
