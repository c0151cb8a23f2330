import 'reflect-metadata';
import { startApp } from './server/transport/http';
import { ConfigError, loadConfig, redactUrl } from './core/config';
import { Database } from './engines/db/database';
import { createLogger } from './core/logger';
import { createSchema } from './server/schema';
import { createServices, startMonitoring, stopTraining } from './server/services';
import { seedDemoData } from '../seeds';

/** Starts the server: config, database (migrated), demo seed, HTTP + WebSocket; stops cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const where = config.database.kind === 'sqlite' ? config.database.file : redactUrl(config.database.url);
  const db = await Database.open(config.database, log);
  log.info({ database: config.database.kind, where }, 'database ready, migrations applied');
  const services = createServices(config, db, log);
  await services.apiKeys.bootstrap();
  const swept = await services.artifacts.deleteOrphans();
  if (swept) log.info({ swept }, 'deleted artifacts left by failed writes');
  if (config.seedDemo) await seedDemoData(services);
  await services.training.recover();
  await services.batchPredictions.recover();
  services.predictionLog.start();
  await startMonitoring(services);
  const app = await startApp(services, await createSchema({ events: services.events }));
  log.info({ url: app.url.replace('127.0.0.1', 'localhost') }, `aimass listening on ${app.url.replace('127.0.0.1', 'localhost')}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining HTTP and WebSocket');
    try {
      await app.close();
      await stopTraining(services);
      await db.close();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
