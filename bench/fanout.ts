import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { round } from './lib/training-data';
import { median } from './lib/training-run';
import { measureFanout, startBenchServer } from './monitoring';

type Run = Awaited<ReturnType<typeof measureFanout>>;

/**
 * Subscription fan-out: BENCH_FANOUT_CLIENTS (1,000) graphql-ws sockets, one trainingMetrics
 * subscription each, on one run whose points bench/servers/fanout-server.ts publishes
 * (BENCH_FANOUT_RATE, 20, a second for BENCH_FANOUT_SECONDS, 30). Latency = this process's
 * Date.now() at arrival − the server's Date.now() at publish (one machine, one clock). The
 * clients live in this process, the server in its own; both CPUs are reported (`cores`), since
 * they share the machine's 2 cores and the clients' share is not the server's to spend.
 *
 * BENCH_FANOUT_BEFORE_DIST: another build's dist/ (a copy made before a change, next to a
 * package.json and node_modules), run as a second side in the same rounds, the order alternating.
 * BENCH_FANOUT_ROUNDS: rounds (3 with a before side, else 1). BENCH_FANOUT_PROFILE_DIR: a CPU
 * profile of each server over the fan-out, written there as <side>-<round>.cpuprofile.
 */
export async function benchFanout() {
  const clients = Number(process.env.BENCH_FANOUT_CLIENTS ?? 1000);
  const before = process.env.BENCH_FANOUT_BEFORE_DIST;
  const rounds = Number(process.env.BENCH_FANOUT_ROUNDS ?? (before ? 3 : 1));
  const profiles = process.env.BENCH_FANOUT_PROFILE_DIR;
  const scripts: Record<string, string> = { after: path.resolve(__dirname, 'servers/fanout-server.js') };
  if (before) scripts.before = path.join(before, 'bench/servers/fanout-server.js');
  const sides = Object.keys(scripts);
  const runs: Record<string, Run[]> = Object.fromEntries(sides.map((side) => [side, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(i + r) % sides.length];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-fanout-'));
      const env: Record<string, string> = profiles ? { BENCH_FANOUT_PROFILE: path.join(profiles, `${side}-${r + 1}.cpuprofile`) } : {};
      const server = await startBenchServer(`sqlite:${path.join(dir, 'bench.sqlite')}`, env, scripts[side]);
      try {
        runs[side].push(await measureFanout(server, [server], clients));
        console.log(`round ${r + 1} ${side}: ${JSON.stringify(brief(runs[side].at(-1)!))}`);
      } finally {
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const spread = (values: number[]) => ({ median: round(median(values), 3), min: round(Math.min(...values), 3), max: round(Math.max(...values), 3) });
  const summary = (list: Run[]) => ({
    p50Ms: spread(list.map((run) => run.latencyMs.p50)),
    p99Ms: spread(list.map((run) => run.latencyMs.p99)),
    peakRssMb: spread(list.map((run) => (run.serverRssMb as { peak: number }).peak)),
    serverCores: spread(list.map((run) => run.cores.servers[0])),
    clientCores: spread(list.map((run) => run.cores.client)),
    serverCpuUsPerDelivery: spread(list.map((run) => run.serverCpuUsPerDelivery)),
    gcShareOfServerCpu: spread(list.map((run) => run.publisherGcShareOfCpu)),
    clientsWithMissingEvent: list.map((run) => run.clientsWithMissingEvent),
  });
  return {
    clients, rate: Number(process.env.BENCH_FANOUT_RATE ?? 20), rounds,
    summary: Object.fromEntries(sides.map((side) => [side, summary(runs[side])])),
    runs,
    goals: { p99Ms: '<= 50', peakRssMb: '<= 250', clientsWithMissingEvent: 0, moonshot: '10,000 clients at 5/s: p99 <= 250 ms, no drops, RSS <= 800 MB' },
  };
}

const brief = (run: Run) => ({ p50: run.latencyMs.p50, p99: run.latencyMs.p99, max: run.latencyMs.max, rss: run.serverRssMb, missing: run.clientsWithMissingEvent, notLive: run.clientsNotLiveBeforeGo, errors: run.errors, cores: run.cores, gc: run.publisherGcShareOfCpu, load: run.loadAverageAtEnd });
