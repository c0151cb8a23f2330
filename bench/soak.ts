import os from 'node:os';
import path from 'node:path';
import { eventLoopLagMs, metricSubscribers, openHandles, rssMb, runMixedLoad, startMixedLoadServer } from './lib/mixed-load';

/**
 * `npm run test:soak`: the Load mix at half the rate for SOAK_MINUTES (default 30) — not in CI.
 * The full rate is measured first (20 s), then each minute of the soak reports the server's RSS,
 * event-loop lag (p99) and open handles (file descriptors). The run fails when RSS or handles
 * still grow in its second half: a straight line fitted to the second half's samples may not
 * rise by more than 5 % of their level (memory that levels off passes; a leak does not).
 */
async function main() {
  const minutes = Number(process.env.SOAK_MINUTES ?? 30);
  const dist = path.resolve(__dirname, '..');
  const target = await startMixedLoadServer(dist);
  const subscribers = metricSubscribers(target.server.url, target.runId, 200);
  const samples: { minute: number; rssMb: number; lagMs: number | null; handles: number; requestsPerSecond: number; p99Ms: number; errors: number; load: string }[] = [];
  let failed = false;
  try {
    const full = await runMixedLoad(target, { seconds: 20 });
    const rate = Math.max(1, Math.round(full.requestsPerSecond / 2));
    console.log(JSON.stringify({ fullRate: full.requestsPerSecond, soakRate: rate, minutes, load: os.loadavg().map((l) => l.toFixed(2)).join(' ') }));
    for (let minute = 1; minute <= minutes; minute++) {
      const result = await runMixedLoad(target, { seconds: 60, rate });
      const sample = {
        minute, rssMb: Math.round(rssMb(target.pid)), lagMs: await eventLoopLagMs(target.server.url), handles: openHandles(target.pid),
        requestsPerSecond: result.requestsPerSecond, p99Ms: result.p99Ms, errors: result.errorCount, load: os.loadavg()[0].toFixed(2),
      };
      samples.push(sample);
      console.log(JSON.stringify(sample));
      if (result.errorCount) failed = true;
    }
  } finally {
    await subscribers.close();
    await target.close();
  }
  const half = samples.slice(Math.floor(samples.length / 2));
  const growth = (values: number[]) => {
    if (values.length < 2) return 0;
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const xMean = (n - 1) / 2;
    const slope = values.reduce((sum, v, i) => sum + (i - xMean) * (v - mean), 0) / values.reduce((sum, _v, i) => sum + (i - xMean) ** 2, 0);
    return (slope * (n - 1)) / mean;
  };
  const verdict = { rssGrowthSecondHalf: +growth(half.map((s) => s.rssMb)).toFixed(3), handleGrowthSecondHalf: +growth(half.map((s) => s.handles)).toFixed(3), errors: samples.reduce((a, s) => a + s.errors, 0) };
  console.log(JSON.stringify(verdict));
  if (failed || verdict.rssGrowthSecondHalf > 0.05 || verdict.handleGrowthSecondHalf > 0.05) {
    console.error('soak failed: errors, or growth that does not level off');
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
