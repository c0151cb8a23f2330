import path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Starts probing `<base>/healthz` every `intervalMs`; `stop()` returns the latency summary. */
export function probeHealthz(baseUrl: string, intervalMs = 10): { stop(): Promise<LatencySummary> } {
  const url = new URL('/healthz', baseUrl).toString();
  const worker = new Worker(path.resolve(__dirname, 'healthz-probe.js'), { workerData: { url, intervalMs } });
  const latencies = new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const values = await latencies;
      await worker.terminate();
      return summarize(values);
    },
  };
}

export function summarize(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? 0 };
}
