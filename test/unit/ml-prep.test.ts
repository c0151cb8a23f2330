import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../support/fixtures';
import { describe, expect, it } from 'vitest';
import { encodedRanges, fitPreprocessor, transformRows } from '../../src/ml/preprocessing';
import { splitIndices } from '../../src/ml/split';
import { encodeTargets, fitTargetEncoder } from '../../src/ml/target-encoding';

// The fixture copy of GermanCredit.csv: all numeric, with CRLF line ends.
const CSV = path.join(DATA_DIR, 'GermanCredit.csv');

function readGermanCredit(): Record<string, number>[] {
  const lines = readFileSync(CSV, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((name, i) => [name, Number(cells[i])]));
  });
}

describe('data preparation on GermanCredit', () => {
  const rows = readGermanCredit();

  it('fits on a stratified training split and standardises it', () => {
    expect(rows.length).toBe(1000);
    const targets = rows.map((row) => row.RESPONSE);
    const encoder = fitTargetEncoder(targets, 'BINARY_CLASSIFICATION');
    expect(encoder).toEqual({ kind: 'binary', classes: ['0', '1'] });
    const labels = encodeTargets(encoder, targets);
    const split = splitIndices(rows.length, { validation: 0.15, test: 0.15, strategy: 'RANDOM', seed: 42, stratify: labels });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([700, 150, 150]);

    const positiveRate = (part: number[]) => part.filter((i) => rows[i].RESPONSE === 1).length / part.length;
    expect(Math.abs(positiveRate(split.train) - positiveRate(split.test))).toBeLessThan(0.02);
    expect(Math.abs(positiveRate(split.train) - positiveRate(split.validation))).toBeLessThan(0.02);

    const train = split.train.map((i) => rows[i]);
    const p = fitPreprocessor(train, [
      { name: 'AMOUNT', type: 'NUMBER' },
      { name: 'DURATION', type: 'NUMBER' },
      { name: 'HISTORY', type: 'CATEGORY' },
    ]);
    // HISTORY's categories are the distinct training values, as text in sorted order.
    const history = [...new Set(train.map((row) => String(row.HISTORY)))].sort();
    expect(p.outputSize).toBe(2 + history.length);
    expect(encodedRanges(p)).toEqual([
      { feature: 'AMOUNT', start: 0, end: 1 },
      { feature: 'DURATION', start: 1, end: 2 },
      { feature: 'HISTORY', start: 2, end: 2 + history.length },
    ]);

    const x = transformRows(p, train);
    const width = p.outputSize;
    for (const [col, name] of [[0, 'AMOUNT'], [1, 'DURATION']] as const) {
      const values = train.map((_, r) => x[r * width + col]);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      expect(Math.abs(mean), name).toBeLessThan(1e-4);
      expect(Math.abs(std - 1), name).toBeLessThan(1e-4);
      // And the first row agrees with a hand computation from the raw training column.
      const raw = train.map((row) => row[name]);
      const rawMean = raw.reduce((s, v) => s + v, 0) / raw.length;
      const rawStd = Math.sqrt(raw.reduce((s, v) => s + (v - rawMean) ** 2, 0) / raw.length);
      expect(x[col]).toBeCloseTo((raw[0] - rawMean) / rawStd, 4);
    }
    // Every training row has exactly one HISTORY column set, the one for its own value.
    train.forEach((row, r) => {
      const onehot = Array.from(x.subarray(r * width + 2, (r + 1) * width));
      expect(onehot.reduce((s, v) => s + v, 0)).toBe(1);
      expect(onehot.indexOf(1)).toBe(history.indexOf(String(row.HISTORY)));
    });
  });
});
