import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnRows, type CheckedColumns } from '../../src/ml/columns';
import type { ServedPrediction } from '../../src/engines/serving/loaded-model';
import { columnBatch, encodeColumnBatch, inObjectKeyOrder, keepRows, type ColumnBatchMeta } from '../../src/modules/predictions/prediction-log-columns';

const META: ColumnBatchMeta = ['mdl_1', 'mv_1', 'PRODUCTION', 12.5, 'req_1', '2026-11-30 22:00:00.000', 'LIVE', null];

function checked(columns: { name: string; values: (number | string | null)[] }[]): CheckedColumns {
  return { rows: columns[0].values.length, byName: new Map(columns.map((c, index) => [c.name, { values: c.values, index, numbers: c.values.every((v) => typeof v !== 'string') }])) };
}

/** What the log stored before: JSON.stringify of the row object and of the prediction. */
function reference(columns: CheckedColumns, keep: number[], predictions: ServedPrediction[]) {
  const rows = columnRows(columns, keep);
  return rows.map((row, i) => [JSON.stringify(row), JSON.stringify(predictions[i])]);
}

const binary = (p: number): ServedPrediction => ({ value: p, label: p >= 0.5 ? 'yes' : 'no', probabilities: [{ label: 'no', probability: 1 - p }, { label: 'yes', probability: p }], forecast: null, contributions: null });

describe('the prediction log\'s columnar form', () => {
  it('stores, byte for byte, what JSON.stringify of the row objects and predictions stored', () => {
    const name = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', '0', '7', '10', '01', '-1', '4294967295', 'a"b', 'é\u2028'));
    const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e21, 5e-324, 0.1 + 0.2), fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround));
    const cell = fc.oneof(number, fc.string({ maxLength: 6 }), fc.constant(null));
    const input = fc.integer({ min: 1, max: 6 }).chain((rows) => fc.record({
      columns: fc.uniqueArray(name, { minLength: 1, maxLength: 6 }).chain((names) => fc.tuple(...names.map((n) => fc.oneof(fc.array(number, { minLength: rows, maxLength: rows }), fc.array(cell, { minLength: rows, maxLength: rows })).map((values) => ({ name: n, values }))))),
      keep: fc.subarray(Array.from({ length: rows }, (_, i) => i), { minLength: 1 }),
      kind: fc.constantFrom('binary', 'regression', 'multiclass'),
      outputs: fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: rows * 3, maxLength: rows * 3 }),
    }));
    fc.assert(fc.property(input, ({ columns, keep, kind, outputs }) => {
      const data = checked(columns);
      const predictions: ServedPrediction[] = keep.map((_, i) => {
        const p = outputs[i * 3];
        if (kind === 'binary') return binary(p);
        if (kind === 'regression') return { value: p * 1000 - 3, label: null, probabilities: [], forecast: null, contributions: null };
        const probs = outputs.slice(i * 3, i * 3 + 3);
        const best = probs.indexOf(Math.max(...probs));
        return { value: Math.max(...probs), label: ['a', 'b', '"c"'][best], probabilities: ['a', 'b', '"c"'].map((label, c) => ({ label, probability: probs[c] })), forecast: null, contributions: null };
      });
      const ids = keep.map((r) => `pred_${r}`);
      const all = keep.length === data.rows && keep.every((r, i) => r === i);
      const batch = columnBatch(META, ids, data, all ? null : keep, predictions)!;
      expect(batch).not.toBeNull();
      const stored = encodeColumnBatch(batch);
      expect(stored.map((row) => [row[4], row[5]])).toEqual(reference(data, keep, predictions));
      expect(stored.map((row) => row[0])).toEqual(ids);
      expect(stored[0].slice(6)).toEqual([12.5, 'req_1', '2026-11-30 22:00:00.000', 'LIVE', null]);
      expect(stored[0].slice(1, 4)).toEqual(['mdl_1', 'mv_1', 'PRODUCTION']);
    }), { numRuns: 300 });
  });

  it('keeps only the sampled rows, with their own inputs and outputs', () => {
    const data = checked([{ name: 'x', values: [1, 2, 3, 4] }, { name: 's', values: ['a', null, 'c', 'd'] }]);
    const predictions = [0.1, 0.6, 0.3, 0.9].map(binary);
    const batch = columnBatch(META, ['p0', 'p1', 'p2', 'p3'], data, null, predictions)!;
    const some = encodeColumnBatch(keepRows(batch, [1, 3]));
    expect(some.map((row) => [row[0], row[4], row[5]])).toEqual([
      ['p1', '{"x":2,"s":null}', JSON.stringify(predictions[1])],
      ['p3', '{"x":4,"s":"d"}', JSON.stringify(predictions[3])],
    ]);
  });

  it('declines predictions it cannot type (explanations, forecasts, differing labels): the caller logs rows', () => {
    const data = checked([{ name: 'x', values: [1, 2] }]);
    const explained = [binary(0.2), { ...binary(0.7), contributions: [{ feature: 'x', contribution: 0.1 }] }];
    expect(columnBatch(META, ['a', 'b'], data, null, explained)).toBeNull();
    expect(columnBatch(META, ['a', 'b'], data, null, [binary(0.2), { ...binary(0.7), forecast: [1] }])).toBeNull();
    const other = { ...binary(0.7), probabilities: [{ label: 'n', probability: 0.3 }, { label: 'yes', probability: 0.7 }] };
    expect(columnBatch(META, ['a', 'b'], data, null, [binary(0.2), other])).toBeNull();
    expect(columnBatch(META, ['a'], data, null, [binary(0.2), binary(0.3)])).toBeNull();
  });

  it('orders fields as an object built field by field does: array indices first, ascending', () => {
    expect(inObjectKeyOrder(['b', '10', 'a', '2', '01', '4294967295', '0'])).toEqual(['0', '2', '10', 'b', 'a', '01', '4294967295']);
  });
});
