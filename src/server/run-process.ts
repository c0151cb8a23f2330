import { ConfigError, loadConfig, type Config } from '../core/config';
import { createLogger, type Logger } from '../core/logger';
import type { RunningServer } from './start-server';

/**
 * What main.ts and worker.ts share: read the configuration (a bad one exits 2 with every problem
 * named), start, and stop cleanly on SIGTERM/SIGINT (exit 0; 1 when the stop itself failed).
 */
export async function runProcess(start: (config: Config, log: Logger) => Promise<RunningServer>): Promise<void> {
  let config: Config;
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
  const server = await start(config, log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await server.close();
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
