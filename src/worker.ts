import 'reflect-metadata';
import { runProcess } from './server/run-process';
import { startServer } from './server/start-server';

/**
 * `npm run worker`: a cluster worker. The same modules as the server, without HTTP or WebSocket:
 * it consumes the shared job queues (training runs in child processes, batch predictions) and
 * publishes over Redis what API instances stream. Needs REDIS_URL and the cluster's DATABASE_URL.
 */
runProcess(async (config, log) => {
  if (!config.redis) {
    console.error('npm run worker needs REDIS_URL: a worker takes its jobs from the shared queue');
    process.exit(2);
  }
  const server = await startServer({ ...config, training: { ...config.training, runWorker: true } }, { listen: false, log });
  log.info({ worker: server.services.instanceId, concurrency: config.training.concurrency }, 'aimass worker started');
  return server;
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
