import http from 'node:http';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import pino, { type Logger } from 'pino';
import { serializeError } from '../../src/core/logger';

/** True under `npm run test:reliability` (RELIABILITY=full): the issue's case counts. */
export const FULL_RELIABILITY = process.env.RELIABILITY === 'full';

/**
 * The seed every property of this process starts from: RELIABILITY_SEED to replay a run, else a
 * fresh one, printed so that any run (a passing one too) can be repeated.
 */
export const RELIABILITY_SEED = seedFromEnv();

function seedFromEnv(): number {
  const raw = process.env.RELIABILITY_SEED;
  if (raw === undefined || raw === '') return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`RELIABILITY_SEED must be an integer, got ${raw}`);
  return seed;
}

/** What a fuzz test reports at its end (docs/reliability.md keeps the latest). */
export interface FuzzTally {
  name: string;
  cases: number;
  /** Outcomes by kind (e.g. a status or an error code), to see what the cases reached. */
  outcomes: Map<string, number>;
  /** The slowest cases, slowest first: where the time goes. */
  slowest: { ms: number; label: string }[];
  startedAt: number;
}

export function tally(name: string): FuzzTally {
  return { name, cases: 0, outcomes: new Map(), slowest: [], startedAt: Date.now() };
}

export function count(t: FuzzTally, outcome: string): void {
  t.outcomes.set(outcome, (t.outcomes.get(outcome) ?? 0) + 1);
}

/** Records one case's time, keeping the five slowest. */
export function timed(t: FuzzTally, ms: number, label: string): void {
  t.slowest.push({ ms, label });
  t.slowest.sort((a, b) => b.ms - a.ms);
  t.slowest.length = Math.min(t.slowest.length, 5);
}

export function printTally(t: FuzzTally, extra: Record<string, unknown> = {}): void {
  const outcomes = [...t.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ');
  console.log(`[reliability] ${t.name}: ${t.cases} cases in ${((Date.now() - t.startedAt) / 1000).toFixed(1)} s, seed ${RELIABILITY_SEED}${Object.entries(extra).map(([k, v]) => `, ${k} ${v}`).join('')}\n  outcomes: ${outcomes}\n  slowest: ${t.slowest.map((s) => `${s.ms.toFixed(0)} ms ${s.label.slice(0, 80)}`).join('; ')}`);
}

/**
 * Runs an async property with `full` cases under RELIABILITY=full and `short` otherwise
 * (RELIABILITY_RUNS overrides both), from RELIABILITY_SEED. RELIABILITY_PATH replays one
 * counterexample exactly (fast-check prints seed and path when a property fails).
 */
export async function assertSeeded<T>(property: fc.IAsyncPropertyWithHooks<T>, counts: { full: number; short: number }): Promise<void> {
  const numRuns = Number(process.env.RELIABILITY_RUNS) || (FULL_RELIABILITY ? counts.full : counts.short);
  const path = process.env.RELIABILITY_PATH || undefined;
  await fc.assert(property, { seed: RELIABILITY_SEED, path, numRuns });
}

/** The p-th percentile (0..100) of some values, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The poller, run in a worker thread so that this thread's work (making cases) does not delay it. */
const HEALTH_POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
let running = true;
parentPort.on('message', () => { running = false; });
(async () => {
  const latencies = [];
  const failures = [];
  while (running) {
    const started = performance.now();
    try {
      const res = await fetch(workerData.url, { signal: AbortSignal.timeout(10000) });
      await res.text();
      if (res.status !== 200) failures.push('status ' + res.status);
    } catch (error) {
      failures.push(String(error));
    }
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, workerData.everyMs));
  }
  parentPort.postMessage({ latencies, failures });
})();
`;

/**
 * Polls /healthz every `everyMs` until stopped, from a worker thread, recording each answer's
 * time: the server's event loop stays free while the fuzz cases run.
 */
export function watchHealth(baseUrl: string, everyMs = 50): { stop(): Promise<{ latencies: number[]; failures: string[] }> } {
  const worker = new Worker(HEALTH_POLLER, { eval: true, workerData: { url: new URL('/healthz', baseUrl).toString(), everyMs } });
  const result = new Promise<{ latencies: number[]; failures: string[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const out = await result;
      await worker.terminate();
      return out;
    },
  };
}

/**
 * A logger for a fuzzed server that keeps every error line (level 50 and up): a case can be
 * answered well and still have failed inside (an audit row not written, a stream that died).
 */
export function errorCollectingLog(): { log: Logger; errors: string[] } {
  const errors: string[] = [];
  const log = pino({ level: 'warn', base: { service: 'aimass' }, serializers: { err: serializeError } }, {
    write(line: string) {
      if (JSON.parse(line).level >= 50) errors.push(line.slice(0, 1000));
    },
  });
  return { log, errors };
}

/** The error lines (level 50 and up) in a server process's JSON log output. */
export function loggedErrors(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(5|6)\d/.test(line)).map((line) => line.slice(0, 1000));
}

/**
 * Sends one request on a connection of its own. fetch reuses keep-alive connections, and one the
 * server closes (its 5 s idle timeout, or after refusing a body unread) just as the next case is
 * sent on it fails with "other side closed": a client race, not the server's fault, that ended
 * long runs for nothing.
 */
export function requestOnNewConnection(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: Buffer | string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sized = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request(url, { method, headers: sized, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
