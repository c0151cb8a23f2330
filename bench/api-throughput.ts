import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/core/config';
import { startServer } from '../src/server/start-server';
import { startChildServer } from './lib/child-server';
import { createModelsWithVersions } from './lib/fixtures';
import { loadGraphQL, type LoadResult } from './lib/load';

export const NESTED_QUERY = (first: number, inner: number) =>
  `{ models(first: ${first}) { edges { node { name versions(first: ${inner}) { edges { node { version } } } } } } }`;
const TRIVIAL_QUERY = '{ systemInfo { version } }';

/** The benchmark's ADMIN key; its bucket is sized so the rate limit is evaluated but never bites. */
export const BENCH_KEY = 'aim_benchmark000_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
export const BENCH_KEY_ENV = { AIMASS_BOOTSTRAP_ADMIN_KEY: BENCH_KEY, RATE_LIMIT_ADMIN: '1000000/1000000' };
export const BENCH_AUTH = { authorization: `Bearer ${BENCH_KEY}` };

/**
 * SQL statements of the nested models query (counted by the TypeORM logger), then requests per
 * second of aimass against a bare @apollo/server, each server in its own process, in one run.
 */
export async function benchApiThroughput(seconds: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-api-'));
  const file = path.join(dir, 'bench.sqlite');
  const app = await startServer({ ...loadConfig({ LOG_LEVEL: 'warn', ...BENCH_KEY_ENV }), database: { kind: 'sqlite', file } }, { port: 0 });
  const { services } = app;
  await createModelsWithVersions(services);

  const statements: Record<string, number> = {};
  for (const [first, inner] of [[50, 5], [100, 5], [10, 1], [50, 20]]) {
    const before = services.db.counter.count;
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...BENCH_AUTH }, body: JSON.stringify({ query: NESTED_QUERY(first, inner) }) });
    const body = await res.json() as { data?: { models: { edges: unknown[] } } };
    if (body.data?.models.edges.length !== first) throw new Error(`nested query failed: ${JSON.stringify(body).slice(0, 300)}`);
    statements[`models(first: ${first}) versions(first: ${inner})`] = services.db.counter.count - before;
  }
  await app.close();

  const dist = path.resolve(__dirname, '..');
  const runs: Record<string, LoadResult[]> = { bare: [], trivial: [], nested: [] };
  // Alternate the servers so drift in the machine's speed hits both alike.
  for (let round = 0; round < 2; round++) {
    const bare = await startChildServer(path.join(dist, 'bench/servers/bare-apollo.js'));
    runs.bare.push(await loadGraphQL(bare.url, '{ version }', { seconds }));
    await bare.stop();
    const aimass = await startChildServer(path.join(dist, 'src/main.js'), { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV });
    runs.trivial.push(await loadGraphQL(aimass.url, TRIVIAL_QUERY, { seconds, headers: BENCH_AUTH }));
    runs.nested.push(await loadGraphQL(aimass.url, NESTED_QUERY(50, 5), { seconds, headers: BENCH_AUTH }));
    await aimass.stop();
  }
  const rps = (list: LoadResult[]) => list.reduce((sum, r) => sum + r.requestsPerSecond, 0) / list.length;
  const failures = Object.values(runs).flat().reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  return {
    statements,
    requestsPerSecond: { bareApollo: rps(runs.bare), systemInfo: rps(runs.trivial), nestedModels: rps(runs.nested) },
    p99Ms: { bareApollo: runs.bare[1].p99Ms, systemInfo: runs.trivial[1].p99Ms, nestedModels: runs.nested[1].p99Ms },
    ratios: { systemInfoVsBare: rps(runs.trivial) / rps(runs.bare), nestedVsBare: rps(runs.nested) / rps(runs.bare) },
    failures,
  };
}
