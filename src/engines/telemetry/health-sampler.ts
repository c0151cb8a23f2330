import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MonitoringConfig } from '../../core/config';
import type { HealthSnapshotData } from './health-snapshot';
import type { NetworkCounters } from './network-counters';
import type { RequestStats } from './request-stats';

/** Where the sampler reads the database's size and the free disk (a Database's storage()). */
export type StorageSource = () => Promise<{ databaseBytes: number | null; freeBytes: number | null; totalBytes: number | null }>;

/** Where the sampler reads the training queue and recent failures; small, so tests can fake it. */
export interface TrainingSource {
  /** Runs waiting and training (in the whole cluster when the queue is shared). */
  counts(): Promise<{ waiting: number; running: number }>;
  /** Runs that ended FAILED within the last `seconds`, newest first. */
  failedSince(seconds: number): Promise<{ runId: string; modelId: string }[]>;
}

const MB = 1024 * 1024;
const RING = 720;

/**
 * Takes a health snapshot every HEALTH_INTERVAL_SECONDS from what the process measured over the
 * sliding window: requests, predict per model, CPU, memory, event-loop lag, training. Keeps the
 * last 720 in memory and hands each to its listeners (the alert engine, subscribers, storage).
 */
export class HealthSampler {
  private readonly ring: HealthSnapshotData[] = [];
  private readonly listeners: ((snapshot: HealthSnapshotData, failedRuns: { runId: string; modelId: string }[]) => Promise<void> | void)[] = [];
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  private lastNetwork = { bytesIn: 0, bytesOut: 0, at: performance.now() };

  constructor(
    private readonly config: MonitoringConfig,
    private readonly stats: RequestStats,
    private readonly training: TrainingSource,
    private readonly sources: {
      network: NetworkCounters; storage: StorageSource;
      /** This process's id in snapshots. */
      instance: string;
      /** Workers lost within the last `seconds` (0 without a cluster). */
      workersLost?: (seconds: number) => Promise<number>;
    },
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.loopDelay.enable();
  }

  /** Called with every snapshot, in order; a listener's failure is reported, not fatal. */
  onSnapshot(listener: (snapshot: HealthSnapshotData, failedRuns: { runId: string; modelId: string }[]) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  /** Samples every intervalSeconds; 0 leaves it off (snapshots are then taken only when asked for). */
  start(): void {
    if (this.timer || this.config.intervalSeconds === 0) return;
    this.timer = setInterval(() => {
      // A slow tick (a busy database) is not stacked with the next one.
      if (this.sampling) return;
      this.sampling = true;
      void this.sample().catch(this.onError).finally(() => { this.sampling = false; });
    }, this.config.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.loopDelay.disable();
  }

  /** The newest snapshot; with the sampler off (or before its first tick), one taken now, unannounced. */
  async latest(): Promise<HealthSnapshotData> {
    return (this.timer ? this.ring.at(-1) : undefined) ?? this.sample(false);
  }

  /** Snapshots still in memory, oldest first. */
  recent(): HealthSnapshotData[] {
    return [...this.ring];
  }

  /** Takes one snapshot now; `announce` keeps it and hands it to the listeners (alerts, history, subscribers). */
  async sample(announce = true): Promise<HealthSnapshotData> {
    const requests = this.stats.requests.summary();
    const [failed, queue, storage, workersLost] = await Promise.all([
      this.training.failedSince(this.config.windowSeconds),
      // Queue figures from Redis may be away for a moment: unknown (0) rather than no snapshot.
      this.training.counts().catch(() => ({ waiting: 0, running: 0 })),
      // A storage read that fails (a database blip) leaves the disk figures unknown, not the snapshot.
      this.sources.storage().catch(() => ({ databaseBytes: null, freeBytes: null, totalBytes: null })),
      this.sources.workersLost?.(this.config.windowSeconds).catch(() => 0) ?? 0,
    ]);
    const memory = process.memoryUsage();
    const network = this.networkRates(announce);
    const snapshot: HealthSnapshotData = {
      at: new Date(),
      instance: this.sources.instance,
      windowSeconds: this.config.windowSeconds,
      requestRate: requests.ratePerSecond,
      errorRate: requests.errorRate,
      clientErrorRate: requests.clientErrorRate,
      latencyMs: { p50: requests.p50Ms, p95: requests.p95Ms, p99: requests.p99Ms },
      cpuPercent: this.cpuPercent(),
      rssMb: memory.rss / MB,
      heapUsedMb: memory.heapUsed / MB,
      // p99 of the interval's event-loop delays: what a request arriving at a bad moment waits.
      eventLoopLagMs: this.loopDelay.percentile(99) / 1e6,
      trainingsQueued: queue.waiting,
      trainingsRunning: queue.running,
      trainingsFailed: failed.length,
      workersLost,
      databaseSizeMb: storage.databaseBytes === null ? null : storage.databaseBytes / MB,
      diskFreeMb: storage.freeBytes === null ? null : storage.freeBytes / MB,
      diskFreePercent: storage.freeBytes === null || !storage.totalBytes ? null : (storage.freeBytes / storage.totalBytes) * 100,
      ...network,
      predictions: this.stats.predictSummaries().map(({ modelId, summary }) => ({
        modelId, requestRate: summary.ratePerSecond, rowRate: summary.units / this.config.windowSeconds, errorRate: summary.errorRate, clientErrorRate: summary.clientErrorRate,
        latencyMs: { p50: summary.p50Ms, p95: summary.p95Ms, p99: summary.p99Ms },
      })),
    };
    if (!announce) return snapshot;
    this.loopDelay.reset();
    this.ring.push(snapshot);
    if (this.ring.length > RING) this.ring.shift();
    for (const listener of this.listeners) {
      try {
        await listener(snapshot, failed);
      } catch (error) {
        this.onError(error);
      }
    }
    return snapshot;
  }

  /** Bytes per second in and out since the last announced snapshot, and connections open now. */
  private networkRates(advance: boolean) {
    const now = this.sources.network.read();
    const at = performance.now();
    const seconds = Math.max(1e-3, (at - this.lastNetwork.at) / 1000);
    const rates = {
      networkInBytesPerSecond: Math.max(0, now.bytesIn - this.lastNetwork.bytesIn) / seconds,
      networkOutBytesPerSecond: Math.max(0, now.bytesOut - this.lastNetwork.bytesOut) / seconds,
      httpConnections: now.connections - now.webSocketConnections,
      webSocketConnections: now.webSocketConnections,
    };
    if (advance) this.lastNetwork = { bytesIn: now.bytesIn, bytesOut: now.bytesOut, at };
    return rates;
  }

  /** Process CPU since the last snapshot, as a share of one core (100 = one core busy). */
  private cpuPercent(): number {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const wallMicros = (now - this.lastAt) * 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return wallMicros > 0 ? ((cpu.user + cpu.system) / wallMicros) * 100 : 0;
  }
}
