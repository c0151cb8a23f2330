import { expect, it } from 'vitest';
import { ranks, spearman } from '../../src/ml/rank-correlation';

it('ranks with ties sharing their mean rank', () => {
  expect(ranks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
});

it('Spearman: 1 for any increasing relation, -1 for a decreasing one, a hand-computed value otherwise', () => {
  expect(spearman([1, 2, 3, 4, 5], [1, 8, 27, 64, 125])).toBeCloseTo(1, 12);
  expect(spearman([1, 2, 3, 4, 5], [5, 3, 2, 1, 0])).toBeCloseTo(-1, 12);
  // x ranks 1..5, y ranks [2,1,4,3,5]: d² = 1+1+1+1+0 = 4 → 1 − 6·4/(5·24) = 0.8.
  expect(spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50])).toBeCloseTo(0.8, 12);
  // With ties, Pearson on mean ranks: x [1,2,3,4], y ranks [1.5,1.5,3,4].
  expect(spearman([1, 2, 3, 4], [7, 7, 8, 9])).toBeCloseTo(0.9486832980505138, 12);
});

it('is null with fewer than three pairs or a constant side', () => {
  expect(spearman([1, 2], [2, 1])).toBeNull();
  expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
});
