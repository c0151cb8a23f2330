import type { Database } from '../../db/database';
import type { MetricEvent } from '../../realtime/pubsub';

export interface SeriesSummary {
  name: string;
  count: number;
  min: number;
  max: number;
  last: number;
  lastStep: number;
}

const INSERT_ROWS = 400;

/**
 * Metric points of training runs. Writes are batched (one multi-row INSERT per flush, never one
 * per point); points not yet flushed stay readable, so a replaying subscriber misses nothing.
 */
export class MetricStore {
  private readonly pending = new Map<string, MetricEvent[]>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Database, private readonly flushMs = 250) {}

  add(points: MetricEvent[]): void {
    for (const point of points) {
      const list = this.pending.get(point.runId) ?? [];
      list.push(point);
      this.pending.set(point.runId, list);
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes everything pending; resolves when it is in the database. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending.values()].flat();
    this.flushing = this.flushing.then(async () => {
      for (let i = 0; i < batch.length; i += INSERT_ROWS) {
        const rows = batch.slice(i, i + INSERT_ROWS);
        await this.db.write(
          `INSERT INTO training_metric (run_id, name, step, epoch, value, recorded_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
          rows.flatMap((p) => [p.runId, p.name, p.step, p.epoch, p.value, p.timestamp]),
        );
      }
      // Only now may readers stop seeing them as pending.
      for (const point of batch) {
        const list = this.pending.get(point.runId);
        if (!list) continue;
        const index = list.indexOf(point);
        if (index >= 0) list.splice(index, 1);
        if (list.length === 0) this.pending.delete(point.runId);
      }
    });
    return this.flushing;
  }

  /** Every point of a run after `sinceStep` (stored and pending), in step order. */
  async since(runId: string, sinceStep: number): Promise<MetricEvent[]> {
    const pending = [...(this.pending.get(runId) ?? [])];
    const rows: any[] = await this.db.dataSource.query(
      'SELECT name, step, epoch, value, recorded_at FROM training_metric WHERE run_id = ? AND step > ? ORDER BY step, name',
      [runId, sinceStep],
    );
    const stored = rows.map((r) => ({ runId, name: r.name, step: Number(r.step), epoch: Number(r.epoch), value: Number(r.value), timestamp: Number(r.recorded_at) }));
    const seen = new Set(stored.map((p) => `${p.name}:${p.step}`));
    const merged = [...stored, ...pending.filter((p) => p.step > sinceStep && !seen.has(`${p.name}:${p.step}`))];
    return merged.sort((a, b) => a.step - b.step || a.name.localeCompare(b.name));
  }

  /** Count, min, max and last value of each series of a run (optionally only `names`). */
  async summaries(runId: string, names?: string[] | null): Promise<SeriesSummary[]> {
    await this.flush();
    const filter = names?.length ? ` AND name IN (${names.map(() => '?').join(', ')})` : '';
    const rows: any[] = await this.db.dataSource.query(
      `SELECT m.name, m.n, m.mn, m.mx, m.last_step, t.value AS last FROM
         (SELECT name, COUNT(*) AS n, MIN(value) AS mn, MAX(value) AS mx, MAX(step) AS last_step FROM training_metric WHERE run_id = ?${filter} GROUP BY name) m
         JOIN training_metric t ON t.run_id = ? AND t.name = m.name AND t.step = m.last_step
       ORDER BY m.name`,
      [runId, ...(names ?? []), runId],
    );
    return rows.map((r) => ({ name: r.name, count: Number(r.n), min: Number(r.mn), max: Number(r.mx), last: Number(r.last), lastStep: Number(r.last_step) }));
  }

  /**
   * A series cut to at most `maxPoints` points, computed in the database: the steps are divided
   * into maxPoints/2 buckets and each keeps its lowest and highest value, so spikes survive.
   */
  async points(runId: string, name: string, maxPoints: number): Promise<{ step: number; epoch: number; value: number; timestamp: number }[]> {
    const toPoint = (r: any) => ({ step: Number(r.step), epoch: Number(r.epoch), value: Number(r.value), timestamp: Number(r.recorded_at) });
    const [range] = await this.db.dataSource.query('SELECT COUNT(*) AS n, MIN(step) AS lo, MAX(step) AS hi FROM training_metric WHERE run_id = ? AND name = ?', [runId, name]);
    const count = Number(range.n);
    if (count <= maxPoints) {
      const rows = await this.db.dataSource.query('SELECT step, epoch, value, recorded_at FROM training_metric WHERE run_id = ? AND name = ? ORDER BY step', [runId, name]);
      return rows.map(toPoint);
    }
    const buckets = Math.max(1, Math.floor(maxPoints / 2));
    const lo = Number(range.lo);
    const width = Number(range.hi) - lo + 1;
    const div = this.db.kind === 'mysql' ? 'DIV' : '/';
    const bucket = `((step - ${lo}) * ${buckets}) ${div} ${width}`;
    const rows: any[] = await this.db.dataSource.query(
      `WITH b AS (SELECT step, epoch, value, recorded_at, ${bucket} AS bucket FROM training_metric WHERE run_id = ? AND name = ?),
            agg AS (SELECT bucket, MIN(value) AS mn, MAX(value) AS mx FROM b GROUP BY bucket)
       SELECT b.bucket, b.step, b.epoch, b.value, b.recorded_at, agg.mn, agg.mx FROM b JOIN agg ON agg.bucket = b.bucket AND (b.value = agg.mn OR b.value = agg.mx)
       ORDER BY b.step`,
      [runId, name],
    );
    const kept = new Map<string, any>();
    for (const row of rows) {
      // Ties: the first point reaching the bucket's min (and max) stands for it.
      const key = Number(row.value) === Number(row.mn) ? `${row.bucket}:min` : `${row.bucket}:max`;
      if (!kept.has(key)) kept.set(key, row);
    }
    return [...kept.values()].sort((a, b) => Number(a.step) - Number(b.step)).map(toPoint).slice(0, maxPoints);
  }
}
