/**
 * Sliding windows over a time series for sequence models (LSTM forecasts): each sample is the
 * last `windowSize` steps, and its targets are the `horizon` values that follow.
 */

/** Windows in the layout tf.tensor expects for `[count, windowSize, stepFeatures]` and `[count, horizon]`. */
export interface Windows {
  /** count × windowSize × stepFeatures values, row-major. */
  x: Float32Array;
  /** count × horizon values, row-major. */
  y: Float32Array;
  count: number;
  /** Values per time step: the target, then the k covariates (1 + k, or 1 without covariates). */
  stepFeatures: number;
}

/**
 * Builds every window of a series. Sample i has input steps i … i + windowSize - 1, each
 * `[series[t], ...covariates[t]]`, and targets `series[i + windowSize … i + windowSize + horizon - 1]`.
 * Covariates of the predicted steps are not used: they would not be known when forecasting.
 * Consecutive samples share steps, so x takes about windowSize times the memory of the series.
 * @param series The standardised target in time order.
 * @param covariates `series.length × k` encoded feature values in the same order, or null (then k is ignored).
 * @throws RangeError when the arguments do not fit together or the series is shorter than
 *   windowSize + horizon (no complete sample).
 */
export function makeWindows(
  series: Float32Array,
  covariates: Float32Array | null,
  k: number,
  windowSize: number,
  horizon: number,
): Windows {
  const n = series.length;
  if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError(`windowSize must be a positive integer (got ${windowSize})`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be a positive integer (got ${horizon})`);
  const width = covariates === null ? 0 : k;
  if (covariates !== null) {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer (got ${k})`);
    if (covariates.length !== n * k) throw new RangeError(`covariates have ${covariates.length} values, expected ${n} rows × ${k}`);
  }
  const count = n - windowSize - horizon + 1;
  if (count < 1) {
    throw new RangeError(`The series has ${n} rows; a window of ${windowSize} steps and a horizon of ${horizon} need at least ${windowSize + horizon}`);
  }
  const stepFeatures = 1 + width;
  const x = new Float32Array(count * windowSize * stepFeatures);
  const y = new Float32Array(count * horizon);
  for (let i = 0; i < count; i++) {
    for (let s = 0; s < windowSize; s++) {
      const t = i + s;
      const at = (i * windowSize + s) * stepFeatures;
      x[at] = series[t];
      if (width > 0) x.set(covariates!.subarray(t * width, (t + 1) * width), at + 1);
    }
    y.set(series.subarray(i + windowSize, i + windowSize + horizon), i * horizon);
  }
  return { x, y, count, stepFeatures };
}
