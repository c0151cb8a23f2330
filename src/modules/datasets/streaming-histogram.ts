/** Equal-width bins: bin i holds edges[i] ≤ x < edges[i + 1]. */
export interface HistogramBins {
  edges: number[];
  counts: number[];
}

/** Fine bins kept while streaming; the output groups them into at most OUTPUT_BINS. */
const MAX_FINE_BINS = 200;
const OUTPUT_BINS = 20;
/** Values held before the first bin width is chosen from their range. */
const SAMPLE_SIZE = 1000;
/** Groupings of fine bins tried for the output, finest first (widths stay 1, 2 or 5 times a power of ten). */
const GROUPS = [1, 2, 5, 10, 20];
/** Indices beyond this lose integer precision; the histogram is then given up. */
const MAX_INDEX = 2 ** 52;

/**
 * A histogram of a number stream in one pass and constant memory, with exact counts. Values fall
 * into fine bins of width 10^k, keyed by index (x / 10^k, floored); k starts from the range of
 * the first SAMPLE_SIZE values and grows by one (ten bins merged into one) whenever the values
 * span more than MAX_FINE_BINS bins. The output groups the fine bins into at most OUTPUT_BINS bins
 * with round edges; a column of integers never gets bins narrower than 1.
 */
export class StreamingHistogram {
  private sample: number[] = [];
  private bins: Map<number, number> | null = null;
  private exponent = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private integers = true;
  private failed = false;

  add(x: number): void {
    if (this.failed) return;
    if (this.integers && !Number.isInteger(x)) this.integers = false;
    if (this.bins === null) {
      this.sample.push(x);
      if (this.sample.length >= SAMPLE_SIZE) this.start();
    } else this.put(x);
  }

  /** The bins, or null when no value was added (or the values were too far apart to bin). */
  finish(): HistogramBins | null {
    if (this.bins === null && !this.failed) this.start();
    if (this.failed || this.bins === null || this.bins.size === 0) return null;
    const { lo, hi } = this;
    let group = GROUPS.find((g) => Math.floor(hi / g) - Math.floor(lo / g) + 1 <= OUTPUT_BINS) ?? GROUPS[GROUPS.length - 1];
    if (this.integers && this.exponent < 0) group = Math.max(group, 10 ** -this.exponent);
    const first = Math.floor(lo / group);
    const counts = new Array<number>(Math.floor(hi / group) - first + 1).fill(0);
    for (const [index, count] of this.bins) counts[Math.floor(index / group) - first] += count;
    const edges = Array.from({ length: counts.length + 1 }, (_, j) => this.edge((first + j) * group));
    return { edges, counts };
  }

  /** Chooses the fine bin width from the sample's range, then bins the sample. */
  private start(): void {
    const sample = this.sample;
    this.sample = [];
    if (sample.length === 0) return;
    let min = Infinity;
    let max = -Infinity;
    for (const x of sample) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const range = max - min;
    this.exponent = range > 0 ? Math.ceil(Math.log10(range / MAX_FINE_BINS)) : Math.floor(Math.log10(Math.abs(min) || 1)) - 3;
    if (!Number.isFinite(this.exponent)) return this.fail();
    this.bins = new Map();
    for (const x of sample) this.put(x);
  }

  private put(x: number): void {
    let index = this.index(x);
    while (Math.max(this.hi, index) - Math.min(this.lo, index) >= MAX_FINE_BINS) {
      this.coarsen();
      if (this.failed) return;
      index = this.index(x);
    }
    if (!Number.isSafeInteger(index) || Math.abs(index) > MAX_INDEX) return this.fail();
    if (index < this.lo) this.lo = index;
    if (index > this.hi) this.hi = index;
    const bins = this.bins!;
    bins.set(index, (bins.get(index) ?? 0) + 1);
  }

  /** Merges every ten fine bins into one. */
  private coarsen(): void {
    if (++this.exponent > 300) return this.fail();
    const merged = new Map<number, number>();
    for (const [index, count] of this.bins!) {
      const coarse = Math.floor(index / 10);
      merged.set(coarse, (merged.get(coarse) ?? 0) + count);
    }
    this.bins = merged;
    if (this.lo !== Infinity) {
      this.lo = Math.floor(this.lo / 10);
      this.hi = Math.floor(this.hi / 10);
    }
  }

  private index(x: number): number {
    // Dividing by 10^k (or multiplying by 10^-k) rounds better than multiplying by 10^k's inexact inverse.
    const t = this.exponent >= 0 ? x / 10 ** this.exponent : x * 10 ** -this.exponent;
    const index = Math.floor(t);
    // 0.3 × 10 may come out as 2.9999999999999996: such a value belongs on the edge above.
    return t - index > 1 - 1e-9 ? index + 1 : index;
  }

  private edge(index: number): number {
    return this.exponent >= 0 ? index * 10 ** this.exponent : index / 10 ** -this.exponent;
  }

  private fail(): void {
    this.failed = true;
    this.bins = null;
    this.sample = [];
  }
}
