/**
 * Scores for feature selection, fitted on the training split only. Selection chooses among input
 * *features* (a one-hot category feature is one feature however many columns it encodes to), so
 * each feature arrives as one column of numbers: a numeric feature's values, or a category
 * feature's integer codes ({@link featureColumns} builds both from the encoded matrix).
 *
 * - MUTUAL_INFORMATION: {@link mutualInformation} of each feature with the target, in nats, numeric
 *   features (and a regression target) cut into equal-frequency bins first.
 * - CORRELATION_FILTER: each feature's {@link correlationScore} with the target; of every pair of
 *   features associated beyond `threshold`, the one less associated with the target is dropped.
 * - IMPORTANCE: scores the caller computed (e.g. a random forest's native importance summed per
 *   feature); only ranked here.
 *
 * {@link selectFeatures} ranks (score descending, ties by name in code-unit order, so the result
 * does not depend on input order) and keeps the best `keep`. Values must be finite numbers.
 */

/** One input feature as a column: numeric values, or category codes (any integers) when `categorical`. */
export interface FeatureColumn {
  name: string;
  values: ArrayLike<number>;
  categorical: boolean;
}

/** The target: class indices (`categorical`, classification) or numbers (regression). */
export interface TargetColumn {
  values: ArrayLike<number>;
  categorical: boolean;
}

export type SelectionMethod = 'IMPORTANCE' | 'MUTUAL_INFORMATION' | 'CORRELATION_FILTER';

export interface SelectionOptions {
  /** How many features to keep, best first; all (that survive the filter) when absent. */
  keep?: number;
  /**
   * CORRELATION_FILTER: the pairwise association (0 to 1) above which one of two features is
   * dropped; default {@link DEFAULT_CORRELATION_THRESHOLD}. IMPORTANCE and MUTUAL_INFORMATION: the
   * least score a kept feature needs (so fewer than `keep` may remain); none by default.
   */
  threshold?: number | null;
}

/** A feature's score and fate, as {@link selectFeatures} reports it. */
export interface FeatureScore {
  feature: string;
  /** The method's score (MI in nats, |r| or η or Cramér's V, or the given importance). */
  score: number;
  /** 1-based position in the ranking (score descending, ties by name). */
  rank: number;
  selected: boolean;
  /** CORRELATION_FILTER: the better-scored feature this one was too associated with. */
  redundantWith?: string;
  /** IMPORTANCE and MUTUAL_INFORMATION: true when the score is below `threshold`. */
  belowThreshold?: boolean;
}

export interface FeatureSelection {
  /** Names of the kept features, best first. */
  kept: string[];
  /** Every feature, in rank order. */
  scores: FeatureScore[];
}

/** Default number of equal-frequency bins for a numeric variable. */
export const DEFAULT_BINS = 10;
/** Default CORRELATION_FILTER threshold. */
export const DEFAULT_CORRELATION_THRESHOLD = 0.9;

/**
 * Codes `values` into at most `bins` equal-frequency bins: with `bins` or fewer distinct values,
 * one code per distinct value; otherwise the edges are the order statistics at ranks
 * ⌊i·n/bins⌋ (i = 1 … bins − 1), duplicates dropped, and a value's code is the number of edges at
 * or below it, so equal values always share a bin.
 * @returns Codes 0 … (bins actually used − 1).
 */
export function equalFrequencyBins(values: ArrayLike<number>, bins = DEFAULT_BINS): Int32Array {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer ≥ 1, got ${bins}`);
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  let edges: number[];
  if (distinct.length <= bins) {
    edges = distinct.slice(1);
  } else {
    edges = [];
    for (let i = 1; i < bins; i++) {
      const edge = sorted[Math.floor((i * n) / bins)];
      if (edge > sorted[0] && (edges.length === 0 || edge > edges[edges.length - 1])) edges.push(edge);
    }
  }
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    // Upper bound: the number of edges ≤ the value.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= values[r]) lo = mid + 1;
      else hi = mid;
    }
    codes[r] = lo;
  }
  return codes;
}

/** Arbitrary integer codes → 0 … k − 1 (in order of first appearance), and k. */
function denseCodes(values: ArrayLike<number>): { codes: Int32Array; levels: number } {
  const index = new Map<number, number>();
  const codes = new Int32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    let code = index.get(values[r]);
    if (code === undefined) {
      code = index.size;
      index.set(values[r], code);
    }
    codes[r] = code;
  }
  return { codes, levels: index.size };
}

/** Contingency counts of two dense codings, `levelsA × levelsB`, row-major. */
function contingency(a: Int32Array, levelsA: number, b: Int32Array, levelsB: number): Float64Array {
  const table = new Float64Array(levelsA * levelsB);
  for (let r = 0; r < a.length; r++) table[a[r] * levelsB + b[r]] += 1;
  return table;
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`feature has ${a.length} values, target ${b.length}`);
}

/**
 * Mutual information in nats, Σ p(a,b)·ln(p(a,b) / (p(a)·p(b))), between a feature and a target,
 * both discrete after coding: a numeric feature is cut into `bins` equal-frequency bins (fewer when
 * it has fewer distinct values), a categorical one is used as is (integer codes); a numeric target
 * (regression) is binned the same way, a categorical one (class indices) used as is. 0 for no rows.
 * @param options `categorical`: the feature is category codes (default false); `targetCategorical`:
 *   the target is class indices (default true); `bins` (default {@link DEFAULT_BINS}).
 */
export function mutualInformation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: { categorical?: boolean; targetCategorical?: boolean; bins?: number } = {},
): number {
  checkLengths(x, y);
  const n = x.length;
  if (n === 0) return 0;
  const bins = options.bins ?? DEFAULT_BINS;
  const a = denseCodes(options.categorical ? x : equalFrequencyBins(x, bins));
  const b = denseCodes((options.targetCategorical ?? true) ? y : equalFrequencyBins(y, bins));
  const table = contingency(a.codes, a.levels, b.codes, b.levels);
  const rowTotals = new Float64Array(a.levels);
  const columnTotals = new Float64Array(b.levels);
  for (let i = 0; i < a.levels; i++) {
    for (let j = 0; j < b.levels; j++) {
      rowTotals[i] += table[i * b.levels + j];
      columnTotals[j] += table[i * b.levels + j];
    }
  }
  let mi = 0;
  for (let i = 0; i < a.levels; i++) {
    for (let j = 0; j < b.levels; j++) {
      const count = table[i * b.levels + j];
      if (count > 0) mi += (count / n) * Math.log((n * count) / (rowTotals[i] * columnTotals[j]));
    }
  }
  // Rounding can leave −1e-17 for independent variables; MI is never negative.
  return Math.max(0, mi);
}

/** |Pearson r| of two numeric columns; 0 when either is constant. */
export function absolutePearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLengths(a, b);
  const n = a.length;
  if (n === 0) return 0;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i];
    meanB += b[i];
  }
  meanA /= n;
  meanB /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - meanA;
    const db = b[i] - meanB;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (!(saa > 0 && sbb > 0)) return 0;
  return Math.min(1, Math.abs(sab) / Math.sqrt(saa * sbb));
}

/**
 * The correlation ratio η of a numeric column over the groups of a category column:
 * √(Σ_g n_g (mean_g − mean)² / Σ (v − mean)²), in [0, 1]; 0 when the numeric column is constant.
 * For two groups it equals |point-biserial r|.
 */
export function correlationRatio(numeric: ArrayLike<number>, groups: ArrayLike<number>): number {
  checkLengths(numeric, groups);
  const n = numeric.length;
  if (n === 0) return 0;
  const { codes, levels } = denseCodes(groups);
  const sums = new Float64Array(levels);
  const counts = new Float64Array(levels);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    sums[codes[i]] += numeric[i];
    counts[codes[i]] += 1;
    mean += numeric[i];
  }
  mean /= n;
  let total = 0;
  for (let i = 0; i < n; i++) total += (numeric[i] - mean) ** 2;
  if (!(total > 0)) return 0;
  let between = 0;
  for (let g = 0; g < levels; g++) between += counts[g] * (sums[g] / counts[g] - mean) ** 2;
  return Math.min(1, Math.sqrt(between / total));
}

/** Cramér's V of two category columns: √(χ² / (n·(min(r, c) − 1))); 0 when either has one level. */
export function cramersV(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLengths(a, b);
  const n = a.length;
  const x = denseCodes(a);
  const y = denseCodes(b);
  const smaller = Math.min(x.levels, y.levels);
  if (n === 0 || smaller < 2) return 0;
  const table = contingency(x.codes, x.levels, y.codes, y.levels);
  const rowTotals = new Float64Array(x.levels);
  const columnTotals = new Float64Array(y.levels);
  for (let i = 0; i < x.levels; i++) {
    for (let j = 0; j < y.levels; j++) {
      rowTotals[i] += table[i * y.levels + j];
      columnTotals[j] += table[i * y.levels + j];
    }
  }
  let chi2 = 0;
  for (let i = 0; i < x.levels; i++) {
    for (let j = 0; j < y.levels; j++) {
      const expected = (rowTotals[i] * columnTotals[j]) / n;
      chi2 += (table[i * y.levels + j] - expected) ** 2 / expected;
    }
  }
  return Math.min(1, Math.sqrt(chi2 / (n * (smaller - 1))));
}

/**
 * Association in [0, 1] of two columns, by their kinds: numeric–numeric |Pearson r|,
 * numeric–categorical the correlation ratio η, categorical–categorical Cramér's V.
 */
export function association(a: { values: ArrayLike<number>; categorical: boolean }, b: { values: ArrayLike<number>; categorical: boolean }): number {
  if (!a.categorical && !b.categorical) return absolutePearson(a.values, b.values);
  if (a.categorical && b.categorical) return cramersV(a.values, b.values);
  return a.categorical ? correlationRatio(b.values, a.values) : correlationRatio(a.values, b.values);
}

/**
 * How strongly a feature goes with the target, in [0, 1] ({@link association}): for a numeric
 * feature, |Pearson r| with a regression target or η over the classes of a classification target
 * (|point-biserial r| when binary); for a category feature, η of a regression target over its
 * categories, or Cramér's V with the classes.
 */
export function correlationScore(feature: FeatureColumn, target: TargetColumn): number {
  return association(feature, target);
}

/** Score descending (NaN last), then name in code-unit order. */
function compareScores(a: { feature: string; score: number }, b: { feature: string; score: number }): number {
  const sa = Number.isNaN(a.score) ? -Infinity : a.score;
  const sb = Number.isNaN(b.score) ? -Infinity : b.score;
  if (sa !== sb) return sb - sa;
  return a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0;
}

/**
 * CORRELATION_FILTER's redundancy pass: features in rank order of `targetScores`; each is dropped
 * when its {@link association} with an already kept feature exceeds `threshold` (so of two
 * associated features the one more associated with the target stays).
 * @returns Feature name → the kept feature that made it redundant (absent when it is kept).
 */
export function redundantFeatures(features: FeatureColumn[], targetScores: Record<string, number>, threshold: number): Map<string, string> {
  const ordered = [...features].sort((a, b) => compareScores({ feature: a.name, score: targetScores[a.name] }, { feature: b.name, score: targetScores[b.name] }));
  const kept: FeatureColumn[] = [];
  const redundant = new Map<string, string>();
  for (const feature of ordered) {
    const twin = kept.find((other) => association(feature, other) > threshold);
    if (twin) redundant.set(feature.name, twin.name);
    else kept.push(feature);
  }
  return redundant;
}

/**
 * Ranks features by the method's score and keeps the best `keep` (all when absent).
 * IMPORTANCE takes the scores; MUTUAL_INFORMATION and CORRELATION_FILTER compute them from the
 * training split's feature columns and target. CORRELATION_FILTER first drops the redundant ones
 * ({@link redundantFeatures}, `threshold` default {@link DEFAULT_CORRELATION_THRESHOLD}); for the
 * other two a `threshold` is the least score kept. Features left out keep their score and rank.
 * @throws RangeError for a `keep` that is not a positive integer, a threshold that is not a finite
 *   number (outside [0, 1] for CORRELATION_FILTER), or a feature name given twice.
 */
export function selectFeatures(method: 'IMPORTANCE', scores: Record<string, number>, options?: SelectionOptions): FeatureSelection;
export function selectFeatures(method: 'MUTUAL_INFORMATION' | 'CORRELATION_FILTER', data: { features: FeatureColumn[]; target: TargetColumn }, options?: SelectionOptions): FeatureSelection;
export function selectFeatures(
  method: SelectionMethod,
  input: Record<string, number> | { features: FeatureColumn[]; target: TargetColumn },
  options: SelectionOptions = {},
): FeatureSelection {
  const { keep } = options;
  const threshold = options.threshold ?? null;
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) throw new RangeError(`keep must be an integer ≥ 1, got ${keep}`);
  if (threshold !== null && !Number.isFinite(threshold)) throw new RangeError(`threshold must be a finite number, got ${threshold}`);
  if (method === 'CORRELATION_FILTER' && threshold !== null && !(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be in [0, 1] for CORRELATION_FILTER, got ${threshold}`);
  }

  let scores: Record<string, number>;
  let redundant = new Map<string, string>();
  if (method === 'IMPORTANCE') {
    scores = { ...(input as Record<string, number>) };
  } else {
    const { features, target } = input as { features: FeatureColumn[]; target: TargetColumn };
    const names = new Set<string>();
    for (const f of features) {
      if (names.has(f.name)) throw new RangeError(`feature ${JSON.stringify(f.name)} is given twice`);
      names.add(f.name);
    }
    scores = {};
    for (const f of features) {
      scores[f.name] = method === 'MUTUAL_INFORMATION'
        ? mutualInformation(f.values, target.values, { categorical: f.categorical, targetCategorical: target.categorical })
        : correlationScore(f, target);
    }
    if (method === 'CORRELATION_FILTER') redundant = redundantFeatures(features, scores, threshold ?? DEFAULT_CORRELATION_THRESHOLD);
  }

  const ranked = Object.entries(scores).map(([feature, score]) => ({ feature, score })).sort(compareScores);
  const kept: string[] = [];
  const result = ranked.map(({ feature, score }, i): FeatureScore => {
    const twin = redundant.get(feature);
    // NaN never reaches a threshold.
    const below = method !== 'CORRELATION_FILTER' && threshold !== null && !(score >= threshold);
    const selected = twin === undefined && !below && (keep === undefined || kept.length < keep);
    if (selected) kept.push(feature);
    return { feature, score, rank: i + 1, selected, ...(twin !== undefined ? { redundantWith: twin } : {}), ...(below ? { belowThreshold: true } : {}) };
  });
  return { kept, scores: result };
}

/**
 * Feature columns from an encoded matrix (`rows × width`, row-major) and each feature's column
 * range: a numeric feature (one non-indicator column) gives its values; a one-hot feature gives
 * the index of its column holding a 1, or the range's width when none does (an unseen category).
 * Standardising does not change |r|, η or the equal-frequency bins, so encoded values serve.
 */
export function featureColumns(
  x: ArrayLike<number>,
  rows: number,
  width: number,
  ranges: readonly { feature: string; start: number; end: number }[],
  categorical: readonly boolean[],
): FeatureColumn[] {
  if (x.length !== rows * width) throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × width (${width})`);
  return ranges.map(({ feature, start, end }) => {
    if (!(start >= 0 && end >= start && end <= width)) throw new RangeError(`feature ${feature}: columns [${start}, ${end}) are not within [0, ${width})`);
    const isCategory = end - start !== 1 || categorical[start];
    const values = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      if (!isCategory) {
        values[r] = x[r * width + start];
        continue;
      }
      let code = end - start;
      for (let j = start; j < end; j++) {
        if (x[r * width + j] !== 0) {
          code = j - start;
          break;
        }
      }
      values[r] = code;
    }
    return { name: feature, values, categorical: isCategory };
  });
}

/**
 * The target of an encoded split as a {@link TargetColumn}: classification targets (0/1, or
 * one-hot rows of `outputWidth`) become class indices, regression targets stay numbers.
 */
export function targetColumn(part: { y: ArrayLike<number>; count: number }, outputWidth: number, classification: boolean): TargetColumn {
  const values = new Float64Array(part.count);
  for (let r = 0; r < part.count; r++) {
    if (!classification || outputWidth === 1) {
      values[r] = classification ? (part.y[r] >= 0.5 ? 1 : 0) : part.y[r];
      continue;
    }
    let best = 0;
    for (let c = 1; c < outputWidth; c++) if (part.y[r * outputWidth + c] > part.y[r * outputWidth + best]) best = c;
    values[r] = best;
  }
  return { values, categorical: classification };
}
