/**
 * Probability calibration and performance estimation for binary classifiers: Platt scaling fitted
 * on the test split at training, calibration bins against realised outcomes, and CBPE (as NannyML
 * does): the AUC, accuracy and positive rate expected from calibrated probabilities alone, before
 * the outcomes are known.
 */

/** p' = 1 / (1 + exp(−(a · logit(p) + b))). */
export interface PlattCalibrator { a: number; b: number }

const EPS = 1e-6;
const logit = (p: number) => {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function calibrate(calibrator: PlattCalibrator | null | undefined, p: number): number {
  return calibrator ? sigmoid(calibrator.a * logit(p) + calibrator.b) : p;
}

/**
 * Platt scaling: a and b minimising the log loss of sigmoid(a · logit(score) + b) on (score,
 * label) pairs, by Newton's method with backtracking (two parameters: a 2×2 system per step), with Platt's smoothed
 * targets so a separable split does not send the slope to infinity.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>, iterations = 50): PlattCalibrator {
  const n = scores.length;
  const positives = Array.from(labels).filter((l) => l === 1).length;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (n - positives + 2);
  const x = Array.from(scores, logit);
  const t = Array.from(labels, (l) => (l === 1 ? hi : lo));
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * x[i] + b;
      // log(1 + e^z) − t z, written to stay finite for large |z|.
      sum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t[i] * z;
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let it = 0; it < iterations; it++) {
    let ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * x[i] + b);
      const d = p - t[i];
      const w = p * (1 - p);
      ga += d * x[i];
      gb += d;
      haa += w * x[i] * x[i];
      hab += w * x[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // Backtracking: halve the Newton step until the loss goes down.
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const improved = current - next;
    current = next;
    if (improved < 1e-10 * n) break;
  }
  return { a, b };
}

export interface CalibrationBin { from: number; to: number; count: number; meanPredicted: number; observedRate: number }

/** Predicted probability against the observed positive share, in `bins` equal-width bins over [0, 1] (empty bins left out). */
export function calibrationBins(probabilities: number[], outcomes: number[], bins = 10): CalibrationBin[] {
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  probabilities.forEach((p, i) => {
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))];
    bin.count++;
    bin.predicted += p;
    bin.observed += outcomes[i];
  });
  return sums.flatMap((s, i) => (s.count ? [{ from: i / bins, to: (i + 1) / bins, count: s.count, meanPredicted: s.predicted / s.count, observedRate: s.observed / s.count }] : []));
}

export interface EstimatedPerformance { auc: number | null; accuracy: number; positiveRate: number }

/**
 * CBPE: with calibrated probabilities p, row i is a positive with probability p_i. Expected
 * accuracy at `threshold` is the mean of p_i (predicted positive) or 1 − p_i (negative); the
 * expected positive rate is the mean of p_i; the expected AUC is the Mann–Whitney statistic with
 * each pair (i, j) weighted by p_i (1 − p_j), computed in one pass over the scores in order.
 */
export function estimatePerformance(probabilities: number[], threshold = 0.5): EstimatedPerformance {
  const n = probabilities.length;
  if (n === 0) return { auc: null, accuracy: 0, positiveRate: 0 };
  const accuracy = probabilities.reduce((sum, p) => sum + (p >= threshold ? p : 1 - p), 0) / n;
  const positiveRate = probabilities.reduce((a, b) => a + b, 0) / n;
  // Ascending: a positive i beats every negative j scored below it (ties count half).
  const sorted = [...probabilities].sort((x, y) => x - y);
  let negativesBelow = 0;
  let right = 0;
  let totalPositive = 0;
  let totalNegative = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    let pos = 0;
    let neg = 0;
    for (let k = i; k < j; k++) { pos += sorted[k]; neg += 1 - sorted[k]; }
    // Pairs within the tie: half; a row never pairs with itself (Σ p_k(1 − p_k) removed).
    let self = 0;
    for (let k = i; k < j; k++) self += sorted[k] * (1 - sorted[k]);
    right += pos * negativesBelow + 0.5 * (pos * neg - self);
    negativesBelow += neg;
    totalPositive += pos;
    totalNegative += neg;
    i = j;
  }
  const pairs = totalPositive * totalNegative - probabilities.reduce((s, p) => s + p * (1 - p), 0);
  return { auc: pairs > 0 ? right / pairs : null, accuracy, positiveRate };
}
