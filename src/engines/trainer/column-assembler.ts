import type { RowColumns } from './protocol';

/**
 * Joins chunks of columns, as they arrive one after another, into one set of columns: a numeric
 * column into one Float64Array (allocated once for `expected` rows, grown only if more come), any
 * other into one array. A column that is numeric in one chunk and not in another becomes a plain
 * array with null for the numeric chunks' NaN, as `fromColumns` reads them.
 */
export class ColumnAssembler {
  private count = 0;
  private readonly columns: { name: string; numbers: Float64Array | null; values: unknown[] | null }[];

  constructor(names: string[], private readonly expected: number) {
    this.columns = names.map((name) => ({ name, numbers: null, values: null }));
  }

  get rowCount(): number {
    return this.count;
  }

  /** @throws Error when the chunk's columns are not the ones named at the start, in order. */
  add(chunk: RowColumns): void {
    if (chunk.columns.length !== this.columns.length || chunk.columns.some((c, i) => c.name !== this.columns[i].name)) {
      throw new Error(`a rows chunk has columns ${chunk.columns.map((c) => JSON.stringify(c.name)).join(', ')}, expected ${this.columns.map((c) => JSON.stringify(c.name)).join(', ')}`);
    }
    const at = this.count;
    chunk.columns.forEach(({ values }, i) => {
      const column = this.columns[i];
      if (values instanceof Float64Array && column.values === null) {
        column.numbers = ensureRoom(column.numbers, at + values.length, this.expected);
        column.numbers.set(values, at);
        return;
      }
      // A plain array from here on: earlier numeric rows move over (NaN is a missing number).
      if (column.values === null) column.values = column.numbers ? Array.from(column.numbers.subarray(0, at), nullForNaN) : new Array<unknown>(at).fill(null);
      column.numbers = null;
      const plain = column.values;
      if (values instanceof Float64Array) for (let r = 0; r < values.length; r++) plain.push(nullForNaN(values[r]));
      else for (let r = 0; r < values.length; r++) plain.push(values[r]);
    });
    this.count += chunk.count;
  }

  /** The joined columns (views on the assembled arrays, not copies). */
  finish(): RowColumns {
    return {
      count: this.count,
      columns: this.columns.map(({ name, numbers, values }) => ({ name, values: values ?? (numbers ?? new Float64Array(0)).subarray(0, this.count) })),
    };
  }
}

function ensureRoom(numbers: Float64Array | null, needed: number, expected: number): Float64Array {
  if (numbers && numbers.length >= needed) return numbers;
  const grown = new Float64Array(Math.max(needed, expected, numbers ? numbers.length * 2 : 0));
  if (numbers) grown.set(numbers);
  return grown;
}

function nullForNaN(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}
