import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StreamingHistogram } from '../../src/modules/datasets/streaming-histogram';
import { ColumnProfiler } from '../../src/modules/datasets/column-profiler';

function histogram(values: number[]) {
  const h = new StreamingHistogram();
  for (const x of values) h.add(x);
  return h.finish();
}

/** Counts values into the given bins independently of the histogram. */
function countInto(edges: number[], values: number[]): number[] {
  return edges.slice(0, -1).map((lo, i) => values.filter((x) => x >= lo && x < edges[i + 1]).length);
}

describe('StreamingHistogram', () => {
  it('counts every value exactly once into at most 20 equal, round bins covering the range', () => {
    const cases = [
      Array.from({ length: 3000 }, (_, i) => -i / 7),
      Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1e-3 + (i > 4000 ? 1e4 : 0)),
      Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000 / 100),
      [250, 18424, 1000, 5000, 7000],
    ];
    for (const values of cases) {
      const h = histogram(values)!;
      expect(h.counts.length).toBeLessThanOrEqual(20);
      expect(h.edges.length).toBe(h.counts.length + 1);
      expect(h.edges[0]).toBeLessThanOrEqual(Math.min(...values));
      expect(h.edges[h.edges.length - 1]).toBeGreaterThan(Math.max(...values));
      const widths = h.edges.slice(1).map((e, i) => e - h.edges[i]);
      for (const w of widths) expect(w).toBeCloseTo(widths[0], 9);
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
      expect(h.counts).toEqual(countInto(h.edges, values));
    }
  });

  it('gives integer columns bins at least 1 wide, a constant column one bin, and nothing for no values', () => {
    expect(histogram([0, 1, 1, 0, 1])).toEqual({ edges: [0, 1, 2], counts: [2, 3] });
    const constant = histogram(Array(30).fill(0.3))!;
    expect(constant.counts.filter((c) => c > 0)).toEqual([30]);
    expect(histogram([])).toBeNull();
  });

  it('is part of a NUMBER column\'s profile only', () => {
    const csv = readFileSync(path.join(__dirname, '../fixtures/data/GermanCredit.csv'), 'utf8').trim().split(/\r?\n/);
    const header = csv[0].split(',');
    const profilers = header.map((name) => new ColumnProfiler(name));
    for (const line of csv.slice(1)) line.split(',').forEach((value, i) => profilers[i].add(value));
    const duration = profilers[header.indexOf('DURATION')].finish();
    expect(duration.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(csv.length - 1);
    expect(duration.histogram!.edges[0]).toBeLessThanOrEqual(duration.min!);
    const text = new ColumnProfiler('t');
    for (const v of ['1', '2', 'x']) text.add(v);
    expect(text.finish().histogram).toBeNull();
  });
});
