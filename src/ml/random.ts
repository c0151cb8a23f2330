/**
 * Seeded pseudo-random numbers for everything in training that must reproduce from a run's seed
 * (splits, shuffles, permutation importance). Math.random cannot be seeded, so it is never used.
 */

/**
 * A mulberry32 generator: uniform numbers in [0, 1) from a 32-bit state. Small and fast, with a
 * full 2^32 period, which is plenty for shuffling datasets of up to millions of rows.
 * @param seed Any number; it is truncated to its low 32 bits, so 1 and 2^32 + 1 give the same stream.
 * @returns A function giving the next number of the stream on each call.
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An array or typed array: anything indexable whose elements can be reassigned. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/**
 * Shuffles `array` (a plain or typed array) in place with the Fisher–Yates algorithm: from the
 * last element down, each is swapped with a uniformly chosen element at or before it, so every
 * permutation is equally likely.
 * @param random A source of uniform numbers in [0, 1), such as {@link createRandom}.
 * @returns The same array, for chaining.
 */
export function shuffleInPlace<T, A extends MutableArrayLike<T>>(array: A, random: () => number): A {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = array[i];
    array[i] = array[j];
    array[j] = item;
  }
  return array;
}
