import { binaryMetrics, confusionMatrix, multiclassMetrics, regressionMetrics, rocCurve } from '../../ml/evaluation';
import { permutationImportance } from '../../ml/permutation-importance';
import { scoreShares } from '../../ml/drift';
import { fitPlatt } from '../../ml/calibration';
import { createRandom } from '../../ml/random';
import type { Predictor } from '../../ml/algorithms/algorithm';
import { forecastSkill } from '../../ml/forecast-baselines';
import type { Part, PreparedData } from './prepare-data';
import type { EvaluationResult } from './protocol';

const THRESHOLD = 0.5;

/** Measures a trained model on the held-out test rows, in the units the client thinks in. */
export async function evaluateModel(model: Predictor, data: PreparedData, seed: number, split: EvaluationResult['split'] = 'TEST'): Promise<EvaluationResult> {
  return finiteOnly({ ...await measure(model, data, seed, split), nativeImportance: nativeImportance(model, data) });
}

/** The algorithm's own importance per encoded column, summed per feature (null when it has none). */
function nativeImportance(model: Predictor, data: PreparedData): EvaluationResult['nativeImportance'] {
  const columns = model.nativeImportance();
  if (!columns || !data.ranges.length) return null;
  return data.ranges.map(({ feature, start, end }) => ({ feature, importance: columns.subarray(start, end).reduce((sum, v) => sum + v, 0) }))
    .sort((a, b) => b.importance - a.importance);
}

/** NaN (e.g. AUC of a test split holding one class) cannot travel as a GraphQL Float: it becomes null. */
function finiteOnly(result: EvaluationResult): EvaluationResult {
  const metrics = Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, typeof v === 'number' && Number.isFinite(v) ? v : null]));
  const featureImportance = result.featureImportance?.filter((f) => Number.isFinite(f.importance)) ?? null;
  const nativeImportance = result.nativeImportance?.filter((f) => Number.isFinite(f.importance)) ?? null;
  return { ...result, metrics, featureImportance, nativeImportance };
}

async function measure(model: Predictor, data: PreparedData, seed: number, split: EvaluationResult['split']): Promise<Omit<EvaluationResult, 'nativeImportance'>> {
  const { test } = data;
  const predict = (x: Float32Array, rows: number): Promise<Float32Array> => model.predict(x, rows);
  const base = { split, rowCount: test.count };
  if (test.count === 0) return { ...base, threshold: null, metrics: {}, rocCurve: null, confusionMatrix: null, featureImportance: null };
  const scores = await predict(test.x, test.count);
  const encoder = data.targetEncoder;
  const random = createRandom(seed);

  if (encoder.kind === 'binary') {
    const labels = test.y;
    const score = (s: Float32Array) => binaryMetrics(labels, s, THRESHOLD).auc;
    return {
      ...base,
      threshold: THRESHOLD,
      metrics: { ...binaryMetrics(labels, scores, THRESHOLD) },
      rocCurve: rocCurve(labels, scores, 200),
      confusionMatrix: confusionMatrix(labels, Array.from(scores, (s) => (s >= THRESHOLD ? 1 : 0)), 2),
      scoreShares: scoreShares(Array.from(scores)),
      calibration: fitPlatt(scores, labels),
      featureImportance: await permutationImportance(predict, test.x, test.count, data.inputSize, data.ranges, score, random),
    };
  }
  if (encoder.kind === 'multiclass') {
    const classes = encoder.classes.length;
    const rows = (flat: Float32Array) => Array.from({ length: test.count }, (_, i) => Array.from(flat.subarray(i * classes, (i + 1) * classes)));
    const labels = rows(test.y).map((oneHot) => oneHot.indexOf(1));
    const argmax = (p: number[]) => p.indexOf(Math.max(...p));
    const m = multiclassMetrics(labels, rows(scores));
    return {
      ...base,
      threshold: null,
      metrics: { accuracy: m.accuracy, precision: m.macroPrecision, recall: m.macroRecall, f1: m.macroF1, logLoss: m.logLoss },
      rocCurve: null,
      confusionMatrix: confusionMatrix(labels, rows(scores).map(argmax), classes),
      featureImportance: await permutationImportance(predict, test.x, test.count, data.inputSize, data.ranges, (s) => multiclassMetrics(labels, rows(s)).accuracy, random),
    };
  }
  // Regression and forecasts are scored in the target's own units, not standardised ones.
  const unscale = (values: Float32Array) => Array.from(values, (v) => v * encoder.std + encoder.mean);
  const actual = unscale(test.y);
  const predicted = unscale(scores);
  const metrics: Record<string, number | null> = { ...regressionMetrics(actual, predicted) };
  if (data.forecast) Object.assign(metrics, forecastSkill(actual, predicted, lastSeen(data.test, data.forecast, unscale), data.forecast.horizon, scalingSeries(data, unscale)));
  const importance = data.ranges.length
    ? await permutationImportance(predict, test.x, test.count, data.inputSize, data.ranges, (s) => -regressionMetrics(actual, unscale(s)).rmse, random)
    : null;
  return { ...base, threshold: null, metrics, rocCurve: null, confusionMatrix: null, featureImportance: importance };
}

/** Per forecast window, the last target value it saw (the target is each step's first value). */
function lastSeen(part: Part, shape: NonNullable<PreparedData['forecast']>, unscale: (values: Float32Array) => number[]): number[] {
  const width = shape.windowSize * shape.stepFeatures;
  const at = (shape.windowSize - 1) * shape.stepFeatures;
  return unscale(Float32Array.from({ length: part.count }, (_, i) => part.x[i * width + at]));
}

/**
 * The series MASE scales by, in time order: the training windows' first targets (windows slide by
 * one step, so these are consecutive values), or the evaluated ones when there is no training part.
 */
function scalingSeries(data: PreparedData, unscale: (values: Float32Array) => number[]): number[] {
  const part = data.train.count >= 2 ? data.train : data.test;
  const horizon = data.forecast!.horizon;
  return unscale(Float32Array.from({ length: part.count }, (_, i) => part.y[i * horizon]));
}
