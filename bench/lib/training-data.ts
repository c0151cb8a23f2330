/**
 * Deterministic synthetic data for the training benchmarks (labelled synthetic: no real customer
 * behind any row). The same (rows, seed) always gives the same CSV text, so the API run and the
 * bare script train on identical numbers.
 */
import { createRandom } from '../../src/ml/random';

/** The project's seeded PRNG (mulberry32), so benchmark data is reproducible. */
export const seededRandom = createRandom;

/** Standard normal by Box–Muller over `random`. */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export const SYNTHETIC_FEATURES = 20;
export const SYNTHETIC_TARGET = 'label';

/** Feature column names f01…f20. */
export function syntheticFeatureNames(features = SYNTHETIC_FEATURES): string[] {
  return Array.from({ length: features }, (_, i) => `f${String(i + 1).padStart(2, '0')}`);
}

/**
 * `rows` rows of `features` numeric columns (normal, different scales) and a 0/1 `label` drawn
 * from a logistic of a linear part plus two interactions, so an MLP has something to learn and
 * both classes are common (roughly 40/60).
 */
export function syntheticBinaryCsv(rows: number, seed = 20251129, features = SYNTHETIC_FEATURES): string {
  return [...syntheticBinaryLines(rows, seed, features)].join('\n') + '\n';
}

/** The lines of {@link syntheticBinaryCsv} (header first), one at a time: millions of rows never sit in one string. */
export function* syntheticBinaryLines(rows: number, seed = 20251129, features = SYNTHETIC_FEATURES): Generator<string> {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const names = syntheticFeatureNames(features);
  const weights = names.map(() => normal());
  const scales = names.map((_, i) => [1, 10, 100, 0.1][i % 4]);
  yield [...names, SYNTHETIC_TARGET].join(',');
  const x = new Array<number>(features);
  for (let r = 0; r < rows; r++) {
    let z = 0.3;
    for (let i = 0; i < features; i++) {
      x[i] = normal();
      z += weights[i] * x[i] * 0.5;
    }
    z += 0.8 * x[0] * x[1] - 0.6 * x[2] * x[3];
    const label = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    yield `${x.map((v, i) => (v * scales[i]).toFixed(4)).join(',')},${label}`;
  }
}

/** Splits the simple CSV above (no quoting) into header and string cells. */
export function parseSimpleCsv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trim().split('\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((line) => line.split(',')) };
}

/** p-th percentile (0–100) by nearest rank of an unsorted list. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));
