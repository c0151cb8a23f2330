import type { SharedPending } from '../../engines/cluster/shared-pending';
import type { Logger } from '../../core/logger';
import type { Database } from '../../engines/db/database';
import { downsampleMinMax } from '../../ml/downsample';
import type { MetricEvent } from './metric.types';

export interface SeriesSummary {
  name: string;
  count: number;
  min: number;
  max: number;
  last: number;
  lastStep: number;
}

const INSERT_ROWS = 400;

export interface MetricStoreOptions {
  flushMs?: number;
  /** In the cluster form: unflushed points, readable by every instance (see SharedPending). */
  shared?: SharedPending<MetricEvent> | null;
  log?: Logger;
}

/** The field of a point among its run's pending points: one per series and step. */
export const pointKey = (point: MetricEvent) => `${point.name}:${point.step}`;

/**
 * Metric points of training runs. Writes are batched (one multi-row INSERT per flush, never one
 * per point); points not yet flushed stay readable, so a replaying subscriber misses nothing:
 * from this process's memory, and in the cluster form from Redis too, for a subscriber on an
 * instance other than the worker's.
 */
export class MetricStore {
  private readonly pending = new Map<string, MetricEvent[]>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly shared: SharedPending<MetricEvent> | null;
  private readonly log: Logger | undefined;
  private sharedFailing = false;

  constructor(private readonly db: Database, { flushMs = 250, shared = null, log }: MetricStoreOptions = {}) {
    this.flushMs = flushMs;
    this.shared = shared;
    this.log = log;
  }

  /**
   * Buffers points for the next flush; resolves once other instances can read them too, which
   * must happen before they are published. A non-finite value is left out: one must not sink a
   * batch.
   */
  async add(points: MetricEvent[]): Promise<void> {
    const finite = points.filter((point) => Number.isFinite(point.value));
    const byRun = groupByRun(finite);
    for (const [runId, list] of byRun) {
      const pending = this.pending.get(runId);
      if (pending) pending.push(...list);
      else this.pending.set(runId, [...list]);
    }
    // A failed timed flush leaves its points pending: the next flush (a run always ends with one) retries and reports.
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.flushMs);
    await this.onShared((shared) => Promise.all([...byRun].map(([runId, list]) => shared.add(runId, list))));
  }

  /**
   * Redis being away must not stop training: the points still reach the database and live
   * subscribers; only a replay on another instance may then miss unflushed ones. Logged once per
   * outage.
   */
  private async onShared(action: (shared: SharedPending<MetricEvent>) => Promise<unknown>): Promise<void> {
    if (!this.shared) return;
    try {
      await action(this.shared);
      if (this.sharedFailing) this.log?.info('unflushed metric points are shared again');
      this.sharedFailing = false;
    } catch (error) {
      if (!this.sharedFailing) this.log?.warn({ error: (error as Error).message }, 'could not share unflushed metric points: a replay on another instance may miss the latest ones');
      this.sharedFailing = true;
    }
  }

  /** Writes everything pending; resolves when it is in the database. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // The batch is taken when this flush's turn comes, not now: points an earlier flush is still
    // writing are pending until it ends, and taking them here would insert them twice (a
    // primary-key violation seen with two runs finishing at once). One failed write must not
    // fail every later flush, hence the catch before chaining.
    const run = this.flushing.catch(() => undefined).then(async () => {
      const batch = [...this.pending.values()].flat();
      if (batch.length === 0) return;
      await this.write(batch);
      // Only now may readers stop seeing them as pending.
      for (const point of batch) {
        const list = this.pending.get(point.runId);
        if (!list) continue;
        const index = list.indexOf(point);
        if (index >= 0) list.splice(index, 1);
        if (list.length === 0) this.pending.delete(point.runId);
      }
      await this.onShared((shared) => Promise.all([...groupByRun(batch)].map(([runId, list]) => shared.remove(runId, list))));
    });
    this.flushing = run;
    return run;
  }

  /**
   * Forgets a run's points, stored and pending: a run put back in the queue starts its history
   * again from step 1 (its old points would clash with the new ones).
   */
  async deleteRun(runId: string): Promise<void> {
    await this.flush().catch(() => undefined);
    this.pending.delete(runId);
    await this.onShared((shared) => shared.clear(runId));
    await this.db.write('DELETE FROM training_metric WHERE run_id = ?', [runId]);
    await this.db.write('DELETE FROM training_metric_rollup WHERE run_id = ?', [runId]);
  }

  /** Stores points and folds them into the rollups, in one transaction per slice. */
  async write(points: MetricEvent[]): Promise<void> {
    for (let i = 0; i < points.length; i += INSERT_ROWS) {
      const rows = points.slice(i, i + INSERT_ROWS);
      const rollups = rollupsOf(rows);
      await this.db.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO training_metric (run_id, name, step, epoch, value, recorded_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
          rows.flatMap((p) => [p.runId, p.name, p.step, p.epoch, p.value, p.timestamp]),
        );
        await manager.query(
          `INSERT INTO training_metric_rollup (run_id, name, bucket, n, min_step, min_value, max_step, max_value) VALUES ${rollups.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ${this.mergeClause()}`,
          rollups.flatMap((r) => [r.runId, r.name, r.bucket, r.n, r.minStep, r.minValue, r.maxStep, r.maxValue]),
        );
      });
    }
  }

  /** Merges a bucket's new extremes into the stored ones; SQLite and MySQL spell upserts differently. */
  private mergeClause(): string {
    if (this.db.kind === 'mysql') {
      // MySQL assigns left to right with updated values: steps before values.
      return `ON DUPLICATE KEY UPDATE n = n + VALUES(n),
        min_step = IF(VALUES(min_value) < min_value, VALUES(min_step), min_step), min_value = LEAST(min_value, VALUES(min_value)),
        max_step = IF(VALUES(max_value) > max_value, VALUES(max_step), max_step), max_value = GREATEST(max_value, VALUES(max_value))`;
    }
    return `ON CONFLICT (run_id, name, bucket) DO UPDATE SET n = n + excluded.n,
      min_step = CASE WHEN excluded.min_value < min_value THEN excluded.min_step ELSE min_step END, min_value = MIN(min_value, excluded.min_value),
      max_step = CASE WHEN excluded.max_value > max_value THEN excluded.max_step ELSE max_step END, max_value = MAX(max_value, excluded.max_value)`;
  }

  /**
   * Every point of a run after `sinceStep` (stored and pending), in step order. Pending points
   * are read BEFORE the database: a point flushed in between is then in the database, as its
   * holder writes it there before it stops sharing it.
   */
  async since(runId: string, sinceStep: number): Promise<MetricEvent[]> {
    const pending = [...(this.pending.get(runId) ?? [])];
    await this.onShared(async (shared) => pending.push(...await shared.read(runId)));
    const rows: any[] = await this.db.dataSource.query(
      'SELECT name, step, epoch, value, recorded_at FROM training_metric WHERE run_id = ? AND step > ? ORDER BY step, name',
      [runId, sinceStep],
    );
    const stored = rows.map((r) => ({ runId, name: r.name, step: Number(r.step), epoch: Number(r.epoch), value: Number(r.value), timestamp: Number(r.recorded_at) }));
    const seen = new Set(stored.map(pointKey));
    const merged: MetricEvent[] = [...stored];
    for (const point of pending) {
      if (point.step <= sinceStep || seen.has(pointKey(point))) continue;
      seen.add(pointKey(point)); // this process's own points are in the shared ones too
      merged.push(point);
    }
    return merged.sort((a, b) => a.step - b.step || a.name.localeCompare(b.name));
  }

  /** Count, min, max and last value of each series of a run (optionally only `names`), from the rollups. */
  async summaries(runId: string, names?: string[] | null): Promise<SeriesSummary[]> {
    await this.flush();
    const filter = names?.length ? ` AND name IN (${names.map(() => '?').join(', ')})` : '';
    const rows: any[] = await this.db.dataSource.query(
      `SELECT name, SUM(n) AS n, MIN(min_value) AS mn, MAX(max_value) AS mx, MAX(bucket) AS last_bucket FROM training_metric_rollup WHERE run_id = ?${filter} GROUP BY name ORDER BY name`,
      [runId, ...(names ?? [])],
    );
    const summaries: SeriesSummary[] = [];
    for (const r of rows) {
      const [last] = await this.db.dataSource.query('SELECT step, value FROM training_metric WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1', [runId, r.name]);
      summaries.push({ name: r.name, count: Number(r.n), min: Number(r.mn), max: Number(r.mx), last: Number(last.value), lastStep: Number(last.step) });
    }
    return summaries;
  }

  /**
   * A series cut to at most `maxPoints` points, keeping each bucket's lowest and highest value so
   * spikes survive. Long series are drawn from the per-100-step rollups (10,000 rows for a
   * million points), short ones from the points themselves.
   */
  async points(runId: string, name: string, maxPoints: number): Promise<{ step: number; epoch: number; value: number; timestamp: number }[]> {
    await this.flush();
    const [{ n }] = await this.db.dataSource.query('SELECT COALESCE(SUM(n), 0) AS n FROM training_metric_rollup WHERE run_id = ? AND name = ?', [runId, name]);
    if (Number(n) <= ROLLUP_ABOVE) {
      const rows: any[] = await this.db.dataSource.query('SELECT step, epoch, value, recorded_at FROM training_metric WHERE run_id = ? AND name = ? ORDER BY step', [runId, name]);
      const all = rows.map((r) => ({ step: Number(r.step), epoch: Number(r.epoch), value: Number(r.value), timestamp: Number(r.recorded_at) }));
      return downsampleMinMax(all, maxPoints) as typeof all; // it returns the input objects
    }
    const buckets: any[] = await this.db.dataSource.query(
      'SELECT min_step, min_value, max_step, max_value FROM training_metric_rollup WHERE run_id = ? AND name = ? ORDER BY bucket', [runId, name],
    );
    const extremes = buckets.flatMap((b) => {
      const low = { step: Number(b.min_step), value: Number(b.min_value) };
      const high = { step: Number(b.max_step), value: Number(b.max_value) };
      return low.step === high.step ? [low] : low.step < high.step ? [low, high] : [high, low];
    });
    const kept = downsampleMinMax(extremes, maxPoints);
    // Epoch and time of the kept points: one indexed lookup for all of them.
    const rows: any[] = await this.db.dataSource.query(
      `SELECT step, epoch, recorded_at FROM training_metric WHERE run_id = ? AND name = ? AND step IN (${kept.map(() => '?').join(', ')})`,
      [runId, name, ...kept.map((p) => p.step)],
    );
    const byStep = new Map(rows.map((r) => [Number(r.step), r]));
    return kept.map((p) => ({ ...p, epoch: Number(byStep.get(p.step)?.epoch ?? 0), timestamp: Number(byStep.get(p.step)?.recorded_at ?? 0) }));
  }
}

/** Points by run, in their order. */
function groupByRun(points: MetricEvent[]): Map<string, MetricEvent[]> {
  const byRun = new Map<string, MetricEvent[]>();
  for (const point of points) {
    const list = byRun.get(point.runId);
    if (list) list.push(point);
    else byRun.set(point.runId, [point]);
  }
  return byRun;
}

/** Steps per rollup bucket. */
export const ROLLUP_STEPS = 100;
/** Series longer than this are drawn from rollups. */
const ROLLUP_ABOVE = 20_000;

interface Rollup { runId: string; name: string; bucket: number; n: number; minStep: number; minValue: number; maxStep: number; maxValue: number }

function rollupsOf(points: MetricEvent[]): Rollup[] {
  const rollups = new Map<string, Rollup>();
  for (const p of points) {
    const bucket = Math.floor(p.step / ROLLUP_STEPS);
    const key = `${p.runId}\0${p.name}\0${bucket}`;
    const r = rollups.get(key);
    if (!r) {
      rollups.set(key, { runId: p.runId, name: p.name, bucket, n: 1, minStep: p.step, minValue: p.value, maxStep: p.step, maxValue: p.value });
      continue;
    }
    r.n++;
    if (p.value < r.minValue) Object.assign(r, { minStep: p.step, minValue: p.value });
    if (p.value > r.maxValue) Object.assign(r, { maxStep: p.step, maxValue: p.value });
  }
  return [...rollups.values()];
}
