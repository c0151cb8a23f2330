import { createPubSub } from '@graphql-yoga/subscription';

/**
 * Every pub/sub topic and its payload. Payloads carry ids, not objects, so they survive a trip
 * through Redis unchanged and subscribers read the current row.
 */
export type TopicMap = {
  /** A dataset got a new version; routed by dataset id. */
  DATASET_VERSION_CREATED: [datasetId: string, payload: { datasetVersionId: string }];
  /** Metric points of a training run, in step order; routed by run id. */
  TRAINING_METRICS: [runId: string, payload: MetricEvent];
  /** A run's status or progress changed; routed by run id, and by model id below. */
  TRAINING_RUN_UPDATED: [runId: string, payload: { runId: string }];
  MODEL_TRAINING_RUN_UPDATED: [modelId: string, payload: { runId: string }];
  /** A model's live deployment changed in some environment; routed by model id. */
  DEPLOYMENT_CHANGED: [modelId: string, payload: { deploymentId: string; environment: string }];
  /** A deployment request was made, approved or rejected; one stream for all ('all'), filtered by subscribers. */
  DEPLOYMENT_REQUEST_UPDATED: [scope: 'all', payload: { requestId: string; modelId: string }];
  /** A batch prediction job's status or progress changed; routed by job id. */
  BATCH_PREDICTION_UPDATED: [jobId: string, payload: { jobId: string }];
  /** An alert opened, was acknowledged or resolved; one stream ('all'), filtered per subscriber. */
  HEALTH_ALERTS: [scope: 'all', payload: { alertId: string; modelId: string | null; severity: string }];
  /** A new health snapshot was taken (the payload is the snapshot: it exists only in memory). */
  HEALTH_SNAPSHOT: [scope: 'all', payload: HealthSnapshotData];
};

/** A health snapshot as published; the GraphQL type HealthSnapshot has the same shape. */
export interface HealthSnapshotData {
  at: Date;
  windowSeconds: number;
  requestRate: number;
  errorRate: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  cpuPercent: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopLagMs: number;
  trainingsQueued: number;
  trainingsRunning: number;
  trainingsFailed: number;
  predictions: { modelId: string; requestRate: number; rowRate: number; errorRate: number; latencyMs: { p50: number | null; p95: number | null; p99: number | null } }[];
}

/** One metric point as subscribers receive it. */
export interface MetricEvent {
  runId: string;
  name: string;
  step: number;
  epoch: number;
  value: number;
  timestamp: number;
}

/** The in-process event bus (a Redis-backed one replaces it when the app is scaled out). */
export function createEventBus() {
  return createPubSub<TopicMap>();
}

export type EventBus = ReturnType<typeof createEventBus>;
