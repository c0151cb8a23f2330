import { expect, it } from 'vitest';
import { createRandom } from '../../src/ml/random';
import { stdOf, withCategoryFlips, withMissing, withNoise, withStress } from '../../src/ml/robustness';

const rows = Array.from({ length: 2000 }, (_, i) => ({ income: 1000 + (i % 100) * 10, housing: ['own', 'rent', 'free'][i % 3], age: 30 }));

it('zero noise changes nothing; noise of k std has about that spread and leaves the input untouched', () => {
  expect(withNoise(rows, ['income'], 0, createRandom(1))).toEqual(rows);
  const noisy = withNoise(rows, ['income'], 0.5, createRandom(1));
  const diffs = noisy.map((r, i) => (r.income as number) - rows[i].income);
  const sd = Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length);
  expect(sd / stdOf(rows, 'income')).toBeGreaterThan(0.45);
  expect(sd / stdOf(rows, 'income')).toBeLessThan(0.55);
  expect(rows[0].income).toBe(1000);
});

it('missing values at a rate, category flips to another category, and stress changes by hand', () => {
  const missing = withMissing(rows, ['income'], 0.2, createRandom(2)).filter((r) => r.income === null).length;
  expect(missing / rows.length).toBeGreaterThan(0.17);
  expect(missing / rows.length).toBeLessThan(0.23);
  const flipped = withCategoryFlips(rows, { housing: ['own', 'rent', 'free'] }, 1, createRandom(3));
  expect(flipped.every((r, i) => r.housing !== rows[i].housing && ['own', 'rent', 'free'].includes(r.housing as string))).toBe(true);
  expect(withStress([{ income: 1000, amount: 200 }], [{ feature: 'income', multiply: 0.7 }, { feature: 'amount', multiply: 1.5 }])).toEqual([{ income: 700, amount: 300 }]);
});
