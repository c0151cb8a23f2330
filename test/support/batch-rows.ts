/**
 * The micro-batcher tests' model and rows. Rows are [marker, value]; the model maps each to
 * [marker + value, marker], so every slice of a batch's output is checkable.
 */
export const IN = 2;
export const OUT = 2;

/** The model's answer for `rows` concatenated rows (throws on a NaN, as a model may). */
export function answer(input: Float32Array, rows: number): Float32Array {
  if (input.some(Number.isNaN)) throw new Error('NaN in input');
  const output = new Float32Array(rows * OUT);
  for (let r = 0; r < rows; r++) {
    output[r * OUT] = input[r * IN] + input[r * IN + 1];
    output[r * OUT + 1] = input[r * IN];
  }
  return output;
}

/** `rows` rows with markers start, start + 1, …, each with value 0.5. */
export function rowsFrom(start: number, rows: number): Float32Array {
  return Float32Array.from({ length: rows * IN }, (_, i) => (i % IN === 0 ? start + i / IN : 0.5));
}

/** What the model answers for rowsFrom(start, rows). */
export function expected(start: number, rows: number): number[] {
  return Array.from({ length: rows }, (_, r) => [start + r + 0.5, start + r]).flat();
}
