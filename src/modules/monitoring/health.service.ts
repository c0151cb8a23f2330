import { Between } from 'typeorm';
import type { MonitoringConfig } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { badInput } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { HealthSampler } from '../../engines/telemetry/health-sampler';
import type { HealthSnapshotData } from '../../engines/telemetry/health-snapshot';
import { StoredHealthSnapshot } from './alert.entity';

const SWEEP_MS = 3_600_000;
const MAX_HISTORY_POINTS = 2000;

/** The latest snapshot, and history: one snapshot per HEALTH_PERSIST_SECONDS stored, averaged into buckets on read. */
export class HealthService {
  private lastStored = 0;
  private lastSweep = 0;

  constructor(private readonly deps: { db: Database; config: MonitoringConfig; sampler: HealthSampler; log: Logger }) {}

  latest(): Promise<HealthSnapshotData> {
    return this.deps.sampler.latest();
  }

  /** A sampler listener: stores a snapshot every persistSeconds and drops old ones hourly. */
  async store(snapshot: HealthSnapshotData): Promise<void> {
    const { db, config } = this.deps;
    const at = snapshot.at.getTime();
    if (at - this.lastStored >= config.persistSeconds * 1000) {
      this.lastStored = at;
      await db.transaction((m) => m.insert(StoredHealthSnapshot, { takenAt: snapshot.at, data: JSON.stringify(snapshot) }));
    }
    if (at - this.lastSweep >= SWEEP_MS) {
      this.lastSweep = at;
      await db.write('DELETE FROM health_snapshot WHERE taken_at < ?', [db.sqlDate(new Date(at - config.retentionDays * 86_400_000))]);
    }
  }

  /** Stored snapshots between from and to, averaged per `resolutionSeconds` bucket (percentiles too: an approximation, said in the schema). */
  async history(from: Date, to: Date, resolutionSeconds: number): Promise<HealthSnapshotData[]> {
    if (from >= to) throw badInput('from must be before to', { field: 'from' });
    if (!Number.isInteger(resolutionSeconds) || resolutionSeconds < 1) throw badInput('resolutionSeconds must be a positive integer', { field: 'resolutionSeconds' });
    if ((to.getTime() - from.getTime()) / 1000 / resolutionSeconds > MAX_HISTORY_POINTS) {
      throw badInput(`at most ${MAX_HISTORY_POINTS} points: use a coarser resolutionSeconds or a shorter range`, { field: 'resolutionSeconds' });
    }
    const rows = await this.deps.db.manager.find(StoredHealthSnapshot, { where: { takenAt: Between(from, to) }, order: { takenAt: 'ASC' } });
    const buckets = new Map<number, HealthSnapshotData[]>();
    for (const row of rows) {
      const snapshot = JSON.parse(row.data) as HealthSnapshotData;
      const key = Math.floor(new Date(snapshot.at).getTime() / 1000 / resolutionSeconds);
      buckets.set(key, [...(buckets.get(key) ?? []), snapshot]);
    }
    return [...buckets].map(([key, list]) => average(list, new Date(key * resolutionSeconds * 1000)));
  }
}

function average(list: HealthSnapshotData[], at: Date): HealthSnapshotData {
  const mean = (pick: (s: HealthSnapshotData) => number | null) => {
    const values = list.map(pick).filter((v): v is number => v !== null);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  };
  const latency = (pick: (s: HealthSnapshotData) => HealthSnapshotData['latencyMs']) => ({ p50: mean((s) => pick(s).p50), p95: mean((s) => pick(s).p95), p99: mean((s) => pick(s).p99) });
  return {
    at, windowSeconds: list[0].windowSeconds, instance: list[list.length - 1].instance ?? 'unknown',
    requestRate: mean((s) => s.requestRate)!, errorRate: mean((s) => s.errorRate)!, clientErrorRate: mean((s) => s.clientErrorRate ?? 0)!, latencyMs: latency((s) => s.latencyMs),
    cpuPercent: mean((s) => s.cpuPercent)!, rssMb: mean((s) => s.rssMb)!, heapUsedMb: mean((s) => s.heapUsedMb)!, eventLoopLagMs: mean((s) => s.eventLoopLagMs)!,
    trainingsQueued: Math.round(mean((s) => s.trainingsQueued)!), trainingsRunning: Math.round(mean((s) => s.trainingsRunning)!), trainingsFailed: list.reduce((max, s) => Math.max(max, s.trainingsFailed), 0),
    workersLost: list.reduce((max, s) => Math.max(max, s.workersLost ?? 0), 0),
    // Stored before these figures existed, a snapshot lacks them: `?? null` keeps them unknown.
    databaseSizeMb: mean((s) => s.databaseSizeMb ?? null), diskFreeMb: mean((s) => s.diskFreeMb ?? null), diskFreePercent: mean((s) => s.diskFreePercent ?? null),
    networkInBytesPerSecond: mean((s) => s.networkInBytesPerSecond ?? null) ?? 0, networkOutBytesPerSecond: mean((s) => s.networkOutBytesPerSecond ?? null) ?? 0,
    httpConnections: Math.round(mean((s) => s.httpConnections ?? null) ?? 0), webSocketConnections: Math.round(mean((s) => s.webSocketConnections ?? null) ?? 0),
    // Per-model figures of the bucket's last snapshot: averaging sets of models is not meaningful.
    predictions: list[list.length - 1].predictions,
  };
}
