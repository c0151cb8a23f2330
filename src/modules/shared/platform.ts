import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { BucketStore } from '../../engines/cluster/buckets';
import type { Lease } from '../../engines/cluster/lease';
import type { WorkerRegistry } from '../../engines/cluster/worker-registry';
import type { RedisConnections } from '../../engines/cluster/redis-connections';
import type { ArtifactStore } from '../../engines/db/artifact-store';
import type { Database } from '../../engines/db/database';
import type { JobQueueFactory } from '../../engines/jobs/job-queue';
import type { TrainingSupervisor } from '../../engines/trainer/supervisor';
import type { PrometheusMetrics } from '../../engines/telemetry/prometheus';
import type { NetworkCounters } from '../../engines/telemetry/network-counters';
import type { RequestStats } from '../../engines/telemetry/request-stats';
import type { EventBus } from './topics';

/**
 * What the server builds before any module and hands to every module's service factory: the
 * engines, configured. Modules build everything else from these and from each other's services.
 */
export interface Platform {
  config: Config;
  db: Database;
  log: Logger;
  /** Pub/sub for subscriptions and cross-module events (in-process; Redis when scaled out). */
  events: EventBus;
  /** This process's Redis connections when REDIS_URL is set (the cluster form), else null. */
  redis: RedisConnections | null;
  /** Rate-limit token buckets: in memory, or in Redis shared by the cluster. */
  buckets: BucketStore;
  /** Worker heartbeats: who trains in the cluster (this process only, embedded). */
  workers: WorkerRegistry;
  /** The cluster's schedules run where this is held (always, embedded). */
  schedulerLease: Lease;
  /** This process in the cluster: `<host>:<pid>:<random>` (workers' heartbeats, runs' owners). */
  instanceId: string;
  /** Blobs in the database: dataset rows, model weights. */
  artifacts: ArtifactStore;
  /** Makes the named job queues (training, batch predictions…). */
  queues: JobQueueFactory;
  /** Trains and evaluates in child processes (TensorFlow.js never loads in the API process for that). */
  trainer: TrainingSupervisor;
  /** This process's Prometheus registry, served at /metrics. */
  prometheus: PrometheusMetrics;
  /** Recent requests and predictions over a sliding window, for health snapshots. */
  requestStats: RequestStats;
  /** Bytes and connections on the API's port, fed by the transports, for health snapshots. */
  network: NetworkCounters;
  startedAt: Date;
}
