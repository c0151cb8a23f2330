import type { Database } from '../../db/database';
import { newId } from '../../ids';
import type { Logger } from '../../logger';

/** One served row, as the log receives it. */
export interface LoggedPrediction {
  modelId: string;
  modelVersionId: string;
  environment: string;
  inputs: Record<string, unknown>;
  outputs: unknown;
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

const INSERT_ROWS = 250;
const SWEEP_MS = 3_600_000;

/**
 * The prediction log. Predict only appends to an in-memory buffer; a timer writes it in multi-row
 * INSERTs, so logging never waits on the database in the request. When the database falls behind,
 * the buffer is capped and the overflow is dropped and counted: serving beats bookkeeping.
 */
export class PredictionLog {
  private buffer: (LoggedPrediction & { id: string })[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Rows dropped because the buffer was full, and rows written, since start. */
  readonly counts = { dropped: 0, written: 0, sampledOut: 0 };

  constructor(private readonly db: Database, private readonly options: PredictionLogOptions, private readonly log?: Logger, private readonly random: () => number = Math.random) {}

  /** Starts the hourly retention sweep (and runs it once now). */
  start(): void {
    if (this.options.retentionDays <= 0 || this.sweeper) return;
    void this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Takes the rows of one request; returns at once. */
  record(rows: LoggedPrediction[]): void {
    const max = this.options.maxBuffered ?? 100_000;
    for (const row of rows) {
      if (this.options.sampleRate < 1 && this.random() >= this.options.sampleRate) {
        this.counts.sampledOut++;
        continue;
      }
      if (this.buffer.length >= max) {
        this.counts.dropped++;
        continue;
      }
      // The id is taken now, so the log's id order is serving order even when writes lag.
      this.buffer.push({ ...row, id: newId('Prediction') });
    }
    if (this.buffer.length && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
      this.timer.unref();
    }
  }

  /** Writes everything buffered; resolves when it is stored (tests and shutdown wait on it). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => this.write(batch)).catch((error) => {
      // A lost batch of log rows must not take serving down; it is reported instead.
      this.log?.error({ err: error, rows: batch.length }, 'could not write prediction log rows');
    });
    return this.writing;
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

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await this.flush();
  }

  private async write(rows: (LoggedPrediction & { id: string })[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_ROWS) {
      const slice = rows.slice(i, i + INSERT_ROWS);
      await this.db.write(
        `INSERT INTO prediction (id, model_id, model_version_id, environment, inputs, outputs, latency_ms, request_id, created_at) VALUES ${slice.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        slice.flatMap((r) => [r.id, r.modelId, r.modelVersionId, r.environment, JSON.stringify(r.inputs), JSON.stringify(r.outputs), r.latencyMs, r.requestId, this.db.sqlDate(r.createdAt)]),
      );
      this.counts.written += slice.length;
    }
  }
}
