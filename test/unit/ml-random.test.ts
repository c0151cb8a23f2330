import { describe, expect, it } from 'vitest';
import { createRandom, shuffleInPlace } from '../../src/ml/random';

/**
 * mulberry32 written again with BigInt arithmetic modulo 2^32, independently of the 32-bit
 * tricks (Math.imul, >>> 0) the implementation relies on.
 */
function referenceMulberry32(seed: number): () => number {
  const M = 2n ** 32n;
  const mul = (a: bigint, b: bigint) => (a * b) % M;
  let state = ((BigInt(seed) % M) + M) % M;
  return () => {
    state = (state + 0x6d2b79f5n) % M;
    let t = state;
    t = mul(t ^ (t >> 15n), t | 1n);
    t = t ^ ((t + mul(t ^ (t >> 7n), t | 61n)) % M);
    return Number(t ^ (t >> 14n)) / 2 ** 32;
  };
}

/** Gives the listed numbers in turn, so a shuffle can be followed by hand. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++];
}

describe('createRandom', () => {
  it('matches an independent mulberry32 for several seeds', () => {
    for (const seed of [0, 1, 42, 123_456_789, 4_294_967_295]) {
      const actual = createRandom(seed);
      const expected = referenceMulberry32(seed);
      for (let i = 0; i < 50; i++) expect(actual()).toBe(expected());
    }
  });

  it('repeats for the same seed and differs for another', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const first = Array.from({ length: 20 }, () => a());
    expect(Array.from({ length: 20 }, () => b())).toEqual(first);
    expect(Array.from({ length: 20 }, () => c())).not.toEqual(first);
  });

  it('gives numbers in [0, 1), spread evenly over ten buckets', () => {
    const random = createRandom(2024);
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = random();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      buckets[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    // Expected 10 000 per bucket; binomial sd ≈ 95, so ±500 is far outside chance.
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('shuffleInPlace', () => {
  it('follows Fisher–Yates from the end (hand-traced)', () => {
    // random 0 always swaps with index 0: i=3 → d b c a, i=2 → c b d a, i=1 → b c d a.
    expect(shuffleInPlace(['a', 'b', 'c', 'd'], () => 0)).toEqual(['b', 'c', 'd', 'a']);
    // 0.5: i=3 → j=2 (a b d c), i=2 → j=1 (a d b c), i=1 → j=1 (no change).
    expect(shuffleInPlace(['a', 'b', 'c', 'd'], sequence([0.5, 0.5, 0.5]))).toEqual(['a', 'd', 'b', 'c']);
    // Just below 1 always picks j = i: nothing moves.
    expect(shuffleInPlace([1, 2, 3, 4], () => 0.999_999)).toEqual([1, 2, 3, 4]);
  });

  it('shuffles in place, returns the same array, and draws n - 1 numbers', () => {
    const array = [1, 2, 3, 4, 5];
    let calls = 0;
    const result = shuffleInPlace(array, () => (calls++, 0.3));
    expect(result).toBe(array);
    expect(calls).toBe(4);
    expect([...array].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(shuffleInPlace([], () => 0)).toEqual([]);
  });

  it('works on typed arrays', () => {
    const array = new Float32Array([1, 2, 3, 4]);
    expect(Array.from(shuffleInPlace(array, () => 0))).toEqual([2, 3, 4, 1]);
  });

  it('makes every permutation about equally likely', () => {
    const random = createRandom(99);
    const counts = new Map<string, number>();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const key = shuffleInPlace(['a', 'b', 'c'], random).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // Expected 10 000 each; sd ≈ 91.
    for (const count of counts.values()) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
