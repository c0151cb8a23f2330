import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/core/config';
import { startServer } from '../src/server/start-server';
import { startChildServer } from './lib/child-server';
import { createModelsWithVersions } from './lib/fixtures';
import { loadGraphQL, type LoadResult } from './lib/load';
import { PREDICT_ONE, servingFixture } from './serving';

export const NESTED_QUERY = (first: number, inner: number) =>
  `{ models(first: ${first}) { edges { node { name versions(first: ${inner}) { edges { node { version } } } } } } }`;
const TRIVIAL_QUERY = '{ systemInfo { version } }';
/** Clients for Goal A: micro-batching coalesces concurrent predicts, so it is measured with as many as the serving benchmark uses. */
const PREDICT_CONNECTIONS = 64;

/** The benchmark's ADMIN key; its bucket is sized so the rate limit is evaluated but never bites. */
export const BENCH_KEY = 'aim_benchmark000_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
export const BENCH_KEY_ENV = { AIMASS_BOOTSTRAP_ADMIN_KEY: BENCH_KEY, RATE_LIMIT_ADMIN: '1000000/1000000' };
export const BENCH_AUTH = { authorization: `Bearer ${BENCH_KEY}` };

/** What each side measured in one round. */
interface SideRun { trivial: LoadResult; nested: LoadResult; predictOrOneField: LoadResult }

/**
 * SQL statements of the nested models query (counted by the TypeORM logger), then requests per
 * second of aimass against a bare @apollo/server (one field; the same 250 nested objects from
 * memory), each server in its own process, 3 alternating rounds, median and spread. Goal A: aimass
 * answering single-row predicts (the serving benchmark's MLP, 20 features, 64-64, live in
 * PRODUCTION with its durable log, micro-batched) from 64 clients against bare's one field from 64.
 */
export async function benchApiThroughput(seconds: number) {
  // The serving benchmark's trained and deployed MLP, and 200 models × 5 versions beside it (newer,
  // so they are the first 50 of `models`).
  const fixture = await servingFixture();
  await createModelsWithVersions(fixture.services);
  const predictOne = PREDICT_ONE(fixture.rows[0]);
  const file = fixture.file;
  await fixture.close();
  const app = await startServer({ ...loadConfig({ LOG_LEVEL: 'warn', ...BENCH_KEY_ENV }), database: { kind: 'sqlite', file } }, { port: 0 });
  const { services } = app;

  const statements: Record<string, number> = {};
  const post = (query: string) => fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...BENCH_AUTH }, body: JSON.stringify({ query }) });
  await post(TRIVIAL_QUERY); // the key's lookup (and its last-used write) first, so that they are not counted below
  for (const [first, inner] of [[50, 5], [100, 5], [10, 1], [50, 20]]) {
    const before = services.db.counter.count;
    const res = await post(NESTED_QUERY(first, inner));
    const body = await res.json() as { data?: { models: { edges: unknown[] } } };
    if (body.data?.models.edges.length !== first) throw new Error(`nested query failed: ${JSON.stringify(body).slice(0, 300)}`);
    statements[`models(first: ${first}) versions(first: ${inner})`] = services.db.counter.count - before;
  }
  await app.close();

  const dist = path.resolve(__dirname, '..');
  // BENCH_API_BEFORE_DIST: another build's dist/ (e.g. a copy made before a change, next to a
  // package.json and node_modules), measured as a
  // third side in the same rounds, so a change is compared before and after in one run.
  const before = process.env.BENCH_API_BEFORE_DIST;
  const aimassEnv = { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV };
  const sides: Record<string, () => Promise<SideRun>> = {
    bare: async () => {
      const bare = await startChildServer(path.join(dist, 'bench/servers/bare-apollo.js'));
      try {
        await warmUp(bare.url, '{ version }', NESTED_QUERY(50, 5), {});
        return {
          trivial: await withCpu(bare.process.pid!, () => loadGraphQL(bare.url, '{ version }', { seconds })),
          nested: await withCpu(bare.process.pid!, () => loadGraphQL(bare.url, NESTED_QUERY(50, 5), { seconds })),
          predictOrOneField: await withCpu(bare.process.pid!, () => loadGraphQL(bare.url, '{ version }', { seconds, connections: PREDICT_CONNECTIONS })),
        };
      } finally { await bare.stop(); }
    },
    aimass: () => measureAimass(path.join(dist, 'src/main.js'), aimassEnv, seconds, predictOne),
    ...(before ? { before: () => measureAimass(path.join(before, 'src/main.js'), aimassEnv, seconds, predictOne) } : {}),
  };
  const runs: Record<string, SideRun[]> = Object.fromEntries(Object.keys(sides).map((side) => [side, []]));
  // 3 rounds, the order of the servers rotating each round so drift in the machine's speed hits all alike.
  const names = Object.keys(sides);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < names.length; i++) {
      const side = names[(i + round) % names.length];
      runs[side].push(await sides[side]());
    }
  }
  const rps = (side: string, kind: keyof SideRun) => runs[side].map((r) => r[kind].requestsPerSecond);
  const ratios = (side: string, kind: keyof SideRun) => runs[side].map((r, i) => r[kind].requestsPerSecond / runs.bare[i][kind].requestsPerSecond);
  const summary = (values: number[]) => ({ median: round3(median(values)), min: round3(Math.min(...values)), max: round3(Math.max(...values)) });
  const failures = Object.values(runs).flat().flatMap((r) => Object.values(r) as LoadResult[]).reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  const cpuOf = (side: string, kind: keyof SideRun) => runs[side].map((r) => (r[kind] as { cpuMsPerRequest?: number }).cpuMsPerRequest ?? NaN);
  const cpu = (side: string, kind: keyof SideRun) => summary(cpuOf(side, kind));
  // Throughput the server's CPU alone allows, relative: bare's CPU per request over this side's.
  const cpuRatio = (side: string, base: string, kind: keyof SideRun) => summary(cpuOf(side, kind).map((ms, i) => cpuOf(base, kind)[i] / ms));
  const report = (side: string) => ({
    systemInfo: { requestsPerSecond: summary(rps(side, 'trivial')), p99Ms: summary(runs[side].map((r) => r.trivial.p99Ms)), vsBare: summary(ratios(side, 'trivial')), serverCpuMsPerRequest: cpu(side, 'trivial'), cpuVsBare: cpuRatio(side, 'bare', 'trivial') },
    nestedModels: { requestsPerSecond: summary(rps(side, 'nested')), p99Ms: summary(runs[side].map((r) => r.nested.p99Ms)), vsBare: summary(ratios(side, 'nested')), serverCpuMsPerRequest: cpu(side, 'nested'), cpuVsBare: cpuRatio(side, 'bare', 'nested') },
    // Goal A: single-row predicts against bare's one field, both from PREDICT_CONNECTIONS clients.
    predictOneRow: { connections: PREDICT_CONNECTIONS, requestsPerSecond: summary(rps(side, 'predictOrOneField')), p99Ms: summary(runs[side].map((r) => r.predictOrOneField.p99Ms)), vsBareOneField: summary(ratios(side, 'predictOrOneField')), serverCpuMsPerRequest: cpu(side, 'predictOrOneField'), cpuVsBareOneField: cpuRatio(side, 'bare', 'predictOrOneField') },
  });
  return {
    statements,
    bareApollo: {
      oneField: { requestsPerSecond: summary(rps('bare', 'trivial')), p99Ms: summary(runs.bare.map((r) => r.trivial.p99Ms)), serverCpuMsPerRequest: cpu('bare', 'trivial') },
      oneField64: { requestsPerSecond: summary(rps('bare', 'predictOrOneField')), p99Ms: summary(runs.bare.map((r) => r.predictOrOneField.p99Ms)), serverCpuMsPerRequest: cpu('bare', 'predictOrOneField') },
      nestedModels: { requestsPerSecond: summary(rps('bare', 'nested')), p99Ms: summary(runs.bare.map((r) => r.nested.p99Ms)), serverCpuMsPerRequest: cpu('bare', 'nested') },
    },
    aimass: report('aimass'),
    ...(before ? { before: report('before'), afterVsBefore: {
      systemInfo: { requestsPerSecond: summary(runs.aimass.map((r, i) => r.trivial.requestsPerSecond / runs.before[i].trivial.requestsPerSecond)), cpu: cpuRatio('aimass', 'before', 'trivial') },
      nestedModels: { requestsPerSecond: summary(runs.aimass.map((r, i) => r.nested.requestsPerSecond / runs.before[i].nested.requestsPerSecond)), cpu: cpuRatio('aimass', 'before', 'nested') },
      predictOneRow: { requestsPerSecond: summary(runs.aimass.map((r, i) => r.predictOrOneField.requestsPerSecond / runs.before[i].predictOrOneField.requestsPerSecond)), cpu: cpuRatio('aimass', 'before', 'predictOrOneField') },
    } } : {}),
    goals: { systemInfoVsBare: 0.85, nestedVsBare: 0.5, predictOneRowVsBareOneField: 0.8 },
    load: os.loadavg().map(round3),
    failures,
  };
}


async function measureAimass(script: string, env: Record<string, string>, seconds: number, predictOne: string): Promise<SideRun> {
  const aimass = await startChildServer(script, env);
  try {
    await warmUp(aimass.url, TRIVIAL_QUERY, NESTED_QUERY(50, 5), BENCH_AUTH);
    const answer = await fetch(aimass.url, { method: 'POST', headers: { 'content-type': 'application/json', ...BENCH_AUTH }, body: JSON.stringify({ query: predictOne }) }).then((res) => res.json()) as { data?: { predict: { predictions: unknown[] } } };
    if (answer.data?.predict.predictions.length !== 1) throw new Error(`predict failed: ${JSON.stringify(answer).slice(0, 300)}`);
    await loadGraphQL(aimass.url, predictOne, { seconds: 1, connections: PREDICT_CONNECTIONS, headers: BENCH_AUTH });
    return {
      trivial: await withCpu(aimass.process.pid!, () => loadGraphQL(aimass.url, TRIVIAL_QUERY, { seconds, headers: BENCH_AUTH })),
      nested: await withCpu(aimass.process.pid!, () => loadGraphQL(aimass.url, NESTED_QUERY(50, 5), { seconds, headers: BENCH_AUTH })),
      predictOrOneField: await withCpu(aimass.process.pid!, () => loadGraphQL(aimass.url, predictOne, { seconds, connections: PREDICT_CONNECTIONS, headers: BENCH_AUTH })),
    };
  } finally { await aimass.stop(); }
}

/** Two seconds of each query before measuring, so that a fresh process's JIT warm-up is not measured. */
async function warmUp(url: string, trivial: string, nested: string, headers: Record<string, string>) {
  await loadGraphQL(url, trivial, { seconds: 1, headers });
  await loadGraphQL(url, nested, { seconds: 1, headers });
}

/** CPU time of a process (user + system, ms), from /proc; NaN where there is none. */
export function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/**
 * The server's CPU milliseconds per request besides the load's figures: on 2 cores shared with the
 * load generator (and other work), CPU per request moves far less than requests per second.
 */
async function withCpu(pid: number, load: () => Promise<LoadResult>): Promise<LoadResult & { cpuMsPerRequest: number }> {
  const start = cpuMs(pid);
  const result = await load();
  return { ...result, cpuMsPerRequest: (cpuMs(pid) - start) / Math.max(1, result.requests) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
