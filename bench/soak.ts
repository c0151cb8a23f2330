import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareHeapSummaries, HEAP_SNAPSHOT_NODE_OPTIONS, summarizeHeapSnapshot, takeHeapSnapshot } from './lib/heap-snapshot';
import { sampleServer } from './lib/server-sampler';
import { metricSubscribers, openHandles, runMixedLoad, startMixedLoadServer } from './lib/mixed-load';

/**
 * `npm run test:soak`: the Load mix at half the rate for SOAK_MINUTES (default 30) — not in CI.
 * The full rate is measured first (20 s), then each minute of the soak reports the server's peak
 * RSS and heap floor of that minute (server-sampler.ts: read every second, since single readings
 * of a sawing heap differ by ±15 %), the event loop's p99 lag (median second and worst second) and
 * open handles (file descriptors). The run fails on any error, or when a straight line fitted to
 * the second half's peak RSS, heap floor or handles (Theil–Sen: see growth) rises by more than 5 %
 * of their level (memory that levels off passes; a leak does not).
 *
 * SOAK_HEAP_SNAPSHOTS=1 also takes a heap snapshot after the first minute and after the last
 * (between minutes, with only the subscribers attached), and prints the live heap of both and the
 * constructors that grew most: where a leak would show its retainer. A snapshot costs the server
 * a pause of a few seconds and memory that glibc keeps, so these runs' RSS is not the plain one.
 */
/**
 * The rise of a robust straight line through `values` (one a minute), as a fraction of their
 * median: the Theil–Sen estimator, the median of the slopes between every pair of minutes. Least
 * squares let one minute decide: in a 30-minute soak a single minute whose peak RSS read 479 MB
 * among 300–405 MB ones made +10 % of a level series; the median of slopes ignores such minutes
 * and still follows a series that keeps rising.
 */
function growth(values: number[]): number {
  if (values.length < 2) return 0;
  const slopes: number[] = [];
  for (let i = 0; i < values.length; i++) for (let j = i + 1; j < values.length; j++) slopes.push((values[j] - values[i]) / (j - i));
  return (median(slopes) * (values.length - 1)) / median(values);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const minutes = Number(process.env.SOAK_MINUTES ?? 30);
  const snapshots = process.env.SOAK_HEAP_SNAPSHOTS === '1';
  const snapshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-soak-heap-'));
  const dist = path.resolve(__dirname, '..');
  const target = await startMixedLoadServer(dist, snapshots ? { NODE_OPTIONS: HEAP_SNAPSHOT_NODE_OPTIONS(snapshotDir) } : {});
  const subscribers = metricSubscribers(target.server.url, target.runId, 200);
  const sampler = sampleServer(target.pid, target.server.url);
  const heapFiles: string[] = [];
  const samples: { minute: number; peakRssMb: number; heapFloorMb: number | null; peakHeapTotalMb: number | null; lagP99Ms: { median: number; max: number } | null; handles: number; requestsPerSecond: number; p99Ms: number; errors: number; load: string }[] = [];
  let failed = false;
  try {
    const full = await runMixedLoad(target, { seconds: 20 });
    const rate = Math.max(1, Math.round(full.requestsPerSecond / 2));
    console.log(JSON.stringify({ fullRate: full.requestsPerSecond, soakRate: rate, minutes, snapshots, load: os.loadavg().map((l) => l.toFixed(2)).join(' ') }));
    for (let minute = 1; minute <= minutes; minute++) {
      const from = sampler.elapsedMs();
      const result = await runMixedLoad(target, { seconds: 60, rate });
      const window = sampler.window(from, sampler.elapsedMs());
      const sample = {
        minute, peakRssMb: window.peakRssMb, heapFloorMb: window.heapFloorMb, peakHeapTotalMb: window.peakHeapTotalMb, lagP99Ms: window.lagP99Ms, handles: openHandles(target.pid),
        requestsPerSecond: result.requestsPerSecond, p99Ms: result.p99Ms, errors: result.errorCount, load: os.loadavg()[0].toFixed(2),
      };
      samples.push(sample);
      console.log(JSON.stringify(sample));
      if (result.errorCount) failed = true;
      if (snapshots && (minute === 1 || minute === minutes)) heapFiles.push(await takeHeapSnapshot(target.pid, snapshotDir, target.server.url));
    }
  } finally {
    sampler.stop();
    await subscribers.close();
    await target.close();
  }
  const half = samples.slice(Math.floor(samples.length / 2));
  // A minute at half rate may hold no major collection, so its floor is judged over 3 minutes.
  const floors = half.map((_s, i) => Math.min(...half.slice(Math.max(0, i - 1), i + 2).map((s) => s.heapFloorMb ?? Infinity))).filter(Number.isFinite);
  const verdict = {
    rssGrowthSecondHalf: +growth(half.map((s) => s.peakRssMb)).toFixed(3),
    heapFloorGrowthSecondHalf: +growth(floors).toFixed(3),
    handleGrowthSecondHalf: +growth(half.map((s) => s.handles)).toFixed(3),
    errors: samples.reduce((a, s) => a + s.errors, 0),
  };
  console.log(JSON.stringify(verdict));
  if (heapFiles.length === 2) {
    console.log(JSON.stringify({ heap: compareHeapSummaries(summarizeHeapSnapshot(heapFiles[0]), summarizeHeapSnapshot(heapFiles[1])) }));
  }
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  if (failed || verdict.rssGrowthSecondHalf > 0.05 || verdict.heapFloorGrowthSecondHalf > 0.05 || verdict.handleGrowthSecondHalf > 0.05) {
    console.error('soak failed: errors, or growth that does not level off');
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
