/**
 * Early-stopping rules of a sweep, checked when a run finishes an epoch. Values are the sweep's
 * metric at that epoch; `lowerIsBetter` says which way is better. Each rule returns why the run
 * should stop, or null to let it go on.
 */
export type EarlyStoppingRule =
  | { type: 'MEDIAN'; warmupEpochs: number; minRuns: number }
  | { type: 'HYPERBAND'; bands: number[]; eta: number };

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0..1) of a non-empty list, linear between order statistics. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}

/**
 * Hyperband's bands as W&B computes them: from `minIter`, minIter·eta^k for k < s; or from
 * `maxIter`, maxIter/eta^k for k = s…1 (rounded down, at least 1), ascending, without repeats.
 */
export function hyperbandBands({ minIter, maxIter, s, eta }: { minIter?: number | null; maxIter?: number | null; s: number; eta: number }): number[] {
  const bands = minIter != null
    ? Array.from({ length: s }, (_, k) => Math.round(minIter * eta ** k))
    : Array.from({ length: s }, (_, k) => Math.max(1, Math.floor(maxIter! / eta ** (s - k))));
  return [...new Set(bands)].sort((a, b) => a - b);
}

/**
 * MEDIAN: after `warmupEpochs`, a run whose value at this epoch is worse than the median of the
 * other runs' values at the same epoch stops, once at least `minRuns` others have reached it.
 * HYPERBAND: at a band, a run stops when it is worse than the 1/eta quantile (towards the better
 * end) of every run's value at that band, itself included.
 */
export function shouldStop(rule: EarlyStoppingRule, epoch: number, value: number, others: number[], lowerIsBetter: boolean, metric = 'metric'): string | null {
  const worse = (a: number, b: number) => (lowerIsBetter ? a > b : a < b);
  const show = (x: number) => Number(x.toPrecision(4));
  if (rule.type === 'MEDIAN') {
    if (epoch < rule.warmupEpochs || others.length < rule.minRuns) return null;
    const middle = median(others);
    return worse(value, middle) ? `${metric} ${show(value)} at epoch ${epoch} is worse than the median ${show(middle)} of ${others.length} other runs at that epoch (MEDIAN)` : null;
  }
  if (!rule.bands.includes(epoch)) return null;
  const all = [...others, value];
  const threshold = quantile(all, lowerIsBetter ? 1 / rule.eta : 1 - 1 / rule.eta);
  return worse(value, threshold) ? `${metric} ${show(value)} at band ${epoch} is worse than the 1/${rule.eta} quantile ${show(threshold)} of ${all.length} runs at that band (HYPERBAND)` : null;
}
