import { binaryMetrics, confusionMatrix, multiclassMetrics, regressionMetrics, rocCurve } from '../../ml/evaluation';
import { permutationImportance } from '../../ml/permutation-importance';
import { scoreShares } from '../../ml/drift';
import { fitPlatt } from '../../ml/calibration';
import { createRandom } from '../../ml/random';
import type { Predictor } from '../../ml/algorithms/algorithm';
import { forecastSkill } from '../../ml/forecast-baselines';
import { toLevel } from '../../ml/forecast-target';
import type { Part, PreparedData } from './prepare-data';
import type { EvaluationResult } from './protocol';

const THRESHOLD = 0.5;
/** Test rows permutation importance shuffles over: a seeded sample above this (its cost is features × forward passes). */
export const IMPORTANCE_ROWS = 2_000;

/** `part` itself when it holds at most `max` rows, else `max` of its rows drawn without replacement (seeded), in their order. */
function sampleRows(part: Part, max: number, random: () => number): Part {
  if (part.count <= max) return part;
  const width = part.x.length / part.count;
  const outputs = part.y.length / part.count;
  const picked = new Uint8Array(part.count);
  for (let left = max; left > 0;) {
    const i = Math.floor(random() * part.count);
    if (!picked[i]) { picked[i] = 1; left--; }
  }
  const rows: number[] = [];
  picked.forEach((on, i) => { if (on) rows.push(i); });
  const x = new Float32Array(max * width);
  const y = new Float32Array(max * outputs);
  const last = part.last ? new Float64Array(max) : undefined;
  rows.forEach((row, i) => {
    x.set(part.x.subarray(row * width, (row + 1) * width), i * width);
    y.set(part.y.subarray(row * outputs, (row + 1) * outputs), i * outputs);
    if (last) last[i] = part.last![row];
  });
  return { x, y, count: max, last };
}

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
  // Permutation importance costs a forward pass per feature: on a bounded sample of the test rows.
  const sub = sampleRows(test, IMPORTANCE_ROWS, random);

  if (encoder.kind === 'binary') {
    const labels = test.y;
    return {
      ...base,
      threshold: THRESHOLD,
      metrics: { ...binaryMetrics(labels, scores, THRESHOLD) },
      rocCurve: rocCurve(labels, scores, 200),
      confusionMatrix: confusionMatrix(labels, Array.from(scores, (s) => (s >= THRESHOLD ? 1 : 0)), 2),
      scoreShares: scoreShares(Array.from(scores)),
      calibration: fitPlatt(scores, labels),
      featureImportance: await permutationImportance(predict, sub.x, sub.count, data.inputSize, data.ranges, (s) => binaryMetrics(sub.y, s, THRESHOLD).auc, random),
    };
  }
  if (encoder.kind === 'multiclass') {
    const classes = encoder.classes.length;
    const rows = (flat: Float32Array, count = test.count) => Array.from({ length: count }, (_, i) => Array.from(flat.subarray(i * classes, (i + 1) * classes)));
    const labels = rows(test.y).map((oneHot) => oneHot.indexOf(1));
    const subLabels = rows(sub.y, sub.count).map((oneHot) => oneHot.indexOf(1));
    const argmax = (p: number[]) => p.indexOf(Math.max(...p));
    const m = multiclassMetrics(labels, rows(scores));
    return {
      ...base,
      threshold: null,
      metrics: { accuracy: m.accuracy, precision: m.macroPrecision, recall: m.macroRecall, f1: m.macroF1, logLoss: m.logLoss },
      rocCurve: null,
      confusionMatrix: confusionMatrix(labels, rows(scores).map(argmax), classes),
      featureImportance: await permutationImportance(predict, sub.x, sub.count, data.inputSize, data.ranges, (s) => multiclassMetrics(subLabels, rows(s, sub.count)).accuracy, random),
    };
  }
  // Regression and forecasts are scored in the target's own units (a forecast's in levels, whatever it learnt), not standardised ones.
  const unscale = (values: Float32Array, part: Part = test) => {
    const raw = Array.from(values, (v) => v * encoder.std + encoder.mean);
    const shape = data.forecast;
    return shape ? raw.map((v, i) => toLevel(shape.target, v, part.last![Math.floor(i / shape.horizon)])) : raw;
  };
  const actual = unscale(test.y);
  const predicted = unscale(scores);
  const metrics: Record<string, number | null> = { ...regressionMetrics(actual, predicted) };
  if (data.forecast) Object.assign(metrics, forecastSkill(actual, predicted, test.last!, data.forecast.horizon, scalingSeries(data, unscale)));
  const importance = data.ranges.length
    ? await permutationImportance(predict, sub.x, sub.count, data.inputSize, data.ranges, (s) => -regressionMetrics(unscale(sub.y, sub), unscale(s, sub)).rmse, random)
    : null;
  return { ...base, threshold: null, metrics, rocCurve: null, confusionMatrix: null, featureImportance: importance };
}

/**
 * The series MASE scales by, in time order: the training windows' first targets (windows slide by
 * one step, so these are consecutive levels), or the evaluated ones when there is no training part.
 */
function scalingSeries(data: PreparedData, unscale: (values: Float32Array, part: Part) => number[]): number[] {
  const part = data.train.count >= 2 ? data.train : data.test;
  const horizon = data.forecast!.horizon;
  return unscale(part.y, part).filter((_, i) => i % horizon === 0);
}
