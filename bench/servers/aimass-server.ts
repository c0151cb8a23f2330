import 'reflect-metadata';
import { startApp } from '../../src/server/transport/http';
import { loadConfig } from '../../src/core/config';
import { Database } from '../../src/engines/db/database';
import { createLogger } from '../../src/core/logger';
import { createSchema } from '../../src/server/schema';
import { createServices, startMonitoring, stopTraining } from '../../src/server/services';

/**
 * aimass as main.ts starts it, or with BENCH_INSECURE=1 without keys, limits, rate limits and
 * audit: the baseline the security benchmark compares against. Never used outside bench/.
 */
async function main() {
  const insecure = process.env.BENCH_INSECURE === '1';
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = await Database.open(config.database, log);
  const services = createServices(config, db, log);
  await services.apiKeys.bootstrap();
  // As main.ts does, so benchmarks measure what production runs.
  services.predictionLog.start();
  await startMonitoring(services);
  const app = await startApp(services, await createSchema({ insecure, events: services.events }), config.port, { insecure });
  console.log(`listening on ${app.url}`);
  process.on('SIGTERM', () => { void app.close().then(() => stopTraining(services)).then(() => db.close()).then(() => process.exit(0)); });
}
void main();
