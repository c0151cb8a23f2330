import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { BENCH_AUTH, BENCH_KEY_ENV, cpuMs } from './api-throughput';
import { gql } from './lib/graphql-client';
import { loadGraphQL, type LoadResult } from './lib/load';
import { round } from './lib/training-data';
import { PREDICT_ONE, servingFixture } from './serving';

const METRICS = 'subscription($runId: ID!) { trainingMetrics(runId: $runId) { name step timestamp } }';
/** Sockets opened at a time: well under the listen backlog, and each batch is authenticated before the next. */
const OPEN_BATCH = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One subscriber's view of the `loss` series: it must see steps 1, 2, 3, … with no gap. */
interface Subscriber { client: Client; warm: boolean; next: number; received: number; outOfOrder: boolean; error: string | null }

/**
 * `clients` subscribers on the publisher's run, spread in turn over `servers` (the publisher
 * itself, or API instances hearing it over Redis), then one fan-out: latency percentiles, what
 * each client missed, and each server's peak RSS (VmHWM, read from /proc at the end).
 */
export async function measureFanout(publisher: BenchServer, servers: { url: string; pid: number }[], clients: number) {
  const runId = publisher.runId!;
  // Milliseconds 0…10,000 (the last bucket holds anything slower): percentiles without storing every delivery.
  const histogram = new Uint32Array(10_001);
  let maxMs = 0;
  const subs: Subscriber[] = [];
  try {
    const openStarted = performance.now();
    for (let i = 0; i < clients; i += OPEN_BATCH) {
      const batch = Array.from({ length: Math.min(OPEN_BATCH, clients - i) }, (_, j) => openSubscriber(servers[(i + j) % servers.length].url, runId, (ms) => {
        histogram[Math.min(ms, 10_000)]++;
        maxMs = Math.max(maxMs, ms);
      }));
      subs.push(...await Promise.all(batch));
    }
    const openSeconds = (performance.now() - openStarted) / 1000;
    // No acknowledgement exists for a subscribe: a client is live once it has had a warm-up point.
    publisher.send('warmup');
    for (let waited = 0; subs.some((s) => !s.warm && !s.error) && waited < 30_000; waited += 100) await sleep(100);
    const notLive = subs.filter((s) => !s.warm).length;
    // CPU over the fan-out itself, the servers' and this process's (the load generator shares the 2 cores).
    const cpuAtGo = servers.map((server) => cpuMs(server.pid));
    const clientCpuAtGo = process.cpuUsage();
    const goAt = performance.now();
    publisher.send('go');
    const done = JSON.parse(await publisher.line('done ')) as { published: number; seconds: number; maxPublishLagMs: number; rssAtGoMb: number; peakRssMb: number; gcMs: number };
    // Let the last points land: until every subscriber has all of them, or 10 s with nothing new.
    const total = () => subs.reduce((sum, s) => sum + s.received, 0);
    for (let last = -1, still = 0; total() < done.published * clients && still < 100; still = total() === last ? still + 1 : 0, last = total()) await sleep(100);
    const wallMs = performance.now() - goAt;
    const serverCpuMs = servers.map((server, i) => cpuMs(server.pid) - cpuAtGo[i]);
    const clientCpu = process.cpuUsage(clientCpuAtGo);

    const delivered = total();
    const pct = (p: number) => {
      const rank = Math.max(1, Math.ceil((p / 100) * delivered));
      let seen = 0;
      for (let ms = 0; ms < histogram.length; ms++) if ((seen += histogram[ms]) >= rank) return ms;
      return NaN;
    };
    const errors = [...new Set(subs.map((s) => s.error).filter(Boolean))].slice(0, 5);
    return {
      clients, openSeconds: round(openSeconds, 2), clientsNotLiveBeforeGo: notLive, errors,
      eventsPublished: done.published, publishSeconds: round(done.seconds, 2), maxPublishLagMs: done.maxPublishLagMs,
      deliveries: { expected: done.published * clients, received: delivered },
      clientsWithMissingEvent: subs.filter((s) => s.received !== done.published || s.outOfOrder).length,
      clientsOutOfOrder: subs.filter((s) => s.outOfOrder).length,
      latencyMs: { p50: pct(50), p99: pct(99), max: maxMs },
      // Cores busy over the fan-out (1 = one core all the time), and the publisher's GC share of its CPU.
      cores: { servers: serverCpuMs.map((ms) => round(ms / wallMs, 2)), client: round((clientCpu.user + clientCpu.system) / 1000 / wallMs, 2) },
      serverCpuUsPerDelivery: round((serverCpuMs.reduce((a, b) => a + b, 0) * 1000) / Math.max(1, delivered), 2),
      publisherGcShareOfCpu: round(done.gcMs / Math.max(1, serverCpuMs[servers.indexOf(publisher)] ?? NaN), 3),
      // The kernel's high-water mark too: a server still sending after its last publish grows past what it sampled by then.
      serverRssMb: servers.length === 1 && servers[0] === publisher ? { atGo: done.rssAtGoMb, peak: Math.max(done.peakRssMb, peakRssMb(publisher.pid)) } : servers.map((server) => ({ peak: peakRssMb(server.pid) })),
      loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
    };
  } finally {
    await Promise.all(subs.map((s) => s.client.dispose()));
  }
}

/** A process's peak resident memory so far (Linux's VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const match = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

// The ASYNC log throughout (sampling needs it): the DURABLE log's cost is the serving benchmark's.
const ASYNC = { PREDICTION_LOG_DURABILITY_PRODUCTION: 'ASYNC' };
const MONITORING = {
  off: { ...ASYNC, HEALTH_INTERVAL_SECONDS: '0', DRIFT_CHECK_INTERVAL_SECONDS: '0', PREDICTION_LOG_SAMPLE_RATE: '0' },
  on: { ...ASYNC, HEALTH_INTERVAL_SECONDS: '1', DRIFT_CHECK_INTERVAL_SECONDS: '5', PREDICTION_LOG_SAMPLE_RATE: '1' },
  // The two halves apart, to say which one costs what.
  logOnly: { ...ASYNC, HEALTH_INTERVAL_SECONDS: '0', DRIFT_CHECK_INTERVAL_SECONDS: '0', PREDICTION_LOG_SAMPLE_RATE: '1' },
  samplerAndDriftOnly: { ...ASYNC, HEALTH_INTERVAL_SECONDS: '1', DRIFT_CHECK_INTERVAL_SECONDS: '5', PREDICTION_LOG_SAMPLE_RATE: '0' },
};
type Mode = keyof typeof MONITORING;

/**
 * Monitoring overhead: single-row predicts from 64 autocannon connections for
 * BENCH_SERVING_SECONDS (15) against servingFixture's PRODUCTION model, with health snapshots
 * every second, a drift check every 5 s and every row logged, against all three off; off, on,
 * off, on, so drift in the machine's speed hits both alike. The server is fanout-server.js with
 * BENCH_FANOUT_RUN=0: main.ts's start, at LOG_LEVEL=warn (bench/servers/aimass-server.ts starts
 * neither monitoring nor the prediction-log sweeper). On 2 cores autocannon takes most of one.
 */
export async function benchMonitoring(seconds = Number(process.env.BENCH_SERVING_SECONDS ?? 15)) {
  const { file, rows, close } = await servingFixture();
  await close();
  const predict = PREDICT_ONE(rows[0]);
  const runs: Record<Mode, (LoadResult & { healthRequestRate?: number })[]> = { off: [], on: [], logOnly: [], samplerAndDriftOnly: [] };
  for (let pass = 0; pass < 2; pass++) {
    for (const mode of ['off', 'on', 'logOnly', 'samplerAndDriftOnly'] as const) {
      const server = await startBenchServer(`sqlite:${file}`, { BENCH_FANOUT_RUN: '0', ...MONITORING[mode] });
      try {
        // Loads the model into the cache and warms the kernels before timing.
        for (let i = 0; i < 20; i++) await gql(server.url, predict);
        const result = await loadGraphQL(server.url, predict, { seconds, connections: 64, headers: BENCH_AUTH });
        // Shows the sampler really ran and saw the load (HEALTH_WINDOW_SECONDS, default 60 s, of requests).
        if (mode === 'on') Object.assign(result, { healthRequestRate: round2((await gql(server.url, '{ health { requestRate } }')).health.requestRate) });
        runs[mode].push(result);
      } finally {
        await server.stop();
      }
    }
  }
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const rps = (list: LoadResult[]) => list.reduce((sum, r) => sum + r.requestsPerSecond, 0) / list.length;
  return {
    seconds, connections: 64, settings: MONITORING, runs,
    requestsPerSecond: { on: round2(rps(runs.on)), off: round2(rps(runs.off)), logOnly: round2(rps(runs.logOnly)), samplerAndDriftOnly: round2(rps(runs.samplerAndDriftOnly)) },
    ratioOnVsOff: round(rps(runs.on) / rps(runs.off)),
    ratioLogOnlyVsOff: round(rps(runs.logOnly) / rps(runs.off)),
    ratioSamplerAndDriftOnlyVsOff: round(rps(runs.samplerAndDriftOnly) / rps(runs.off)),
    ratioPerRound: runs.on.map((r, i) => round(r.requestsPerSecond / runs.off[i].requestsPerSecond)),
    goal: 'ratio >= 0.95',
    failures: Object.values(runs).flat().reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

const round2 = (value: number) => round(value, 2);

/** A connected, authenticated client with one trainingMetrics subscription on `runId`. */
async function openSubscriber(url: string, runId: string, onLatency: (ms: number) => void): Promise<Subscriber> {
  const sub: Subscriber = { client: null as never, warm: false, next: 1, received: 0, outOfOrder: false, error: null };
  await new Promise<void>((resolve) => {
    sub.client = createClient({
      url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: BENCH_AUTH.authorization },
      lazy: false, retryAttempts: 0,
      on: {
        connected: () => resolve(),
        closed: (event) => { sub.error ??= `closed ${(event as { code?: number }).code}`; resolve(); },
        error: (error) => { sub.error ??= String((error as Error)?.message ?? error); resolve(); },
      },
    });
  });
  if (sub.error) return sub;
  sub.client.subscribe<{ trainingMetrics: { name: string; step: number; timestamp: number } }>({ query: METRICS, variables: { runId } }, {
    next: ({ data, errors }) => {
      if (errors?.length) { sub.error ??= JSON.stringify(errors).slice(0, 300); return; }
      const point = data!.trainingMetrics;
      if (point.name === 'warmup') { sub.warm = true; return; }
      onLatency(Math.max(0, Date.now() - point.timestamp));
      if (point.step !== sub.next) sub.outOfOrder = true;
      sub.next = point.step + 1;
      sub.received++;
    },
    error: (error) => { sub.error ??= `subscription: ${JSON.stringify(error).slice(0, 300)}`; },
    complete: () => {},
  });
  return sub;
}

/**
 * bench/servers/fanout-server.js in a child process over `databaseUrl`, with the benchmark's ADMIN
 * key, and stdin kept open: it is the fan-out's control channel (startChildServer closes stdin).
 * `line(prefix)` waits for the next stdout line that starts so; stop() SIGKILLs after 8 s.
 */
export type BenchServer = Awaited<ReturnType<typeof startBenchServer>>;

export async function startBenchServer(databaseUrl: string, env: Record<string, string>, script = path.resolve(__dirname, 'servers/fanout-server.js')) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, ...BENCH_KEY_ENV, ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (data) => { stderr = (stderr + data).slice(-4000); });
  let runId: string | null = null;
  const waiting: { prefix: string; resolve: (rest: string) => void }[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (text) => {
    if (text.startsWith('run ')) runId = text.slice(4).trim();
    const i = waiting.findIndex((w) => text.startsWith(w.prefix));
    if (i < 0) return;
    const [w] = waiting.splice(i, 1);
    w.resolve(text.slice(w.prefix.length));
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`fanout-server exited with ${code}:\n${stderr}`))));
  exited.catch(() => undefined);
  const line = (prefix: string) => Promise.race([exited, new Promise<string>((resolve) => waiting.push({ prefix, resolve }))]);
  // `run <id>` comes before `listening on`, so runId is known once this resolves.
  const url = (await line('listening on ')).trim();
  return {
    url, pid: child.pid!, runId: runId as string | null, line,
    send: (command: string) => { child.stdin!.write(`${command}\n`); },
    stop: () => new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
      child.once('exit', () => { clearTimeout(timer); done(); });
      child.kill('SIGTERM');
    }),
  };
}
