import 'reflect-metadata';
import { runProcess } from './server/run-process';
import { startServer } from './server/start-server';
import { seedDemoData } from '../seeds';

/** `npm start`: the server (see startServer for the order), with the demo seed on an empty database. */
runProcess(async (config, log) => {
  const server = await startServer(config, { seed: config.seedDemo ? seedDemoData : undefined, log });
  const url = server.url.replace('127.0.0.1', 'localhost');
  log.info({ url }, `aimass listening on ${url}`);
  return server;
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
