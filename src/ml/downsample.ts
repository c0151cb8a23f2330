/**
 * Min/max downsampling of a metric series for charts: averaging or taking every n-th point hides
 * spikes (a loss blow-up at one step), keeping each bucket's extremes does not.
 */

/** One value of a series at a training step. */
export interface SeriesPoint {
  step: number;
  value: number;
}

/**
 * Reduces `points` (sorted by step) to at most `maxPoints` for drawing. The step range is split
 * into ⌈maxPoints/2⌉ equal-width buckets and each keeps its lowest and highest point (one if they
 * are the same point; the first one on ties); the first and last points are always kept, and so
 * are the global minimum and maximum. When that is one to three points too many, non-essential
 * points nearest the two ends go first. Output is in input order, the same point objects.
 *
 * Returns `points` itself when it already fits. With `maxPoints` 2 or 3 not all four essential
 * points can fit: first and last win, then the maximum, then the minimum. Throws a RangeError
 * when `maxPoints` < 2 and the input is longer (callers clamp user input first). NaN values are
 * never picked as an extreme.
 */
export function downsampleMinMax(points: SeriesPoint[], maxPoints: number): SeriesPoint[] {
  const limit = Math.floor(maxPoints);
  if (points.length <= limit) return points;
  if (!(limit >= 2)) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);

  const n = points.length;
  const buckets = Math.ceil(limit / 2);
  const first = points[0].step;
  const span = points[n - 1].step - first;
  const minAt = new Int32Array(buckets).fill(-1);
  const maxAt = new Int32Array(buckets).fill(-1);
  for (let i = 0; i < n; i++) {
    const value = points[i].value;
    if (Number.isNaN(value)) continue;
    // span 0 (every step equal) puts everything in bucket 0 rather than dividing by zero.
    const b = span > 0 ? Math.min(buckets - 1, Math.floor(((points[i].step - first) / span) * buckets)) : 0;
    if (minAt[b] < 0 || value < points[minAt[b]].value) minAt[b] = i;
    if (maxAt[b] < 0 || value > points[maxAt[b]].value) maxAt[b] = i;
  }

  // The global extremes are the extremes of their buckets: remember them so trimming spares them.
  let globalMin = -1;
  let globalMax = -1;
  const kept = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    if (minAt[b] < 0) continue;
    kept.add(minAt[b]).add(maxAt[b]);
    if (globalMin < 0 || points[minAt[b]].value < points[globalMin].value) globalMin = minAt[b];
    if (globalMax < 0 || points[maxAt[b]].value > points[globalMax].value) globalMax = maxAt[b];
  }
  const order = [...kept].sort((a, b) => a - b);
  // Deduplicated, or giving up a duplicate "maximum" would also give up the first point it is.
  const essential = [...new Set([0, n - 1, globalMax, globalMin].filter((i) => i >= 0))];
  return trim(order, essential, limit).map((i) => points[i]);
}

/**
 * Drops indices until `limit` remain: first the non-essential ones closest to either end (the
 * surplus comes from the endpoints and from an odd limit, both at the ends), then, only when the
 * limit is below 4, essential ones from the back of `essential` (lowest priority).
 */
function trim(order: number[], essential: number[], limit: number): number[] {
  const result = [...order];
  const protectedSet = new Set(essential);
  let fromStart = true;
  while (result.length > limit) {
    const candidates = result.map((index, position) => ({ index, position })).filter(({ index }) => !protectedSet.has(index));
    if (candidates.length === 0) {
      // Too few slots even for the essentials: give up the lowest-priority one still protected.
      const victim = essential.filter((i) => protectedSet.has(i)).pop()!;
      protectedSet.delete(victim);
      continue;
    }
    const pick = fromStart ? candidates[0] : candidates[candidates.length - 1];
    result.splice(pick.position, 1);
    fromStart = !fromStart;
  }
  return result;
}
