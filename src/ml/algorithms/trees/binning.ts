/**
 * Quantile binning for histogram-based trees (as LightGBM and scikit-learn's HistGradientBoosting
 * do): each input column is cut into at most 255 bins once, on the training rows, and trees then
 * look for splits among bin boundaries instead of among every distinct value.
 *
 * Every boundary is a real-valued threshold `t` lying strictly between two distinct training
 * values, and a value's bin code is the number of thresholds at or below it. So for any bin `b`,
 * `x < thresholds[b]` holds exactly when `code(x) <= b`: a tree learnt on codes routes raw
 * Float32 inputs (`x < threshold` → left) the same way, for the training rows and any other.
 * NaN sorts after every threshold (`NaN < t` is false, so it goes right) and gets the last bin.
 */

/** The most bins a column may have: codes are bytes. */
export const MAX_BINS = 255;

/** Fitted bin boundaries, one ascending list of thresholds per column (bins = thresholds + 1). */
export interface BinMapper {
  cols: number;
  thresholds: Float64Array[];
}

/** A matrix's bin codes (rows × cols, row-major) with the mapper that produced them. */
export interface BinnedMatrix {
  codes: Uint8Array;
  rows: number;
  cols: number;
  /** Bins per column (1 for a constant column). */
  bins: Int32Array;
  thresholds: Float64Array[];
}

/** At most this many rows are read to place the boundaries (evenly spaced rows beyond it). */
const FIT_ROWS = 200_000;

/**
 * Fits the boundaries of every column on `rows` rows of `x` (row-major, rows × cols).
 * A column with at most `maxBins` distinct values gets one bin per value (thresholds at the
 * midpoints between neighbours); otherwise values are cut greedily so each bin holds about
 * `rows / maxBins` rows (a heavily repeated value keeps its own bin), each cut at a midpoint.
 */
export function fitBinMapper(x: Float32Array, rows: number, cols: number, maxBins = MAX_BINS): BinMapper {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS) throw new RangeError(`maxBins must be an integer in [2, ${MAX_BINS}], got ${maxBins}`);
  if (x.length !== rows * cols) throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × cols (${cols})`);
  const stride = rows > FIT_ROWS ? rows / FIT_ROWS : 1;
  const used = rows > FIT_ROWS ? FIT_ROWS : rows;
  const column = new Float32Array(used);
  const thresholds: Float64Array[] = [];
  for (let c = 0; c < cols; c++) {
    let n = 0;
    for (let i = 0; i < used; i++) {
      const v = x[Math.floor(i * stride) * cols + c];
      if (v === v) column[n++] = v; // NaN never sets a boundary
    }
    thresholds.push(columnThresholds(column.subarray(0, n).sort(), maxBins));
  }
  return { cols, thresholds };
}

/** Boundaries of one column from its sorted (non-NaN) values. */
function columnThresholds(sorted: Float32Array, maxBins: number): Float64Array {
  const n = sorted.length;
  // Distinct values and how many rows hold each.
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (values.length && sorted[i] === values[values.length - 1]) counts[counts.length - 1]++;
    else {
      values.push(sorted[i]);
      counts.push(1);
    }
  }
  const cuts: number[] = [];
  if (values.length <= maxBins) {
    for (let i = 0; i + 1 < values.length; i++) cuts.push(midpoint(values[i], values[i + 1]));
    return Float64Array.from(cuts);
  }
  // Greedy equal-frequency cuts: close a bin after the value whose cumulative count reaches the next target.
  const perBin = n / maxBins;
  let cumulative = 0;
  let target = perBin;
  for (let i = 0; i + 1 < values.length && cuts.length < maxBins - 1; i++) {
    cumulative += counts[i];
    if (cumulative >= target) {
      cuts.push(midpoint(values[i], values[i + 1]));
      // Spread the bins left over the rows left over, so a big tie early does not starve the tail.
      const remainingBins = maxBins - cuts.length;
      target = cumulative + (n - cumulative) / remainingBins;
    }
  }
  return Float64Array.from(cuts);
}

/** A threshold strictly between two Float32 values a < b (exact in Float64), or b itself at infinities. */
function midpoint(a: number, b: number): number {
  const m = (a + b) / 2;
  return Number.isFinite(m) ? m : b;
}

/** The bin of one value: how many thresholds are at or below it (NaN: the last bin). */
export function binCode(thresholds: Float64Array, value: number): number {
  if (value !== value) return thresholds.length;
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Maps `rows` rows of `x` (row-major, `mapper.cols` columns) to their bin codes. */
export function binMatrix(mapper: BinMapper, x: Float32Array, rows: number): BinnedMatrix {
  const cols = mapper.cols;
  if (x.length !== rows * cols) throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × cols (${cols})`);
  const codes = new Uint8Array(rows * cols);
  const bins = new Int32Array(cols);
  for (let c = 0; c < cols; c++) {
    const t = mapper.thresholds[c];
    bins[c] = t.length + 1;
    if (t.length === 0) continue; // a constant column: every code is 0
    for (let r = 0, p = c; r < rows; r++, p += cols) codes[p] = binCode(t, x[p]);
  }
  return { codes, rows, cols, bins, thresholds: mapper.thresholds };
}

/** Fits the mapper on `x` and bins it: what a tree learner needs from its training rows. */
export function binTrainingRows(x: Float32Array, rows: number, cols: number, maxBins = MAX_BINS): BinnedMatrix {
  return binMatrix(fitBinMapper(x, rows, cols, maxBins), x, rows);
}
