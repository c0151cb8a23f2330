import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { Roles } from '../shared/role';
import type { Context } from '../shared/context';
import { DatabaseKind, SystemInfo, Worker } from './system-info.type';
import { systemFacts } from './system-facts';

@Resolver()
export class SystemResolver {
  @Authorized(...Roles.READERS)
  @Query(() => SystemInfo, { description: 'Version, runtime, database and machine-learning backend of this server.' })
  async systemInfo(@Ctx() { services }: Context): Promise<SystemInfo> {
    const [facts, queue, workers] = await Promise.all([systemFacts(services.db), services.trainingQueue.counts(), services.workers.list()]);
    return Object.assign(new SystemInfo(), {
      version: facts.version,
      nodeVersion: process.version,
      database: services.db.kind === 'sqlite' ? DatabaseKind.SQLITE : DatabaseKind.MYSQL,
      databaseVersion: facts.databaseVersion,
      tfjsBackend: services.training.lastBackend ?? services.config.training.backend ?? 'not loaded yet: the first training run picks tensorflow, wasm or cpu',
      trainingQueued: queue.waiting,
      trainingRunning: queue.running,
      workers: workers.map((worker) => Object.assign(new Worker(), worker)),
      instance: services.instanceId,
      startedAt: services.startedAt,
      uptimeSeconds: (Date.now() - services.startedAt.getTime()) / 1000,
    });
  }
}
