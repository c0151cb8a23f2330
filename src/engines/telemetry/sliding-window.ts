import type { OutcomeKind } from '../../core/errors';

/**
 * Counts and latencies of the last `seconds` seconds, in one bucket per second, so a snapshot can
 * say "request rate, error rate and p95 over the last minute" without keeping every request.
 * Each bucket keeps at most `samplesPerSecond` latencies (uniform reservoir), which bounds memory
 * and snapshot cost under any load while keeping percentiles unbiased.
 */
export class SlidingWindow {
  private readonly buckets: { second: number; count: number; errors: number; clientErrors: number; units: number; seen: number; samples: number[] }[];

  constructor(private readonly seconds = 60, private readonly samplesPerSecond = 2000, private readonly now: () => number = Date.now, private readonly random: () => number = Math.random) {
    this.buckets = Array.from({ length: seconds }, () => ({ second: -1, count: 0, errors: 0, clientErrors: 0, units: 0, seen: 0, samples: [] }));
  }

  /**
   * One event: its latency, how it ended (served; refused for the client's mistake; failed by the
   * server), and how many units it carried (rows, for predict).
   */
  add(latencyMs: number, outcome: OutcomeKind = 'ok', units = 1): void {
    const second = Math.floor(this.now() / 1000);
    const bucket = this.buckets[second % this.seconds];
    if (bucket.second !== second) Object.assign(bucket, { second, count: 0, errors: 0, clientErrors: 0, units: 0, seen: 0, samples: [] });
    bucket.count++;
    bucket.units += units;
    if (outcome === 'server') bucket.errors++;
    else if (outcome === 'client') bucket.clientErrors++;
    bucket.seen++;
    if (bucket.samples.length < this.samplesPerSecond) bucket.samples.push(latencyMs);
    else {
      const slot = Math.floor(this.random() * bucket.seen);
      if (slot < this.samplesPerSecond) bucket.samples[slot] = latencyMs;
    }
  }

  /** Rates per second over the window, error share, and latency percentiles (null without events). */
  summary(): WindowSummary {
    const newest = Math.floor(this.now() / 1000);
    let count = 0;
    let errors = 0;
    let clientErrors = 0;
    let units = 0;
    const samples: number[] = [];
    for (const bucket of this.buckets) {
      if (bucket.second <= newest - this.seconds || bucket.second > newest) continue;
      count += bucket.count;
      errors += bucket.errors;
      clientErrors += bucket.clientErrors;
      units += bucket.units;
      for (const sample of bucket.samples) samples.push(sample);
    }
    samples.sort((a, b) => a - b);
    const at = (q: number) => (samples.length ? samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)] : null);
    return {
      count, errors, clientErrors, units,
      ratePerSecond: count / this.seconds,
      errorRate: count ? errors / count : 0,
      clientErrorRate: count ? clientErrors / count : 0,
      p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99),
    };
  }
}

export interface WindowSummary {
  count: number;
  /** Events the server failed (internal errors, timeouts, unavailability). */
  errors: number;
  /** Events refused for the client's mistake (bad input, not found, forbidden, limits). */
  clientErrors: number;
  units: number;
  ratePerSecond: number;
  /** Share of events the server failed, 0 to 1. */
  errorRate: number;
  /** Share of events refused for the client's mistake, 0 to 1. */
  clientErrorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}
