import fs from 'node:fs';

/**
 * Samples a server's memory once a second while load runs: RSS from /proc and the V8 heap from
 * its /metrics. One RSS reading of a loaded Node process says little: the heap saws up and down
 * by a third between major collections, so two point readings can differ by ±15 % with nothing
 * leaking. The load test and the soak compare windows instead: the peak RSS of a window (what a
 * container's memory limit meets) and the heap's floor (the least heap in use, close to what
 * survives a major collection: a leak raises it).
 */
export interface MemorySample {
  atMs: number;
  rssMb: number;
  heapUsedMb: number | null;
  heapTotalMb: number | null;
}

export interface MemoryWindow {
  samples: number;
  peakRssMb: number;
  heapFloorMb: number | null;
  peakHeapTotalMb: number | null;
}

/** The server's resident memory (MB), from /proc. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

/** The V8 heap in use and reserved (MB), from prom-client's default metrics on /metrics. */
export async function heapMb(url: string): Promise<{ used: number; total: number } | null> {
  try {
    const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    const read = (name: string) => Number(text.match(new RegExp(`^aimass_nodejs_${name} (\\S+)$`, 'm'))?.[1]) / 1048576;
    const used = read('heap_size_used_bytes');
    const total = read('heap_size_total_bytes');
    return Number.isFinite(used) && Number.isFinite(total) ? { used, total } : null;
  } catch {
    return null; // A sample the server was too busy to answer is skipped, not a failure.
  }
}

export function sampleMemory(pid: number, url: string, intervalMs = 1000) {
  const started = Date.now();
  const samples: MemorySample[] = [];
  let fetching = false;
  const timer = setInterval(() => {
    // RSS is read on time every second; the heap's figures come from the server itself, which
    // answers late under load: they are added to the sample when they come, one fetch at a time.
    const sample: MemorySample = { atMs: Date.now() - started, rssMb: rssMb(pid), heapUsedMb: null, heapTotalMb: null };
    samples.push(sample);
    if (fetching) return;
    fetching = true;
    void heapMb(url).then((heap) => {
      sample.heapUsedMb = heap?.used ?? null;
      sample.heapTotalMb = heap?.total ?? null;
      fetching = false;
    });
  }, intervalMs);
  return {
    samples,
    /** The samples taken between `fromMs` and `toMs` after the sampler started, summarised. */
    window(fromMs: number, toMs: number): MemoryWindow {
      return summarizeMemory(samples.filter((s) => s.atMs >= fromMs && s.atMs < toMs));
    },
    elapsedMs: () => Date.now() - started,
    stop: () => clearInterval(timer),
  };
}

export function summarizeMemory(samples: MemorySample[]): MemoryWindow {
  const heapUsed = samples.map((s) => s.heapUsedMb).filter((v): v is number => v !== null);
  const heapTotal = samples.map((s) => s.heapTotalMb).filter((v): v is number => v !== null);
  return {
    samples: samples.length,
    peakRssMb: Math.round(Math.max(0, ...samples.map((s) => s.rssMb))),
    heapFloorMb: heapUsed.length ? Math.round(Math.min(...heapUsed)) : null,
    peakHeapTotalMb: heapTotal.length ? Math.round(Math.max(...heapTotal)) : null,
  };
}
