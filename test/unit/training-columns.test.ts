import { describe, expect, it } from 'vitest';
import { ColumnAssembler } from '../../src/engines/trainer/column-assembler';
import { prepareData, type PrepareJob } from '../../src/engines/trainer/prepare-data';
import { isParentMessage, toColumns, type RowColumns } from '../../src/engines/trainer/protocol';
import { fitPreprocessor, transformRows } from '../../src/ml/preprocessing';
import { createRandom } from '../../src/ml/random';
import { splitIndices } from '../../src/ml/split';
import { encodeTargets, fitTargetEncoder } from '../../src/ml/target-encoding';
import type { TaskName } from '../../src/ml/model-spec';

/** Mixed rows: numbers with gaps, a category, a boolean, a date, and a target missing now and then. */
function mixedRows(n: number, task: TaskName): Record<string, unknown>[] {
  const random = createRandom(7);
  return Array.from({ length: n }, (_, i) => ({
    amount: random() < 0.1 ? null : Math.round((random() * 2000 - 500) * 100) / 100,
    age: 18 + Math.floor(random() * 60),
    city: random() < 0.05 ? null : ['Lyon', 'Oslo', 'Pune', 'Quito'][Math.floor(random() * 4)],
    member: random() < 0.5,
    since: `20${10 + Math.floor(random() * 15)}-0${1 + Math.floor(random() * 9)}-15`,
    target: i % 37 === 5 ? null : task === 'REGRESSION' ? random() * 10 : task === 'MULTICLASS_CLASSIFICATION' ? ['a', 'b', 'c'][Math.floor(random() * 3)] : random() < 0.4 ? 1 : 0,
  }));
}

const FEATURES = [
  { name: 'amount', type: 'NUMBER' }, { name: 'age', type: 'NUMBER' }, { name: 'city', type: 'CATEGORY' },
  { name: 'member', type: 'BOOLEAN' }, { name: 'since', type: 'DATE' },
] as const;

function job(task: TaskName, rows: PrepareJob['rows']): PrepareJob {
  return {
    runId: 'r', task, architecture: 'MLP', features: FEATURES.map((f) => ({ ...f })), target: { name: 'target', type: task === 'MULTICLASS_CLASSIFICATION' ? 'CATEGORY' : 'NUMBER' },
    rows, hyperparameters: { classWeighting: 'NONE' } as PrepareJob['hyperparameters'], split: { validation: 0.15, test: 0.2, strategy: 'RANDOM' }, seed: 42, backend: null, batchMetrics: false,
  };
}

/** Data preparation as it was done on row objects before columns (the reference: filter, split, fit and encode rows). */
function preparedFromRows(task: TaskName, all: Record<string, unknown>[]) {
  const rows = all.filter((row) => row.target != null);
  const targets = rows.map((row) => row.target);
  const split = splitIndices(rows.length, { validation: 0.15, test: 0.2, strategy: 'RANDOM', seed: 42, stratify: task === 'REGRESSION' ? undefined : encodeTargets(fitTargetEncoder(targets, task), targets) });
  const train = split.train.map((i) => rows[i]);
  const preprocessor = fitPreprocessor(train, FEATURES.map((f) => ({ ...f })));
  const targetEncoder = fitTargetEncoder(train.map((row) => row.target), task);
  const x = (indices: number[]) => transformRows(preprocessor, indices.map((i) => rows[i]));
  return { preprocessor, targetEncoder, train: x(split.train), validation: x(split.validation), test: x(split.test), testTargets: encodeTargets(targetEncoder, split.test.map((i) => targets[i])) };
}

/** `rows` as the dataset reader streams them: chunks of columns, NUMBER columns as Float64Array with NaN for null. */
function streamed(rows: Record<string, unknown>[], chunkRows: number, expected: number): RowColumns {
  const names = [...FEATURES.map((f) => f.name), 'target'];
  const assembler = new ColumnAssembler(names, expected);
  for (let start = 0; start < rows.length; start += chunkRows) assembler.add(toColumns(rows.slice(start, start + chunkRows), names));
  return assembler.finish();
}

describe('training data as columns', () => {
  for (const task of ['BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION', 'REGRESSION'] as const) {
    it(`prepares ${task} columns streamed in chunks exactly as row objects were prepared`, () => {
      const rows = mixedRows(1_003, task);
      const reference = preparedFromRows(task, rows);
      // Chunks of 100 rows into columns allocated for fewer rows than arrive (they grow), and for exactly as many.
      for (const table of [streamed(rows, 100, 10), streamed(rows, 100, rows.length)]) {
        expect(table.count).toBe(rows.length);
        const data = prepareData(job(task, table));
        expect(data.preprocessor).toEqual(reference.preprocessor);
        expect(data.targetEncoder).toEqual(reference.targetEncoder);
        expect(data.train.x).toEqual(reference.train);
        expect(data.validation.x).toEqual(reference.validation);
        expect(data.test.x).toEqual(reference.test);
        if (task !== 'MULTICLASS_CLASSIFICATION') expect(data.test.y).toEqual(reference.testTargets);
      }
      // Rows given as objects (bench scripts, older callers) take the same path.
      expect(prepareData(job(task, rows)).train.x).toEqual(reference.train);
    });
  }

  it('assembles chunks: a column numeric in one chunk and not in another becomes values with null for NaN', () => {
    const columns = new ColumnAssembler(['x', 'y'], 2);
    columns.add({ count: 2, columns: [{ name: 'x', values: Float64Array.of(1, NaN) }, { name: 'y', values: ['a', null] }] });
    columns.add({ count: 1, columns: [{ name: 'x', values: ['3'] }, { name: 'y', values: Float64Array.of(4) }] });
    columns.add({ count: 1, columns: [{ name: 'x', values: Float64Array.of(NaN) }, { name: 'y', values: ['b'] }] });
    expect(columns.finish()).toEqual({ count: 4, columns: [{ name: 'x', values: [1, null, '3', null] }, { name: 'y', values: ['a', null, 4, 'b'] }] });
    expect(() => columns.add({ count: 1, columns: [{ name: 'y', values: [1] }, { name: 'x', values: [1] }] })).toThrow(/expected "x", "y"/);
    expect(new ColumnAssembler(['x'], 5).finish()).toEqual({ count: 0, columns: [{ name: 'x', values: new Float64Array(0) }] });
  });

  it('accepts streamed jobs and rows messages from the parent, and refuses malformed ones', () => {
    const columns = { count: 1, columns: [{ name: 'a', values: Float64Array.of(1) }] };
    expect(isParentMessage({ type: 'start', job: { runId: 'r', rows: { streamed: true, expected: 10, names: ['a'] } } })).toBe(true);
    expect(isParentMessage({ type: 'rows', chunk: columns })).toBe(true);
    expect(isParentMessage({ type: 'rowsEnd', count: 1 })).toBe(true);
    for (const bad of [
      { type: 'start', job: { runId: 'r', rows: { streamed: true, expected: -1, names: ['a'] } } },
      { type: 'start', job: { runId: 'r', rows: { streamed: true, expected: 1e12, names: ['a'] } } },
      { type: 'start', job: { runId: 'r', rows: { streamed: true, expected: 1, names: [1] } } },
      { type: 'rows', chunk: { count: 2, columns: columns.columns } },
      { type: 'rows' }, { type: 'rowsEnd', count: 1.5 }, { type: 'rowsEnd' },
    ]) expect(isParentMessage(bad), JSON.stringify(bad)).toBe(false);
  });
});
