import 'reflect-metadata';
import { loadConfig, type Config } from '../../src/core/config';
import type { Services } from '../../src/modules/shared/context';
import { startServer } from '../../src/server/start-server';
import { freshDatabase } from './test-database';

export interface TestServices {
  services: Services;
  config: Config;
  close(): Promise<void>;
}

/**
 * Every module's services over a fresh real database, started as production starts them but with
 * no HTTP, for tests of business rules (the Immich `newTestService` idea, with real parts). With
 * `start: false` no background work runs: queued jobs stay queued until the test consumes them.
 */
export async function startTestServices(options: { env?: Record<string, string>; start?: boolean } = {}): Promise<TestServices> {
  const { config: database, drop } = await freshDatabase();
  // A fixed first ADMIN key, so start-up does not print a generated one.
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'warn', SEED_DEMO: 'false', AIMASS_BOOTSTRAP_ADMIN_KEY: 'aim_servicetests_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', HEALTH_INTERVAL_SECONDS: '0', DRIFT_CHECK_INTERVAL_SECONDS: '0', TRAINING_SHUTDOWN_GRACE_SECONDS: '0', ...options.env }), database };
  const server = await startServer(config, { listen: false, start: options.start }).catch(async (error) => {
    await drop();
    throw error;
  });
  return {
    services: server.services,
    config,
    async close() {
      await server.close();
      await drop();
    },
  };
}
