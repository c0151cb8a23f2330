import { expect, it } from 'vitest';
import { labelAgreement, scorePsi, valueDifferences } from '../../src/ml/challenger-compare';
import { psi } from '../../src/ml/drift';

it('label agreement: the share of pairs with the same label', () => {
  expect(labelAgreement([['1', '1'], ['0', '1'], ['0', '0'], ['1', '1']])).toBe(0.75);
  expect(labelAgreement([])).toBeNull();
});

it('value differences: mean absolute and mean relative', () => {
  // |12-10| = 2 (0.2), |18-20| = 2 (0.1), |0-0| = 0 → 4/3, 0.3/3.
  const d = valueDifferences([[10, 12], [20, 18], [0, 0]])!;
  expect(d.meanAbsolute).toBeCloseTo(4 / 3, 12);
  expect(d.meanRelative).toBeCloseTo(0.1, 12);
});

it('score PSI: 0 for the same scores, the hand-computed value for shifted probabilities', () => {
  const same = Array.from({ length: 100 }, (_, i) => i / 100);
  expect(scorePsi(same, same, true)).toBeCloseTo(0, 12);
  // Live all in [0.1, 0.2); challenger half there, half in [0.8, 0.9).
  const live = Array(50).fill(0.15);
  const challenger = [...Array(25).fill(0.15), ...Array(25).fill(0.85)];
  const expected = psi([0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0.5, 0, 0, 0, 0, 0, 0, 0.5, 0]);
  expect(scorePsi(live, challenger, true)).toBeCloseTo(expected, 12);
  // Values (regression): the live deciles as edges; a shifted challenger scores a large PSI.
  const values = Array.from({ length: 1000 }, (_, i) => i);
  expect(scorePsi(values, values, false)).toBeCloseTo(0, 12);
  expect(scorePsi(values, values.map((v) => v + 500), false)!).toBeGreaterThan(1);
  expect(scorePsi([], [1], true)).toBeNull();
});
