import { describe, expect, it } from 'vitest';
import { ColumnProfiler, InvalidValueError, type ColumnProfile } from '../../src/modules/datasets/column-profiler';
import type { ColumnType } from '../../src/ml/value-parsers';

function profile(
  values: (string | null)[],
  options?: { fixedType?: ColumnType; distinctLimit?: number },
): ColumnProfile {
  const profiler = new ColumnProfiler('col', options);
  for (const value of values) profiler.add(value);
  return profiler.finish();
}

/** Deterministic pseudo-random numbers, so failures reproduce. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Counts and orders values independently of the profiler: count desc, then value asc. */
function expectedTop(values: string[], limit = 10): { value: string; count: number }[] {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return Object.entries(counts)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

describe('ColumnProfiler type inference', () => {
  it('infers NUMBER, including 0/1 flags and yyyymmdd-like integers', () => {
    expect(profile(['1', '-2.5', '3e2', null]).type).toBe('NUMBER');
    expect(profile(['0', '1', '1', '0', '1']).type).toBe('NUMBER');
    expect(profile(['20240131', '20240201']).type).toBe('NUMBER');
  });

  it('infers BOOLEAN from mixed spellings, but not when a number is present', () => {
    expect(profile(['yes', 'No', 'Y', 'n', 'TRUE', 'f', '']).type).toBe('BOOLEAN');
    expect(profile(['yes', 'no', '1']).type).not.toBe('BOOLEAN');
  });

  it('infers DATE from any supported format, mixed', () => {
    expect(profile(['1-May-95', '2024-01-31', '5/31/2024', '2024/05/31', null]).type).toBe('DATE');
    expect(profile(['1-May-95', '31-Feb-95']).type).not.toBe('DATE');
  });

  it('infers CATEGORY for few repeated values and TEXT otherwise', () => {
    const grades = Array.from({ length: 40 }, (_, i) => ['A', 'B', 'C'][i % 3]);
    expect(profile(grades).type).toBe('CATEGORY');
    // 100 distinct values over 200 rows is still a category; 101 is not.
    const codes = (n: number) => Array.from({ length: 2 * n }, (_, i) => `code-${i % n}`);
    expect(profile(codes(100)).type).toBe('CATEGORY');
    expect(profile(codes(101)).type).toBe('TEXT');
    // Distinct values must be at most half the values (or 2).
    expect(profile(['a', 'b']).type).toBe('CATEGORY');
    expect(profile(['a', 'b', 'c']).type).toBe('TEXT');
    expect(profile(['a', 'b', 'c', 'a', 'b', 'c']).type).toBe('CATEGORY');
    expect(profile(['free text one', 'free text two', 'three', 'four', 'five']).type).toBe('TEXT');
  });

  it('infers TEXT for an all-null column and mixes of numbers and words', () => {
    const empty = profile([null, '', '  ']);
    expect(empty.type).toBe('TEXT');
    expect(empty.nullCount).toBe(3);
    expect(profile(['1', '2', 'n/a', '3', '4', '5', '6']).type).toBe('TEXT');
  });

  it('cannot call a column whose distinct values hit the cap a CATEGORY', () => {
    const values = Array.from({ length: 40 }, (_, i) => `v${i % 8}`);
    expect(profile(values).type).toBe('CATEGORY');
    const capped = profile(values, { distinctLimit: 5 });
    expect(capped.distinctCountCapped).toBe(true);
    expect(capped.distinctCount).toBe(5);
    expect(capped.type).toBe('TEXT');
  });
});

describe('ColumnProfiler statistics', () => {
  it('matches an independent computation of numeric stats, nulls and distinct counts', () => {
    const random = lcg(7);
    const values: (string | null)[] = [];
    for (let i = 0; i < 5000; i++) {
      const r = random();
      if (r < 0.05) values.push(null);
      else if (r < 0.08) values.push('  ');
      else values.push((Math.round((random() * 2000 - 500) * 100) / 100).toString());
    }
    const numbers = values.filter((v): v is string => v !== null && v.trim() !== '').map(Number);
    const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
    const variance = numbers.reduce((a, b) => a + (b - mean) ** 2, 0) / (numbers.length - 1);

    const p = profile(values);
    expect(p.type).toBe('NUMBER');
    expect(p.count).toBe(values.length);
    expect(p.nullCount).toBe(values.length - numbers.length);
    expect(p.mean).toBeCloseTo(mean, 9);
    expect(p.std).toBeCloseTo(Math.sqrt(variance), 9);
    expect(p.min).toBe(Math.min(...numbers));
    expect(p.max).toBe(Math.max(...numbers));
    expect(p.distinctCount).toBe(new Set(values.filter((v) => v !== null && v.trim() !== '')).size);
    expect(p.distinctCountCapped).toBe(false);
    expect(p.earliest).toBeNull();
    expect(p.topValues).toEqual([]);
  });

  it('stays accurate where a naive sum of squares loses precision', () => {
    const values = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    const p = profile(values.map(String));
    expect(p.mean).toBeCloseTo(1e9 + 10, 6);
    expect(p.std).toBeCloseTo(Math.sqrt((36 + 9 + 9 + 36) / 3), 6);
  });

  it('reports std only from two values on', () => {
    const one = profile(['5', null]);
    expect([one.mean, one.min, one.max, one.std]).toEqual([5, 5, 5, null]);
    expect(profile(['5', '7']).std).toBeCloseTo(Math.SQRT2, 12);
  });

  it('ranks the top values of a category by count, then by value', () => {
    const random = lcg(11);
    const names = Array.from({ length: 14 }, (_, i) => `cat ${String.fromCharCode(97 + i)}`);
    const values = Array.from({ length: 3000 }, () => names[Math.floor(random() ** 2 * names.length)]);
    values.push('tie-b', 'tie-a', 'tie-b', 'tie-a');
    const p = profile(values);
    expect(p.type).toBe('CATEGORY');
    expect(p.topValues).toEqual(expectedTop(values));
    expect(p.distinctCount).toBe(new Set(values).size);
    expect(p.min).toBeNull();
    expect(p.mean).toBeNull();
  });

  it('orders equal counts by value', () => {
    expect(profile(['b', 'a', 'c', 'b', 'a', 'c']).topValues).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 2 },
      { value: 'c', count: 2 },
    ]);
  });

  it('folds the spellings of a BOOLEAN column into true and false', () => {
    const p = profile(['Yes', 'no', 'Y', 'N', 'n', null, 'false']);
    expect(p.type).toBe('BOOLEAN');
    expect(p.topValues).toEqual([
      { value: 'false', count: 4 },
      { value: 'true', count: 2 },
    ]);
    expect(p.distinctCount).toBe(2);
    expect(p.nullCount).toBe(1);
  });

  it('reports the earliest and latest dates in stored form', () => {
    const p = profile(['3-Jul-95', '1-May-95', '2024-01-31', '12/25/1999', null]);
    expect(p.type).toBe('DATE');
    expect(p.earliest).toBe('1995-05-01');
    expect(p.latest).toBe('2024-01-31');
    expect(p.topValues).toEqual([]);
    expect(profile(['2024-01-31T10:00:00Z', '2024-01-31']).latest).toBe('2024-01-31T10:00:00.000Z');
  });

  it('keeps counting known values past the distinct cap, for top values', () => {
    const values = ['x', 'x', 'y', 'z', 'x', 'w', 'y', 'x'];
    const p = profile(values, { fixedType: 'CATEGORY', distinctLimit: 2 });
    expect(p.distinctCountCapped).toBe(true);
    expect(p.distinctCount).toBe(2);
    expect(p.topValues).toEqual([
      { value: 'x', count: 4 },
      { value: 'y', count: 2 },
    ]);
  });
});

describe('ColumnProfiler with a fixed type', () => {
  it('throws InvalidValueError naming the column, value and type, and does not count the value', () => {
    const profiler = new ColumnProfiler('Amount', { fixedType: 'NUMBER' });
    profiler.add('10');
    profiler.add(null);
    let error: unknown;
    try {
      profiler.add('12abc');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidValueError);
    const invalid = error as InvalidValueError;
    expect([invalid.column, invalid.value, invalid.expectedType]).toEqual(['Amount', '12abc', 'NUMBER']);
    expect(invalid.message).toContain('Amount');
    profiler.add('20');
    const p = profiler.finish();
    expect([p.type, p.count, p.nullCount, p.mean, p.distinctCount]).toEqual(['NUMBER', 3, 1, 15, 2]);
  });

  it('checks BOOLEAN and DATE, and accepts anything for CATEGORY and TEXT', () => {
    expect(() => profile(['yes', '1'], { fixedType: 'BOOLEAN' })).toThrow(InvalidValueError);
    expect(() => profile(['1-May-95', '31-Feb-95'], { fixedType: 'DATE' })).toThrow(InvalidValueError);
    expect(profile(['1', 'yes', '1-May-95'], { fixedType: 'CATEGORY' }).type).toBe('CATEGORY');
    expect(profile(['1', '2'], { fixedType: 'TEXT' }).type).toBe('TEXT');
  });

  it('keeps the fixed type even when the values would infer another', () => {
    const p = profile(['1', '0', '1'], { fixedType: 'CATEGORY' });
    expect(p.type).toBe('CATEGORY');
    expect(p.topValues).toEqual(expectedTop(['1', '0', '1']));
    expect(p.mean).toBeNull();
  });
});
