import { describe, expect, it } from 'vitest';
import {
  classWeights,
  decodePrediction,
  encodeTargets,
  fitTargetEncoder,
  TargetError,
  type TargetEncoder,
} from '../../src/ml/target-encoding';

/** The error fitTargetEncoder throws, for checking its type and message. */
function fitError(values: unknown[], task: Parameters<typeof fitTargetEncoder>[1]): Error {
  try {
    fitTargetEncoder(values, task);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected fitTargetEncoder to throw');
}

describe('fitTargetEncoder: binary', () => {
  it('puts the positive class second: 0/1, booleans, sorted strings, numeric order', () => {
    expect(fitTargetEncoder([1, 0, 1, null, 0], 'BINARY_CLASSIFICATION')).toEqual({ kind: 'binary', classes: ['0', '1'] });
    expect(fitTargetEncoder([true, false, undefined], 'BINARY_CLASSIFICATION')).toEqual({ kind: 'binary', classes: ['false', 'true'] });
    expect(fitTargetEncoder(['good', 'bad', 'good'], 'BINARY_CLASSIFICATION')).toEqual({ kind: 'binary', classes: ['bad', 'good'] });
    // Numeric labels compare as numbers: 2 < 10 although '10' < '2' as text.
    expect(fitTargetEncoder([10, 2], 'BINARY_CLASSIFICATION')).toEqual({ kind: 'binary', classes: ['2', '10'] });
    // The number 1 and the text '1' are the same class.
    expect(fitTargetEncoder([1, '1', '0'], 'BINARY_CLASSIFICATION')).toEqual({ kind: 'binary', classes: ['0', '1'] });
  });

  it('needs exactly two classes', () => {
    const one = fitError([1, 1, null], 'BINARY_CLASSIFICATION');
    expect(one).toBeInstanceOf(TargetError);
    expect(one.message).toBe('target has 1 class, BINARY_CLASSIFICATION needs 2');
    const five = fitError(['a', 'b', 'c', 'd', 'e'], 'BINARY_CLASSIFICATION');
    expect(five).toBeInstanceOf(TargetError);
    expect(five.message).toBe('target has 5 classes, BINARY_CLASSIFICATION needs 2');
    expect(fitError([null], 'BINARY_CLASSIFICATION').message).toMatch(/target has 0 classes/);
  });

  it('encodes 1 for the positive class', () => {
    const e = fitTargetEncoder(['yes', 'no'], 'BINARY_CLASSIFICATION');
    expect(Array.from(encodeTargets(e, ['yes', 'no', 'no', 'yes']))).toEqual([1, 0, 0, 1]);
    const flags = fitTargetEncoder([0, 1], 'BINARY_CLASSIFICATION');
    expect(Array.from(encodeTargets(flags, [1, 0, '1']))).toEqual([1, 0, 1]);
  });
});

describe('fitTargetEncoder: multiclass', () => {
  it('sorts the classes and encodes each value as its index', () => {
    const e = fitTargetEncoder(['c', 'a', 'b', 'a', null], 'MULTICLASS_CLASSIFICATION');
    expect(e).toEqual({ kind: 'multiclass', classes: ['a', 'b', 'c'] });
    expect(Array.from(encodeTargets(e, ['b', 'c', 'a', 'a']))).toEqual([1, 2, 0, 0]);
  });

  it('needs between 3 and 100 classes', () => {
    const two = fitError(['a', 'b'], 'MULTICLASS_CLASSIFICATION');
    expect(two).toBeInstanceOf(TargetError);
    expect(two.message).toMatch(/^target has 2 classes, MULTICLASS_CLASSIFICATION needs at least 3/);
    const many = Array.from({ length: 101 }, (_, i) => `k${i}`);
    expect(fitError(many, 'MULTICLASS_CLASSIFICATION').message).toMatch(/^target has 101 classes.*at most 100/);
    const e = fitTargetEncoder(many.slice(0, 100), 'MULTICLASS_CLASSIFICATION');
    expect(e.kind === 'multiclass' && e.classes.length).toBe(100);
  });

  it('rejects a value outside the fitted classes, and a missing one', () => {
    const e = fitTargetEncoder(['a', 'b', 'c'], 'MULTICLASS_CLASSIFICATION');
    expect(() => encodeTargets(e, ['a', 'd'])).toThrow(TargetError);
    expect(() => encodeTargets(e, ['a', 'd'])).toThrow(/"d"/);
    expect(() => encodeTargets(e, [null])).toThrow(TargetError);
  });
});

describe('fitTargetEncoder: regression and forecasts', () => {
  it('standardises with the population mean and std', () => {
    // 1, 2, 3, 4: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
    const e = fitTargetEncoder([1, 2, null, 3, '4'], 'REGRESSION');
    expect(e.kind).toBe('regression');
    if (e.kind !== 'regression') return;
    expect(e.mean).toBe(2.5);
    expect(e.std).toBeCloseTo(Math.sqrt(1.25), 12);
    const out = encodeTargets(e, [4, 2.5, 1]);
    expect(out[0]).toBeCloseTo(1.5 / Math.sqrt(1.25), 5);
    expect(out[1]).toBe(0);
    expect(out[2]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 5);
  });

  it('uses std 1 for a constant target; forecasts encode the same way', () => {
    expect(fitTargetEncoder([3, 3, 3], 'TIME_SERIES_FORECAST')).toEqual({ kind: 'regression', mean: 3, std: 1 });
  });

  it('names the first non-numeric value', () => {
    const error = fitError([1, 'abc', true], 'REGRESSION');
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toMatch(/"abc"/);
    expect(fitError([1, true], 'TIME_SERIES_FORECAST').message).toMatch(/true.*TIME_SERIES_FORECAST/);
    expect(fitError([null], 'REGRESSION').message).toMatch(/no values/);
  });
});

describe('decodePrediction', () => {
  const binary: TargetEncoder = { kind: 'binary', classes: ['bad', 'good'] };

  it('binary: value is p(positive), label at the 0.5 threshold, both probabilities', () => {
    const d = decodePrediction(binary, [0.7]);
    expect(d.value).toBe(0.7);
    expect(d.label).toBe('good');
    expect(d.probabilities.map((p) => p.label)).toEqual(['bad', 'good']);
    expect(d.probabilities[0].probability).toBeCloseTo(0.3, 12);
    expect(d.probabilities[1].probability).toBe(0.7);
    expect(decodePrediction(binary, [0.5]).label).toBe('good');
    expect(decodePrediction(binary, [0.49]).label).toBe('bad');
  });

  it('multiclass: the most probable class', () => {
    const e: TargetEncoder = { kind: 'multiclass', classes: ['a', 'b', 'c'] };
    const d = decodePrediction(e, [0.2, 0.5, 0.3]);
    expect(d.label).toBe('b');
    expect(d.value).toBe('b');
    expect(d.probabilities).toEqual([
      { label: 'a', probability: 0.2 },
      { label: 'b', probability: 0.5 },
      { label: 'c', probability: 0.3 },
    ]);
    expect(() => decodePrediction(e, [0.5, 0.5])).toThrow(/2 outputs for 3 classes/);
  });

  it('regression: back to the target units', () => {
    const e: TargetEncoder = { kind: 'regression', mean: 10, std: 2 };
    expect(decodePrediction(e, [1.5])).toEqual({ value: 13, label: null, probabilities: [] });
    expect(() => decodePrediction(e, [])).toThrow();
  });

  it('round-trips a fitted encoder through JSON', () => {
    const e = JSON.parse(JSON.stringify(fitTargetEncoder([5, 7, 9], 'REGRESSION'))) as TargetEncoder;
    // mean 7, std sqrt(8/3); encoding then decoding gives the value back.
    const [z] = encodeTargets(e, [9]);
    expect(z).toBeCloseTo(2 / Math.sqrt(8 / 3), 5);
    expect(decodePrediction(e, [z]).value).toBeCloseTo(9, 4);
  });
});

describe('classWeights', () => {
  it('gives n / (classes × count) per class', () => {
    // n = 4: class 0 has 3 → 4 / 6; class 1 has 1 → 4 / 2.
    const w = classWeights(new Float32Array([0, 0, 0, 1]), 2);
    expect(Object.keys(w)).toEqual(['0', '1']);
    expect(w[0]).toBeCloseTo(2 / 3, 12);
    expect(w[1]).toBe(2);
  });

  it('gives weight 1 to a class without rows and rejects non-indexes', () => {
    // n = 4, 3 classes: class 0 → 4 / 3, class 1 → 4 / 9, class 2 absent → 1.
    const w = classWeights(new Float32Array([0, 1, 1, 1]), 3);
    expect(w[0]).toBeCloseTo(4 / 3, 12);
    expect(w[1]).toBeCloseTo(4 / 9, 12);
    expect(w[2]).toBe(1);
    expect(() => classWeights(new Float32Array([0, 2]), 2)).toThrow(RangeError);
    expect(() => classWeights(new Float32Array([0.5]), 2)).toThrow(RangeError);
  });
});
