/**
 * Per-prediction explanations by occlusion: how much the explained score moves when one input
 * feature is replaced by its training baseline (mean for numeric features, mode for categories).
 * Works on the encoded matrix and takes the model call as a function, so it needs no tfjs and is
 * exact to test with a hand-written model. For a linear model the contribution of a feature is
 * exactly `Σ w_j (x_j − baseline_j)` over its columns; for a network it is a local, one-at-a-time
 * attribution that does not sum to the prediction.
 */
import type { Preprocessor } from './preprocessing';

/** The encoded columns `start` (inclusive) to `end` (exclusive) of one input feature, as `encodedRanges()` returns. */
export interface FeatureRange {
  feature: string;
  start: number;
  end: number;
}

/** How much one feature moved one row's score away from the baseline. */
export interface Contribution {
  feature: string;
  contribution: number;
}

/**
 * Occlusion contributions of every feature for every row: `score(row) − score(row with the feature
 * replaced by its baseline)`.
 * @param predict runs the model on `rows` encoded rows (rows × width) and returns rows × outputWidth scores.
 * @param x encoded rows, rows × width.
 * @param baseline one encoded row (length width): the baseline values.
 * @param scoreOf picks the scalar explained from one row's output (e.g. the probability of the
 *   predicted class, or the regression value unscaled); called with (output row, row index), the
 *   index of the original row also for its occluded copies.
 * @returns for each row, one entry per range in range order.
 * All occluded copies of all rows go to `predict` in ONE call: the original rows first, then one
 * block of `rows` copies per feature that has columns. A feature without columns
 * (`start === end`) gets contribution 0 and no block; with no rows, or no feature with columns,
 * `predict` is not called.
 * @throws RangeError when the sizes of `x`, `baseline`, a range or the model's output disagree.
 */
export async function occlusionContributions(
  predict: (x: Float32Array, rows: number) => Promise<Float32Array>,
  x: Float32Array,
  rows: number,
  width: number,
  outputWidth: number,
  ranges: FeatureRange[],
  baseline: Float32Array,
  scoreOf: (output: Float32Array, row: number) => number,
): Promise<Contribution[][]> {
  if (x.length !== rows * width) throw new RangeError(`x has ${x.length} values, expected ${rows} × ${width}`);
  if (baseline.length !== width) throw new RangeError(`baseline has ${baseline.length} values, expected ${width}`);
  for (const r of ranges) {
    if (!(r.start >= 0 && r.start <= r.end && r.end <= width)) {
      throw new RangeError(`range of ${JSON.stringify(r.feature)} (${r.start}..${r.end}) is outside 0..${width}`);
    }
  }

  // Block b + 1 of the batch holds every row with ranges[occluded[b]] set to the baseline.
  const occluded: number[] = [];
  ranges.forEach((r, i) => {
    if (r.end > r.start) occluded.push(i);
  });
  const result = Array.from({ length: rows }, () => ranges.map((r) => ({ feature: r.feature, contribution: 0 })));
  if (rows === 0 || occluded.length === 0) return result;

  const blockSize = rows * width;
  const batch = new Float32Array(blockSize * (occluded.length + 1));
  batch.set(x, 0);
  for (let b = 0; b < occluded.length; b++) {
    const { start, end } = ranges[occluded[b]];
    const offset = (b + 1) * blockSize;
    batch.set(x, offset);
    const patch = baseline.subarray(start, end);
    for (let row = 0; row < rows; row++) batch.set(patch, offset + row * width + start);
  }

  const batchRows = rows * (occluded.length + 1);
  const output = await predict(batch, batchRows);
  if (output.length !== batchRows * outputWidth) {
    throw new RangeError(`the model returned ${output.length} values, expected ${batchRows} × ${outputWidth}`);
  }
  const scoreAt = (batchRow: number, row: number) => scoreOf(output.subarray(batchRow * outputWidth, (batchRow + 1) * outputWidth), row);

  for (let row = 0; row < rows; row++) {
    const original = scoreAt(row, row);
    for (let b = 0; b < occluded.length; b++) {
      result[row][occluded[b]].contribution = original - scoreAt((b + 1) * rows + row, row);
    }
  }
  return result;
}

/**
 * The encoded baseline row of a preprocessor: 0 for numeric features (the training mean after
 * standardising), the one-hot of the mode for category features (all zeros when the mode is not
 * among the categories, e.g. a feature without values), matching how `transformRows` encodes a
 * missing value.
 */
export function baselineRow(preprocessor: Preprocessor): Float32Array {
  const row = new Float32Array(preprocessor.outputSize);
  let offset = 0;
  for (const e of preprocessor.features) {
    if (e.kind === 'numeric') {
      offset += 1;
      continue;
    }
    const mode = e.categories.indexOf(e.mode);
    if (mode >= 0) row[offset + mode] = 1;
    offset += e.categories.length;
  }
  return row;
}
