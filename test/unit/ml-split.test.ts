import { describe, expect, it } from 'vitest';
import { splitIndices, type SplitOptions } from '../../src/ml/split';

const random = (validation: number, test: number, seed = 1, stratify?: ArrayLike<number>): SplitOptions =>
  ({ validation, test, strategy: 'RANDOM', seed, stratify });

/** The parts together are exactly 0 … n - 1, each index once. */
function expectPartition(split: { train: number[]; validation: number[]; test: number[] }, n: number): void {
  const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

/** How many indexes of `part` belong to each class. */
function classCounts(part: number[], classOf: ArrayLike<number>): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const i of part) counts[classOf[i]] = (counts[classOf[i]] ?? 0) + 1;
  return counts;
}

describe('splitIndices sizes', () => {
  it('takes round(n × test), round(n × validation) and the rest', () => {
    // n = 10: test 1, validation 2, train 7.
    const a = splitIndices(10, random(0.2, 0.1));
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([7, 2, 1]);
    expectPartition(a, 10);
    // n = 7: round(1.75) = 2 each, train 3.
    const b = splitIndices(7, random(0.25, 0.25));
    expect([b.train.length, b.validation.length, b.test.length]).toEqual([3, 2, 2]);
    expectPartition(b, 7);
    const none = splitIndices(5, random(0, 0));
    expect(none.validation).toEqual([]);
    expect(none.test).toEqual([]);
    expect(splitIndices(0, random(0.2, 0.2))).toEqual({ train: [], validation: [], test: [] });
  });

  it('rejects fractions outside 0 ≤ validation, test and validation + test < 1', () => {
    expect(() => splitIndices(10, random(0.5, 0.5))).toThrow(RangeError);
    expect(() => splitIndices(10, random(-0.1, 0.2))).toThrow(RangeError);
    expect(() => splitIndices(10, random(0.1, Number.NaN))).toThrow(RangeError);
    expect(() => splitIndices(-1, random(0.1, 0.1))).toThrow(RangeError);
    expect(() => splitIndices(2.5, random(0.1, 0.1))).toThrow(RangeError);
  });
});

describe('splitIndices RANDOM', () => {
  it('is the same for the same seed and different for another', () => {
    const a = splitIndices(50, random(0.2, 0.2, 7));
    expect(splitIndices(50, random(0.2, 0.2, 7))).toEqual(a);
    expect(splitIndices(50, random(0.2, 0.2, 8))).not.toEqual(a);
    expectPartition(a, 50);
    // Shuffled, not the leading rows.
    expect(a.train).not.toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});

describe('splitIndices TIME_ORDERED', () => {
  it('keeps order: earliest rows train, then validation, then test', () => {
    const split = splitIndices(10, { validation: 0.2, test: 0.3, strategy: 'TIME_ORDERED', seed: 3, stratify: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1] });
    expect(split).toEqual({ train: [0, 1, 2, 3, 4], validation: [5, 6], test: [7, 8, 9] });
  });
});

describe('splitIndices stratified', () => {
  it('splits each class in the overall proportions', () => {
    // 80 of class 0 and 20 of class 1, interleaved; test 20 → 16 + 4, validation 10 → 8 + 2.
    const classOf = Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const split = splitIndices(100, random(0.1, 0.2, 5, classOf));
    expectPartition(split, 100);
    expect(classCounts(split.test, classOf)).toEqual({ 0: 16, 1: 4 });
    expect(classCounts(split.validation, classOf)).toEqual({ 0: 8, 1: 2 });
    expect(classCounts(split.train, classOf)).toEqual({ 0: 56, 1: 14 });
  });

  it('shares the rounding by largest remainders', () => {
    // Classes of 7 and 3. Test 3: ideals 2.1 and 0.9 → 2 and 1. Validation 2: ideals 1.4 and 0.6 → 1 and 1.
    const classOf = new Float32Array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const split = splitIndices(10, random(0.2, 0.3, 11, classOf));
    expect(classCounts(split.test, classOf)).toEqual({ 0: 2, 1: 1 });
    expect(classCounts(split.validation, classOf)).toEqual({ 0: 1, 1: 1 });
    expect(classCounts(split.train, classOf)).toEqual({ 0: 4, 1: 1 });
  });

  it('keeps a rare class in training when the sizes allow', () => {
    // Classes of 4 and 1, test 3: ideals 2.4 and 0.6 would give the lone row of class 1 to test;
    // class 0 can give 3 rows and still keep one, so the rare row stays in training.
    const classOf = [0, 0, 1, 0, 0];
    for (const seed of [1, 2, 3, 4, 5]) {
      const split = splitIndices(5, random(0, 0.6, seed, classOf));
      expect(split.train).toContain(2);
      expect(classCounts(split.test, classOf)).toEqual({ 0: 3 });
    }
  });

  it('is reproducible and rejects a stratify of the wrong length', () => {
    const classOf = Array.from({ length: 40 }, (_, i) => i % 3);
    expect(splitIndices(40, random(0.25, 0.25, 9, classOf))).toEqual(splitIndices(40, random(0.25, 0.25, 9, classOf)));
    expect(() => splitIndices(39, random(0.25, 0.25, 9, classOf))).toThrow(RangeError);
  });
});

describe('splitIndices at scale', () => {
  it('splits 1,000,000 stratified rows (no spread of a data-sized array into a call)', () => {
    const n = 1_000_000;
    const classes = new Uint8Array(n);
    for (let i = 0; i < n; i++) classes[i] = i % 7 === 0 ? 1 : 0;
    const split = splitIndices(n, { validation: 0.1, test: 0.2, strategy: 'RANDOM', seed: 3, stratify: classes });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([700_000, 100_000, 200_000]);
    const positives = (part: number[]) => part.reduce((sum, i) => sum + classes[i], 0);
    expect(positives(split.test) / split.test.length).toBeCloseTo(1 / 7, 3);
  });
});
