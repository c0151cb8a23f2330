/** Latency percentiles in milliseconds; null when nothing was measured in the window. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** A health snapshot as the sampler takes it and publishes it; the GraphQL type HealthSnapshot has the same shape. */
export interface HealthSnapshotData {
  at: Date;
  windowSeconds: number;
  requestRate: number;
  errorRate: number;
  latencyMs: LatencyPercentiles;
  cpuPercent: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopLagMs: number;
  trainingsQueued: number;
  trainingsRunning: number;
  trainingsFailed: number;
  predictions: { modelId: string; requestRate: number; rowRate: number; errorRate: number; latencyMs: LatencyPercentiles }[];
}
