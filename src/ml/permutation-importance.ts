/**
 * Permutation feature importance: how much a model's score drops when one feature's values are
 * shuffled across rows, which breaks its link to the target while keeping its distribution.
 */

/** A feature's columns in the encoded input: `[start, end)` (one-hot encodings span several). */
export interface FeatureRange {
  feature: string;
  start: number;
  end: number;
}

/** How much the score fell when the feature was shuffled; higher means the model leans on it more. */
export interface FeatureImportance {
  feature: string;
  importance: number;
}

/**
 * Scores the model on `x` (row-major, `rows × width`), then once per feature range with that
 * range's columns shuffled across rows, and returns `baseline − shuffled score` per feature, most
 * important first (ties keep the order of `ranges`). A negative importance means shuffling helped,
 * i.e. the feature is noise. `score` must be "higher is better" (negate an error such as RMSE).
 *
 * All columns of a range move with one permutation of the rows, so a one-hot group stays a valid
 * one-hot row. One permutation per feature, drawn from `random` (seed it for reproducibility).
 * `x` is not modified; `predict` receives a working copy that is reused between calls, so it must
 * not keep a reference to it after it resolves (copying into a tensor, as tf.tensor does, is fine).
 */
export async function permutationImportance(
  predict: (x: Float32Array, rows: number) => Float32Array | Promise<Float32Array>,
  x: Float32Array,
  rows: number,
  width: number,
  ranges: FeatureRange[],
  score: (predictions: Float32Array) => number,
  random: () => number,
): Promise<FeatureImportance[]> {
  if (!Number.isInteger(rows) || !Number.isInteger(width) || rows < 0 || width < 1 || x.length !== rows * width) {
    throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × width (${width})`);
  }
  for (const { feature, start, end } of ranges) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > width) {
      throw new RangeError(`feature ${feature}: columns [${start}, ${end}) are not within [0, ${width})`);
    }
  }
  const baseline = score(await predict(x, rows));
  const work = Float32Array.from(x);
  const results: FeatureImportance[] = [];
  for (const { feature, start, end } of ranges) {
    const order = permutation(rows, random);
    for (let row = 0; row < rows; row++) {
      const from = order[row] * width;
      const to = row * width;
      for (let column = start; column < end; column++) work[to + column] = x[from + column];
    }
    const shuffled = score(await predict(work, rows));
    results.push({ feature, importance: baseline - shuffled });
    // Put the block back, so the next feature is shuffled alone.
    for (let row = 0; row < rows; row++) {
      for (let column = start; column < end; column++) work[row * width + column] = x[row * width + column];
    }
  }
  // Stable sort: equal importances keep the caller's order. NaN (a score undefined on these rows,
  // e.g. AUC with one class) would make the comparator inconsistent, so it goes last.
  const key = (value: number) => (Number.isNaN(value) ? -Infinity : value);
  return results.sort((a, b) => (key(b.importance) > key(a.importance) ? 1 : key(b.importance) < key(a.importance) ? -1 : 0));
}

/** A uniformly random permutation of 0 … n−1 (Fisher–Yates). */
function permutation(n: number, random: () => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    // min() guards a generator that can return exactly 1.
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
