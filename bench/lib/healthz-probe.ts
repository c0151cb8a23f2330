/**
 * A worker thread that GETs /healthz every `intervalMs` until told to stop, then posts every
 * latency in ms. A thread of its own, so the load the benchmark generates on its main thread does
 * not delay the probe and pass for the server's slowness.
 */
import { parentPort, workerData } from 'node:worker_threads';

const { url, intervalMs } = workerData as { url: string; intervalMs: number };
let stopped = false;
parentPort!.once('message', () => { stopped = true; });

void (async () => {
  const latencies: number[] = [];
  while (!stopped) {
    const started = performance.now();
    const res = await fetch(url);
    await res.text();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  parentPort!.postMessage(latencies);
})();
