import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../core/config';
import { bullMqQueues } from '../engines/jobs/bullmq-queue';
import type { Logger } from '../core/logger';
import { ArtifactStore } from '../engines/db/artifact-store';
import type { Database } from '../engines/db/database';
import { MemoryBuckets, RedisBuckets } from '../engines/cluster/buckets';
import { RedisConnections } from '../engines/cluster/redis-connections';
import { RedisLease, soloLease } from '../engines/cluster/lease';
import { WorkerRegistry } from '../engines/cluster/worker-registry';
import { createEventBus } from '../engines/events/event-bus';
import { redisEventTarget } from '../engines/events/redis-event-target';
import { inProcessQueues } from '../engines/jobs/job-queue';
import { TrainingSupervisor } from '../engines/trainer/supervisor';
import { PrometheusMetrics } from '../engines/telemetry/prometheus';
import { NetworkCounters } from '../engines/telemetry/network-counters';
import { RequestStats } from '../engines/telemetry/request-stats';
import type { Services } from '../modules/shared/context';
import type { AimassModule } from '../modules/shared/module-definition';
import type { Platform } from '../modules/shared/platform';
import { MODULES } from './registry';

/**
 * The engines every module builds on, configured: the embedded forms (in-process events and
 * queues), or with REDIS_URL the cluster forms (events over Redis pub/sub).
 */
/** What a caller of startServer may swap in the platform. */
export interface PlatformOptions {
  /** See StartOptions.trainingProcess. */
  trainingProcess?: string;
}

export function createPlatform(config: Config, db: Database, log: Logger, options: PlatformOptions = {}): Platform {
  const redis = config.redis ? new RedisConnections(config.redis, log) : null;
  const instanceId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const events = redis
    ? createEventBus(redisEventTarget(redis.connect('publish'), redis.connect('subscribe', { waits: true }), redis.config.prefix, log))
    : createEventBus();
  return {
    config,
    db,
    log,
    events,
    redis,
    buckets: redis ? new RedisBuckets(redis.connect('rate-limits'), redis.config.prefix) : new MemoryBuckets(),
    instanceId,
    workers: new WorkerRegistry(redis ? redis.connect('workers') : null, config.redis?.prefix ?? '', instanceId, log, config.heartbeatSeconds * 1000),
    schedulerLease: redis ? new RedisLease(redis.connect('lease'), redis.key('scheduler'), instanceId, log, config.schedulerLeaseSeconds * 1000) : soloLease,
    artifacts: new ArtifactStore(db),
    queues: redis
      ? bullMqQueues(redis, { lockMs: config.training.lockSeconds * 1000, stalledIntervalMs: config.training.stalledCheckSeconds * 1000 }, log)
      : inProcessQueues,
    trainer: new TrainingSupervisor(config.training, log, undefined, options.trainingProcess),
    prometheus: new PrometheusMetrics(log),
    requestStats: new RequestStats(config.monitoring.windowSeconds),
    network: new NetworkCounters(),
    startedAt: new Date(),
  };
}

/**
 * Every service, built once per process: the platform, then each module's services in registry
 * order. A factory sees only what the platform and earlier modules built; reading a later
 * module's service throws, naming the order to fix, instead of handing it `undefined`.
 */
export function createServices(config: Config, db: Database, log: Logger, modules: readonly AimassModule[] = MODULES, platform: PlatformOptions = {}): Services {
  const built: Record<string, unknown> = { ...createPlatform(config, db, log, platform) };
  for (const module of modules) {
    const visible = new Proxy(built, {
      get(target, key) {
        if (typeof key === 'string' && !(key in target)) {
          throw new Error(`module ${module.name} reads services.${key}, which no module before it in src/server/registry.ts builds`);
        }
        return target[key as string];
      },
    });
    const own = module.services?.(visible as unknown as Platform, visible as unknown as Services) ?? {};
    for (const [key, service] of Object.entries(own)) {
      if (key in built) throw new Error(`module ${module.name} builds services.${key}, which already exists`);
      built[key] = service;
    }
  }
  return built as unknown as Services;
}
