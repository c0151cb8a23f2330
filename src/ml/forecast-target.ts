/**
 * What a forecast model learns: the series' LEVEL, or its change from the last value seen
 * (DIFFERENCE: l_t − l_{t−1}; LOG_RETURN: ln(l_t / l_{t−1})). Prices are close to a random walk,
 * so a network on levels mostly relearns "tomorrow = today" and does it worse; on changes, zero
 * is persistence and anything learnt is on top of it. Answers and metrics are always in levels:
 * the forecast k steps ahead is the last level seen plus (times e to) the predicted cumulative change.
 *
 * Window steps carry the per-step value (the level, or the one-step change), so a change model
 * needs one row more history than its window: the row before the window's first.
 */
import { TargetError } from './target-encoding';
import { makeWindows, type Windows } from './windows';

export type ForecastTargetName = 'LEVEL' | 'DIFFERENCE' | 'LOG_RETURN';

/** Rows of history a change model needs before its first window step (the level its first change is from). */
export function historyOffset(kind: ForecastTargetName): number {
  return kind === 'LEVEL' ? 0 : 1;
}

/** The target column's values as numbers (numeric text accepted); LOG_RETURN needs them above 0. */
export function levelsOf(values: unknown[], kind: ForecastTargetName): Float64Array {
  return Float64Array.from(values, (value) => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) throw new TargetError(`target value ${JSON.stringify(value)} is not a number`);
    if (kind === 'LOG_RETURN' && n <= 0) throw new TargetError(`target value ${n} is not above 0; LOG_RETURN needs positive levels (use DIFFERENCE)`);
    return n;
  });
}

/** The change of `level` from `last` (the level itself for LEVEL). */
export function changeFrom(kind: ForecastTargetName, level: number, last: number): number {
  return kind === 'LEVEL' ? level : kind === 'DIFFERENCE' ? level - last : Math.log(level / last);
}

/** The level a predicted change from `last` means (the value itself for LEVEL). */
export function toLevel(kind: ForecastTargetName, change: number, last: number): number {
  return kind === 'LEVEL' ? change : kind === 'DIFFERENCE' ? last + change : last * Math.exp(change);
}

/** Per row from `historyOffset` on, the value its window step carries. */
export function stepSeries(levels: ArrayLike<number>, kind: ForecastTargetName): Float64Array {
  const offset = historyOffset(kind);
  return Float64Array.from({ length: Math.max(0, levels.length - offset) }, (_, j) => changeFrom(kind, levels[j + offset], kind === 'LEVEL' ? 0 : levels[j]));
}

/** Windows whose targets are the changes from each window's last level, and those last levels. */
export interface ForecastWindows extends Windows {
  /** Per window, the last level it saw (what its forecasts are changes from). */
  last: Float64Array;
}

/**
 * Every window of a series for a forecast model of `kind`: inputs are the encoded step values
 * (with the covariates of the same rows), targets the encoded changes 1 … horizon steps after the
 * window's last row. `encode` standardises a step value or change (the model's target encoder).
 */
export function forecastWindows(levels: Float64Array, covariates: Float32Array | null, k: number, kind: ForecastTargetName, encode: (value: number) => number, windowSize: number, horizon: number): ForecastWindows {
  const offset = historyOffset(kind);
  const series = Float32Array.from(stepSeries(levels, kind), encode);
  const windows = makeWindows(series, covariates ? covariates.subarray(offset * k) : null, k, windowSize, horizon);
  const last = new Float64Array(windows.count);
  for (let i = 0; i < windows.count; i++) {
    const lastRow = offset + i + windowSize - 1;
    last[i] = levels[lastRow];
    for (let step = 0; step < horizon; step++) windows.y[i * horizon + step] = encode(changeFrom(kind, levels[lastRow + 1 + step], last[i]));
  }
  return { ...windows, last };
}
