/**
 * Drift statistics comparing the rows a model serves with the rows it was trained on. The training
 * side is only the summary saved in the preprocessor (deciles, category shares), so the training
 * data is never read again; everything here is pure arithmetic on arrays.
 */
import { isBlank, parseNumber } from './value-parsers';

/** How far a feature has drifted, from its PSI. */
export type DriftStatus = 'STABLE' | 'MODERATE' | 'SIGNIFICANT';

/** PSI status: STABLE < 0.1 <= MODERATE < 0.25 <= SIGNIFICANT (the usual credit-risk thresholds). */
export function driftStatus(psi: number): DriftStatus {
  return psi < 0.1 ? 'STABLE' : psi < 0.25 ? 'MODERATE' : 'SIGNIFICANT';
}

/**
 * Share used in place of 0 for an empty bin: ln(a / 0) is infinite, and a bin that happens to be
 * empty in a small served sample must not make the PSI infinite. 1e-4 keeps the penalty bounded
 * (an empty bin expected at 10 % adds 0.1 · ln(1000) ≈ 0.69) yet still large enough to flag it.
 */
export const PSI_EPSILON = 1e-4;

/**
 * Population Stability Index between two distributions given as shares per bin (same length, each
 * summing to ~1): sum((a - e) * ln(a / e)), with shares below `epsilon` replaced by `epsilon`.
 * @throws RangeError when the arrays differ in length.
 */
export function psi(expected: number[], actual: number[], epsilon = PSI_EPSILON): number {
  if (expected.length !== actual.length) throw new RangeError(`PSI needs bins of equal count (${expected.length} vs ${actual.length})`);
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], epsilon);
    const a = Math.max(actual[i], epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** One bin of a drift comparison; `expected` (training) and `actual` (served) are shares. */
export interface DriftBin {
  label: string;
  expected: number;
  actual: number;
}

/** A feature's PSI, its bins, and how many served values were compared. */
export interface DriftResult {
  psi: number;
  bins: DriftBin[];
  count: number;
}

/**
 * A served value as a number: numbers as is (non-finite → missing), numeric text via `parseNumber`,
 * booleans as 0/1, anything else missing (null). Prediction logs hold inputs as the client sent them.
 */
export function servedNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return parseNumber(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/** A served value as category text, the way training read it (4 → '4', true → 'true'); blank or null → missing. */
export function servedCategory(value: unknown): string | null {
  if (typeof value === 'string') return isBlank(value) ? null : value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

/**
 * The distinct decile edges, each with the training CDF at it, k/10 for the largest k with that edge
 * (nearest-rank deciles guarantee at least k/10 of the training values are ≤ e_k). When the
 * training `max` is known and not above the last edge, nothing in training exceeded it, so its CDF is 1.
 */
function edgeCdf(deciles: number[], max?: number | null): { edge: number; cdf: number }[] {
  const edges: { edge: number; cdf: number }[] = [];
  deciles.forEach((edge, i) => {
    if (i > 0 && edge < deciles[i - 1]) throw new RangeError('Deciles must be in ascending order');
    if (edges.length > 0 && edges[edges.length - 1].edge === edge) edges[edges.length - 1].cdf = (i + 1) / 10;
    else edges.push({ edge, cdf: (i + 1) / 10 });
  });
  if (edges.length > 0 && max !== undefined && max !== null && max <= edges[edges.length - 1].edge) edges[edges.length - 1].cdf = 1;
  return edges;
}

/** Up to 4 significant digits, plain ASCII ("1200", "0.3333"); the labels are for people, not parsing. */
function formatEdge(x: number): string {
  return String(Number(x.toPrecision(4)) || 0);
}

/**
 * Numeric feature drift over bins from the training deciles: edges e1..e9 give bins (-inf, e1],
 * (e1, e2], …, (e9, inf). Duplicate edges collapse, so bins are distinct and non-empty in training;
 * each bin's expected share is 10 % per original decile bin (merged ones add up). Labels read
 * "<= 250", "250 to 1200", "> 9000". Non-finite or missing values are left out.
 *
 * The 10 % for (e9, inf) assumes training values above e9, which a column whose top decile is also
 * its maximum (0/1 flags, capped amounts) lacks; pass the training `max` so that bin is dropped
 * instead of reading as an empty bin and a false SIGNIFICANT drift.
 * @returns null when there are no deciles (old artifact, empty column) or no served values.
 */
export function numericDrift(deciles: number[], values: (number | null)[], max?: number | null): DriftResult | null {
  const edges = edgeCdf(deciles, max);
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (edges.length === 0 || present.length === 0) return null;
  const last = edges[edges.length - 1];
  const binCount = edges.length + (last.cdf < 1 ? 1 : 0);
  const counts = new Array<number>(binCount).fill(0);
  for (const v of present) {
    // Few edges (≤ 9), so a linear scan beats a binary search; values past every edge go last.
    let b = 0;
    while (b < edges.length && v > edges[b].edge) b++;
    counts[Math.min(b, binCount - 1)]++;
  }
  const bins = counts.map((c, b): DriftBin => {
    const lower = b > 0 ? edges[b - 1] : undefined;
    const upper = b < edges.length ? edges[b] : undefined;
    const label = !lower ? `<= ${formatEdge(upper!.edge)}` : !upper ? `> ${formatEdge(lower.edge)}` : `${formatEdge(lower.edge)} to ${formatEdge(upper.edge)}`;
    // Rounded to whole tenths so merged bins read 0.4, not 0.39999999999999997.
    const expected = Math.round(((upper?.cdf ?? 1) - (lower?.cdf ?? 0)) * 10) / 10;
    return { label, expected, actual: c / present.length };
  });
  return { psi: psi(bins.map((b) => b.expected), bins.map((b) => b.actual)), bins, count: present.length };
}

/**
 * Category feature drift: one bin per training category plus an "(other)" bin for everything else
 * (unseen categories and missing values, as training counted them), expected from `shares` with
 * other = max(0, 1 - sum).
 * @returns null when there are no served values.
 * @throws RangeError when `shares` is not aligned with `categories`.
 */
export function categoryDrift(categories: string[], shares: number[], values: (string | null)[]): DriftResult | null {
  if (shares.length !== categories.length) throw new RangeError('Category shares must align with categories');
  if (values.length === 0) return null;
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = new Array<number>(categories.length + 1).fill(0);
  for (const v of values) counts[(v === null ? undefined : index.get(v)) ?? categories.length]++;
  const other = Math.max(0, 1 - shares.reduce((sum, s) => sum + s, 0));
  const bins = counts.map((c, i): DriftBin => ({
    label: i < categories.length ? categories[i] : '(other)',
    expected: i < categories.length ? shares[i] : other,
    actual: c / values.length,
  }));
  return { psi: psi(bins.map((b) => b.expected), bins.map((b) => b.actual)), bins, count: values.length };
}

function sortedFinite(values: number[]): Float64Array {
  return Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();
}

/**
 * Two-sample Kolmogorov–Smirnov statistic D = max |F1(x) - F2(x)| over the pooled sorted values,
 * exact, O((n + m) log(n + m)). Non-finite values are left out.
 * @returns null if either sample is empty.
 */
export function ksStatistic(a: number[], b: number[]): number | null {
  const x = sortedFinite(a);
  const y = sortedFinite(b);
  if (x.length === 0 || y.length === 0) return null;
  let i = 0;
  let j = 0;
  let d = 0;
  // Both CDFs are compared only after stepping past every copy of a value: ties jump together.
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/**
 * An approximate KS statistic against training when only its deciles are known: the max over the
 * distinct decile edges of |F_train(edge) - F_served(edge)| with F_train(e_k) = k/10 (largest k for
 * duplicate edges; 1 at the last edge when the training `max` does not exceed it). Differences
 * between edges are not seen, so this can understate the exact statistic.
 * @returns null when there are no deciles or no finite served values.
 */
export function ksAgainstDeciles(deciles: number[], values: number[], max?: number | null): number | null {
  const edges = edgeCdf(deciles, max);
  const served = sortedFinite(values);
  if (edges.length === 0 || served.length === 0) return null;
  let d = 0;
  let below = 0;
  for (const { edge, cdf } of edges) {
    while (below < served.length && served[below] <= edge) below++;
    d = Math.max(d, Math.abs(cdf - below / served.length));
  }
  return d;
}

/**
 * Shares of prediction scores in `bins` equal-width bins over [0, 1] ([0, 0.1), …, [0.9, 1]).
 * Scores outside [0, 1] count in the end bins; non-finite scores are left out.
 * @returns all zeros when there is no finite score.
 */
export function scoreShares(scores: number[], bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(s * bins)))]++;
    total++;
  }
  return counts.map((c) => (total === 0 ? 0 : c / total));
}
