import { describe, expect, it } from 'vitest';
import { bayesianTrial, gridSize, gridTrial, randomTrial, TPE, type ParameterSpec, type Scored } from '../../src/ml/sweep-search';

const space: ParameterSpec[] = [
  { name: 'learningRate', kind: 'LOG_UNIFORM', min: 1e-4, max: 1e-1 },
  { name: 'dropout', kind: 'UNIFORM', min: 0, max: 0.5 },
  { name: 'batchSize', kind: 'INT_UNIFORM', min: 8, max: 64 },
  { name: 'hiddenUnits', kind: 'VALUES', values: [[16], [32, 16], [64, 32]] },
];

describe('GRID', () => {
  it('walks every combination once, the last parameter fastest', () => {
    const grid: ParameterSpec[] = [{ name: 'a', kind: 'VALUES', values: [1, 2] }, { name: 'b', kind: 'VALUES', values: ['x', 'y', 'z'] }];
    expect(gridSize(grid)).toBe(6);
    expect(Array.from({ length: 6 }, (_, i) => gridTrial(grid, i))).toEqual([
      { a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }, { a: 2, b: 'z' },
    ]);
    expect(gridSize(space)).toBe(Infinity);
  });
});

describe('RANDOM', () => {
  it('gives the same trials for the same seed, other trials for another, each within its range and kind', () => {
    const trials = (seed: number) => Array.from({ length: 200 }, (_, i) => randomTrial(space, seed, i));
    expect(trials(7)).toEqual(trials(7));
    expect(trials(8)).not.toEqual(trials(7));
    for (const t of trials(7)) {
      expect(t.learningRate as number).toBeGreaterThanOrEqual(1e-4);
      expect(t.learningRate as number).toBeLessThanOrEqual(1e-1);
      expect(t.dropout as number).toBeGreaterThanOrEqual(0);
      expect(t.dropout as number).toBeLessThan(0.5);
      expect(Number.isInteger(t.batchSize)).toBe(true);
      expect(t.batchSize as number).toBeGreaterThanOrEqual(8);
      expect(t.batchSize as number).toBeLessThanOrEqual(64);
      expect([[16], [32, 16], [64, 32]]).toContainEqual(t.hiddenUnits);
    }
    // Log-uniform: about as many draws per decade (3 decades, 200 draws).
    const decades = [0, 0, 0];
    for (const t of trials(7)) decades[Math.min(2, Math.floor(Math.log10((t.learningRate as number) / 1e-4)))]++;
    for (const n of decades) expect(n).toBeGreaterThan(40);
    // Both ends of an integer range are reachable.
    const sizes = new Set(trials(7).map((t) => t.batchSize));
    expect(sizes.has(8) || sizes.has(64)).toBe(true);
  });

  it('draws trial k the same way whatever came before (a retried sweep step repeats it)', () => {
    expect(randomTrial(space, 3, 41)).toEqual(randomTrial(space, 3, 41));
    expect(randomTrial(space, 3, 41)).not.toEqual(randomTrial(space, 3, 42));
  });
});

describe('BAYESIAN (TPE)', () => {
  // The metric: best at learningRate 0.01 and the middle layer size; dropout and batch size do not matter.
  const loss = (t: Record<string, unknown>) => Math.abs(Math.log10(t.learningRate as number) + 2) + (JSON.stringify(t.hiddenUnits) === '[32,16]' ? 0 : 1);
  const run = (seed: number, n: number) => {
    const history: Scored[] = [];
    for (let i = 0; i < n; i++) {
      const parameters = bayesianTrial(space, seed, i, history);
      history.push({ parameters, loss: loss(parameters) });
    }
    return history;
  };

  it('is random until enough trials have finished, then deterministic for a seed and a history', () => {
    expect(bayesianTrial(space, 5, 2, [])).toEqual(randomTrial(space, 5, 2));
    expect(run(5, 20)).toEqual(run(5, 20));
  });

  it('concentrates its later trials where the good ones were, better than random draws', () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    const lateMean = (history: Scored[]) => history.slice(20).reduce((sum, s) => sum + s.loss, 0) / (history.length - 20);
    const tpe = seeds.map((seed) => lateMean(run(seed, 40)));
    const random = seeds.map((seed) => lateMean(Array.from({ length: 40 }, (_, i) => { const p = randomTrial(space, seed, i); return { parameters: p, loss: loss(p) }; })));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(tpe)).toBeLessThan(mean(random) * 0.7);
    expect(TPE.startupTrials).toBeGreaterThan(0);
  });
});
