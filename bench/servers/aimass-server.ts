import 'reflect-metadata';
import { loadConfig } from '../../src/core/config';
import { startServer } from '../../src/server/start-server';

/**
 * aimass as main.ts starts it, or with BENCH_INSECURE=1 without keys, limits, rate limits and
 * audit: the baseline the security benchmark compares against. Never used outside bench/.
 */
async function main() {
  const server = await startServer(loadConfig(), { insecure: process.env.BENCH_INSECURE === '1' });
  console.log(`listening on ${server.url}`);
  process.on('SIGTERM', () => { void server.close().then(() => process.exit(0), () => process.exit(1)); });
}
void main();
