import fs from 'node:fs';

/**
 * Samples a server once a second while load runs: RSS from /proc, and the V8 heap and the event
 * loop's lag from its /metrics.
 *
 * Why windows and not two readings: one RSS reading of a loaded Node process says little. The heap
 * saws up and down by a third between major collections, so two readings can differ by ±15 % with
 * nothing leaking. The load test and the soak compare windows instead: the peak RSS of a window
 * (what a container's memory limit meets) and the heap's floor (the least heap in use, close to
 * what survives a major collection: a leak raises it).
 *
 * Why the lag comes from every sample: prom-client resets its event-loop histogram at each scrape,
 * so one read after a run would cover only the second since the sampler's last scrape.
 */
export interface ServerSample {
  atMs: number;
  rssMb: number;
  heapUsedMb: number | null;
  heapTotalMb: number | null;
  lagP99Ms: number | null;
}

export interface ServerWindow {
  samples: number;
  peakRssMb: number;
  heapFloorMb: number | null;
  peakHeapTotalMb: number | null;
  /** The event loop's p99 lag of each second: its median over the window, and the worst second. */
  lagP99Ms: { median: number; max: number } | null;
}

/** The server's resident memory (MB), from /proc. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

/** The V8 heap in use and reserved (MB) and the event loop's p99 lag since the last scrape (ms), from /metrics. */
export async function scrapeServer(url: string): Promise<{ heapUsedMb: number; heapTotalMb: number; lagP99Ms: number } | null> {
  try {
    const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    const read = (name: string) => Number(text.match(new RegExp(`^aimass_nodejs_${name} (\\S+)$`, 'm'))?.[1]);
    const scraped = { heapUsedMb: read('heap_size_used_bytes') / 1048576, heapTotalMb: read('heap_size_total_bytes') / 1048576, lagP99Ms: read('eventloop_lag_p99_seconds') * 1000 };
    return Object.values(scraped).every(Number.isFinite) ? scraped : null;
  } catch {
    return null; // A scrape the server could not answer is left out of the sample, not a failure.
  }
}

export function sampleServer(pid: number, url: string, intervalMs = 1000) {
  const started = Date.now();
  const samples: ServerSample[] = [];
  let scraping = false;
  const timer = setInterval(() => {
    // RSS is read on time every second; the server answers its scrape late under load, so the
    // scrape's figures join the sample when they come, one scrape at a time.
    const sample: ServerSample = { atMs: Date.now() - started, rssMb: rssMb(pid), heapUsedMb: null, heapTotalMb: null, lagP99Ms: null };
    samples.push(sample);
    if (scraping) return;
    scraping = true;
    void scrapeServer(url).then((scraped) => {
      Object.assign(sample, scraped);
      scraping = false;
    });
  }, intervalMs);
  return {
    samples,
    /** The samples taken between `fromMs` and `toMs` after the sampler started, summarised. */
    window: (fromMs: number, toMs: number): ServerWindow => summarizeSamples(samples.filter((s) => s.atMs >= fromMs && s.atMs < toMs)),
    elapsedMs: () => Date.now() - started,
    stop: () => clearInterval(timer),
  };
}

export function summarizeSamples(samples: ServerSample[]): ServerWindow {
  const present = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
  const heapUsed = present(samples.map((s) => s.heapUsedMb));
  const heapTotal = present(samples.map((s) => s.heapTotalMb));
  const lags = present(samples.map((s) => s.lagP99Ms)).sort((a, b) => a - b);
  return {
    samples: samples.length,
    peakRssMb: Math.round(Math.max(0, ...samples.map((s) => s.rssMb))),
    heapFloorMb: heapUsed.length ? Math.round(Math.min(...heapUsed)) : null,
    peakHeapTotalMb: heapTotal.length ? Math.round(Math.max(...heapTotal)) : null,
    lagP99Ms: lags.length ? { median: Math.round(lags[Math.floor(lags.length / 2)]), max: Math.round(lags[lags.length - 1]) } : null,
  };
}
