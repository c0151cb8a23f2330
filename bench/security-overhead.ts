import path from 'node:path';
import { startChildServer } from './lib/child-server';
import { createModelsWithVersions, scratchServices } from './lib/fixtures';
import { loadGraphQL, type LoadResult } from './lib/load';
import { BENCH_AUTH, BENCH_KEY_ENV, NESTED_QUERY } from './api-throughput';

/**
 * Throughput of the nested models query with keys, role checks, query limits, rate limiting and
 * the audit log on, against all of them off, alternating the two servers in one run.
 */
export async function benchSecurityOverhead(seconds: number) {
  const { services, file, close } = await scratchServices('security', BENCH_KEY_ENV);
  await createModelsWithVersions(services);
  await close();
  const script = path.resolve(__dirname, 'servers/aimass-server.js');
  const env = { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV };
  const runs: Record<'secure' | 'insecure', LoadResult[]> = { secure: [], insecure: [] };
  for (let round = 0; round < 2; round++) {
    for (const mode of ['insecure', 'secure'] as const) {
      const server = await startChildServer(script, { ...env, BENCH_INSECURE: mode === 'insecure' ? '1' : '0' });
      runs[mode].push(await loadGraphQL(server.url, NESTED_QUERY(50, 5), { seconds, headers: BENCH_AUTH }));
      await server.stop();
    }
  }
  const rps = (list: LoadResult[]) => list.reduce((sum, r) => sum + r.requestsPerSecond, 0) / list.length;
  return {
    requestsPerSecond: { securityOn: rps(runs.secure), securityOff: rps(runs.insecure) },
    ratioOnVsOff: rps(runs.secure) / rps(runs.insecure),
    failures: [...runs.secure, ...runs.insecure].reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}
