import { frontDoor, type FrontDoor } from './front-door';
import { startApiProcess, startWorkerProcess, stopped, type ApiProcess, type WorkerProcess } from './processes';

export interface ClusterOptions {
  /** API instances (`npm start` with RUN_WORKER=false), behind one port. */
  apis: number;
  /** Worker processes (`npm run worker`). */
  workers: number;
  /** The front port; 0 picks a free one. */
  port: number;
  /** Settings of every process: DATABASE_URL and REDIS_URL at least. */
  env: Record<string, string>;
}

export interface LocalCluster {
  /** The GraphQL endpoint at the front door: every API instance behind it, in turn per connection. */
  url: string;
  apis: ApiProcess[];
  workers: WorkerProcess[];
  /** Starts one more worker (e.g. after one was killed). */
  addWorker(): Promise<WorkerProcess>;
  /** SIGTERM to every process (they drain and stop cleanly), then the front door closes. */
  stop(): Promise<void>;
}

/**
 * The scaled topology of docker-compose.yml as local processes: API instances that train
 * nothing, workers that train, one port in front. The first API instance starts alone, so the
 * database's migrations run once before the others connect.
 */
export async function launchCluster({ apis, workers, port, env }: ClusterOptions): Promise<LocalCluster> {
  if (!env.DATABASE_URL || !env.REDIS_URL) throw new Error('a cluster needs DATABASE_URL (MariaDB/MySQL) and REDIS_URL');
  const started: { child: ApiProcess['child'] }[] = [];
  const track = <T extends { child: ApiProcess['child'] }>(p: T) => { started.push(p); return p; };
  let door: FrontDoor | null = null;
  try {
    const apiEnv = { ...env, RUN_WORKER: 'false' };
    const first = track(await startApiProcess(apiEnv));
    const rest = await Promise.all(Array.from({ length: apis - 1 }, () => startApiProcess(apiEnv).then(track)));
    const workerList = await Promise.all(Array.from({ length: workers }, () => startWorkerProcess(env).then(track)));
    const apiList = [first, ...rest];
    door = await frontDoor(apiList.map((api) => new URL(api.url)), port);
    const front = door;
    return {
      url: `${front.url}/graphql`,
      apis: apiList,
      workers: workerList,
      async addWorker() {
        const worker = track(await startWorkerProcess(env));
        workerList.push(worker);
        return worker;
      },
      async stop() {
        await Promise.all(started.map(({ child }) => stopped(child, 'SIGTERM')));
        await front.close();
      },
    };
  } catch (error) {
    await Promise.all(started.map(({ child }) => stopped(child)));
    await door?.close();
    throw error;
  }
}
