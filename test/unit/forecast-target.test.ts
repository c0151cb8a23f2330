import { describe, expect, it } from 'vitest';
import { forecastSkill } from '../../src/ml/forecast-baselines';
import { changeFrom, forecastWindows, historyOffset, levelsOf, stepSeries, toLevel } from '../../src/ml/forecast-target';

const levels = Float64Array.from([100, 102, 101, 105, 104, 108]);
const identity = (v: number) => v;

describe('forecast targets', () => {
  it('maps a change back to the level it came from, for every kind', () => {
    for (const kind of ['LEVEL', 'DIFFERENCE', 'LOG_RETURN'] as const) {
      expect(toLevel(kind, changeFrom(kind, 105, 101), 101), kind).toBeCloseTo(105, 12);
    }
    expect(changeFrom('DIFFERENCE', 105, 101)).toBe(4);
    expect(changeFrom('LOG_RETURN', 105, 101)).toBeCloseTo(Math.log(105 / 101), 15);
  });

  it('needs one row more history for a change model, whose steps are one-step changes', () => {
    expect(historyOffset('LEVEL')).toBe(0);
    expect(historyOffset('DIFFERENCE')).toBe(1);
    expect(Array.from(stepSeries(levels, 'LEVEL'))).toEqual(Array.from(levels));
    expect(Array.from(stepSeries(levels, 'DIFFERENCE'))).toEqual([2, -1, 4, -1, 4]);
  });

  it('builds windows whose targets are cumulative changes from the last level seen', () => {
    // Window 2, horizon 2, DIFFERENCE: steps are the changes of rows 1–2 (2, −1); last level 101 (row 2);
    // targets: row 3 − 101 = 4 and row 4 − 101 = 3.
    const w = forecastWindows(levels, null, 0, 'DIFFERENCE', identity, 2, 2);
    expect(w.count).toBe(2);
    expect(Array.from(w.x.subarray(0, 2))).toEqual([2, -1]);
    expect(Array.from(w.y.subarray(0, 2))).toEqual([4, 3]);
    expect(Array.from(w.last)).toEqual([101, 105]);
    // LEVEL: the old layout, levels in and levels out.
    const l = forecastWindows(levels, null, 0, 'LEVEL', identity, 2, 1);
    expect(Array.from(l.x.subarray(0, 2))).toEqual([100, 102]);
    expect(l.y[0]).toBe(101);
    expect(l.last[0]).toBe(102);
  });

  it('refuses a non-number, and a level at or below 0 for LOG_RETURN', () => {
    expect(() => levelsOf(['1', 'x'], 'LEVEL')).toThrow(/not a number/);
    expect(() => levelsOf([1, 0], 'LOG_RETURN')).toThrow(/not above 0/);
    expect(Array.from(levelsOf(['1.5', 2], 'LEVEL'))).toEqual([1.5, 2]);
  });
});

describe('forecast skill against persistence', () => {
  it('matches a hand computation', () => {
    // Two points, horizon 1: actual 10 and 12, forecasts 11 and 12, last seen 9 and 10.
    // Persistence errors 1 and 2: RMSE √2.5, MAE 1.5. Model errors 1 and 0: RMSE √0.5, MAE 0.5.
    // Scaling series 8, 9, 11: mean |change| (1 + 2) / 2 = 1.5, so MASE 0.5 / 1.5.
    const skill = forecastSkill([10, 12], [11, 12], [9, 10], 1, [8, 9, 11]);
    expect(skill.persistenceRmse).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(skill.persistenceMae).toBeCloseTo(1.5, 12);
    expect(skill.relativeRmse).toBeCloseTo(Math.sqrt(0.5) / Math.sqrt(2.5), 12);
    expect(skill.skill).toBeCloseTo(1 - Math.sqrt(0.2), 12);
    expect(skill.mase).toBeCloseTo(1 / 3, 12);
  });

  it('repeats the last level for every step of a longer horizon', () => {
    // One point, horizon 2: persistence says 5 for both steps; actual 6 and 8 → errors 1 and 3.
    expect(forecastSkill([6, 8], [6, 8], [5], 2, [1, 2]).persistenceMae).toBe(2);
  });
});
