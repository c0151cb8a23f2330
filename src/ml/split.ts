/**
 * Splits row indexes into training, validation and test sets, reproducibly from a seed so a run
 * can be repeated and its test rows identified again.
 */
import type { SplitStrategyName } from './model-spec';
import { createRandom, shuffleInPlace } from './random';

/** How to split; fractions are of all rows. */
export interface SplitOptions {
  /** Fraction of rows for validation, 0 ≤ validation. */
  validation: number;
  /** Fraction of rows for test, 0 ≤ test; validation + test < 1. */
  test: number;
  /** RANDOM shuffles; TIME_ORDERED keeps the given order (earliest rows train, latest test). */
  strategy: SplitStrategyName;
  seed: number;
  /** The class of each row (classification): RANDOM then keeps class proportions in every part. */
  stratify?: ArrayLike<number>;
}

/** Row indexes of each part. */
export interface Split {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Splits rows 0 … n - 1. Sizes are `round(n × test)` test rows, `round(n × validation)` validation
 * rows and the rest for training (which may be empty for tiny n). The same options always give the
 * same split.
 *
 * RANDOM without `stratify` shuffles all rows with the seed. With `stratify`, each class is divided
 * in the proportions of the whole (largest remainders, so part sizes stay exact), keeping at least
 * one row of each class in training when the sizes allow, and each part is then shuffled. Parts of
 * a RANDOM split are in random order. TIME_ORDERED ignores `seed` and `stratify` and returns each
 * part in ascending order: train, then validation, then test (the caller sorts rows by time first).
 * @throws RangeError for a bad n, fractions outside the limits above, or `stratify` of another length.
 */
export function splitIndices(n: number, o: SplitOptions): Split {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Cannot split ${n} rows`);
  const { validation, test } = o;
  if (!(validation >= 0) || !(test >= 0) || !(validation + test < 1)) {
    throw new RangeError(`Split fractions must satisfy 0 ≤ validation, 0 ≤ test and validation + test < 1 (got validation ${validation}, test ${test})`);
  }
  const testSize = Math.round(n * test);
  const validationSize = Math.round(n * validation);
  // round(a) + round(b) ≤ a + b + 1 < n + 1, so training is never negative.
  const trainSize = n - testSize - validationSize;

  if (o.strategy === 'TIME_ORDERED') {
    return {
      train: range(0, trainSize),
      validation: range(trainSize, trainSize + validationSize),
      test: range(trainSize + validationSize, n),
    };
  }
  const random = createRandom(o.seed);
  if (o.stratify === undefined) {
    const order = shuffleInPlace(range(0, n), random);
    return {
      test: order.slice(0, testSize),
      validation: order.slice(testSize, testSize + validationSize),
      train: order.slice(testSize + validationSize),
    };
  }
  if (o.stratify.length !== n) throw new RangeError(`stratify has ${o.stratify.length} values for ${n} rows`);
  return stratified(o.stratify, testSize, validationSize, random);
}

function stratified(classOf: ArrayLike<number>, testSize: number, validationSize: number, random: () => number): Split {
  const n = classOf.length;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const rows = groups.get(classOf[i]);
    if (rows) rows.push(i);
    else groups.set(classOf[i], [i]);
  }
  // Classes in ascending order, so the random stream is consumed the same way every time.
  const members = [...groups.keys()].sort((a, b) => a - b).map((cls) => shuffleInPlace(groups.get(cls)!, random));
  const sizes = members.map((rows) => rows.length);
  const testCounts = apportion(testSize, n, sizes, sizes.map(() => 0));
  const validationCounts = apportion(validationSize, n, sizes, testCounts);

  const split: Split = { train: [], validation: [], test: [] };
  members.forEach((rows, c) => {
    const t = testCounts[c];
    const v = validationCounts[c];
    // Element by element: spreading a class of 500,000 rows into push() overflows the call stack.
    for (let i = 0; i < rows.length; i++) (i < t ? split.test : i < t + v ? split.validation : split.train).push(rows[i]);
  });
  shuffleInPlace(split.train, random);
  shuffleInPlace(split.validation, random);
  shuffleInPlace(split.test, random);
  return split;
}

/**
 * Shares `total` rows among classes in proportion to their sizes (largest-remainder method), so
 * the shares sum exactly to `total`. A class can give at most `size - taken` rows, and while the
 * total allows it also keeps one row back for training, so a rare class is not lost to training.
 */
function apportion(total: number, n: number, sizes: number[], taken: number[]): number[] {
  const ideal = sizes.map((size) => (n === 0 ? 0 : (size * total) / n));
  const room = sizes.map((size, c) => size - taken[c]);
  const roomKeepingOne = room.map((r) => Math.max(0, r - 1));
  const counts = ideal.map((x, c) => Math.min(Math.floor(x), roomKeepingOne[c]));
  let left = total - counts.reduce((sum, x) => sum + x, 0);
  // Largest fractional part first; ties go to the earlier class.
  const order = ideal.map((x, c) => ({ c, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.c - b.c);
  // total never exceeds the sum of room (the rows not yet taken), so the second limit always finishes.
  for (const limit of [roomKeepingOne, room]) {
    let gave = true;
    while (left > 0 && gave) {
      gave = false;
      for (const { c } of order) {
        if (left > 0 && counts[c] < limit[c]) {
          counts[c]++;
          left--;
          gave = true;
        }
      }
    }
  }
  return counts;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}
