/**
 * The naive forecasts a price model must beat, measured on the same points as the model. A
 * forecast that loses to "tomorrow = today" misleads its users, so every forecast evaluation
 * reports these beside its own errors.
 */
import { regressionMetrics } from './evaluation';

export interface ForecastSkill {
  /** RMSE and MAE of the persistence forecast (each step ahead = the last value seen) on the same points. */
  persistenceRmse: number;
  persistenceMae: number;
  /** The model's RMSE over persistence's: below 1 beats it. */
  relativeRmse: number;
  /** 1 − relativeRmse: above 0 beats persistence. */
  skill: number;
  /**
   * Mean absolute scaled error (Hyndman & Koehler, 2006): the model's MAE over the MAE of the
   * one-step naive forecast on the scaling series (the training series; the evaluated series
   * itself when there is no training part). Below 1 beats the naive forecast in sample.
   */
  mase: number;
}

/**
 * @param actual Realised values, `points × horizon`, row-major, in the target's units.
 * @param predicted The model's forecasts, same layout.
 * @param lastSeen Per point, the last value its window saw (the persistence forecast for every step).
 * @param scaling A series in time order (consecutive values) for MASE's denominator.
 */
export function forecastSkill(actual: ArrayLike<number>, predicted: ArrayLike<number>, lastSeen: ArrayLike<number>, horizon: number, scaling: ArrayLike<number>): ForecastSkill {
  const persistence = Array.from({ length: actual.length }, (_, i) => lastSeen[Math.floor(i / horizon)]);
  const model = regressionMetrics(actual, predicted);
  const naive = regressionMetrics(actual, persistence);
  let scale = 0;
  for (let t = 1; t < scaling.length; t++) scale += Math.abs(scaling[t] - scaling[t - 1]);
  scale /= Math.max(1, scaling.length - 1);
  const relativeRmse = model.rmse / naive.rmse;
  return { persistenceRmse: naive.rmse, persistenceMae: naive.mae, relativeRmse, skill: 1 - relativeRmse, mase: model.mae / scale };
}
