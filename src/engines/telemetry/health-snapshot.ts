/** Latency percentiles in milliseconds; null when nothing was measured in the window. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** A health snapshot as the sampler takes it and publishes it; the GraphQL type HealthSnapshot has the same shape. */
export interface HealthSnapshotData {
  at: Date;
  /** The process that took it (`<host>:<pid>:<id>`): in a cluster each instance samples itself. */
  instance: string;
  windowSeconds: number;
  requestRate: number;
  /** Share of operations the server failed (internal errors, timeouts, unavailability). */
  errorRate: number;
  /** Share of operations refused for the client's mistake (bad input, not found, forbidden, limits). */
  clientErrorRate: number;
  latencyMs: LatencyPercentiles;
  cpuPercent: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopLagMs: number;
  trainingsQueued: number;
  trainingsRunning: number;
  trainingsFailed: number;
  /** Workers that stopped heartbeating without saying goodbye within the window (the cluster form). */
  workersLost: number;
  /** The database's size (MySQL: its tables and indexes). */
  databaseSizeMb: number | null;
  /** Free space on the SQLite file's file system; null for a remote MySQL. */
  diskFreeMb: number | null;
  diskFreePercent: number | null;
  /** Bytes per second received and sent on the API's port since the previous snapshot. */
  networkInBytesPerSecond: number;
  networkOutBytesPerSecond: number;
  /** Open HTTP connections (keep-alive ones included) and WebSocket connections. */
  httpConnections: number;
  webSocketConnections: number;
  predictions: { modelId: string; requestRate: number; rowRate: number; errorRate: number; clientErrorRate: number; latencyMs: LatencyPercentiles }[];
}
