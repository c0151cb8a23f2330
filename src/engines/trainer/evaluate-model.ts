import { binaryMetrics, confusionMatrix, multiclassMetrics, regressionMetrics, rocCurve } from '../../ml/evaluation';
import { permutationImportance, type FeatureImportance } from '../../ml/permutation-importance';
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

/** Measures a trained model on `data`'s test rows, permutation importance included (evaluateModelVersion). */
export async function evaluateModel(model: Predictor, data: PreparedData, seed: number, split: EvaluationResult['split'] = 'TEST'): Promise<EvaluationResult> {
  return { ...await measureModel(model, data, split), featureImportance: await featureImportance(model, data, seed) };
}

/**
 * The test metrics, curves and the algorithm's own importance, without permutation importance
 * (featureImportance null): what a run needs to be SUCCEEDED; the importance follows.
 */
export async function measureModel(model: Predictor, data: PreparedData, split: EvaluationResult['split'] = 'TEST'): Promise<EvaluationResult> {
  return finiteOnly({ ...await measure(model, data, split), featureImportance: null, nativeImportance: nativeImportance(model, data) });
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
  return { ...result, metrics, featureImportance: finiteImportance(result.featureImportance), nativeImportance: finiteImportance(result.nativeImportance) };
}

const finiteImportance = (list: FeatureImportance[] | null | undefined): FeatureImportance[] | null => list?.filter((f) => Number.isFinite(f.importance)) ?? null;

async function measure(model: Predictor, data: PreparedData, split: EvaluationResult['split']): Promise<Omit<EvaluationResult, 'nativeImportance' | 'featureImportance'>> {
  const { test } = data;
  const base = { split, rowCount: test.count };
  if (test.count === 0) return { ...base, threshold: null, metrics: {}, rocCurve: null, confusionMatrix: null };
  const scores = await model.predict(test.x, test.count);
  const encoder = data.targetEncoder;

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
    };
  }
  if (encoder.kind === 'multiclass') {
    const rows = oneHotRows(encoder.classes.length);
    const labels = rows(test.y, test.count).map((oneHot) => oneHot.indexOf(1));
    const m = multiclassMetrics(labels, rows(scores, test.count));
    return {
      ...base,
      threshold: null,
      metrics: { accuracy: m.accuracy, precision: m.macroPrecision, recall: m.macroRecall, f1: m.macroF1, logLoss: m.logLoss },
      rocCurve: null,
      confusionMatrix: confusionMatrix(labels, rows(scores, test.count).map(argmax), encoder.classes.length),
    };
  }
  // Regression and forecasts are scored in the target's own units (a forecast's in levels, whatever it learnt), not standardised ones.
  const unscale = unscaler(data);
  const actual = unscale(test.y, test);
  const predicted = unscale(scores, test);
  const metrics: Record<string, number | null> = { ...regressionMetrics(actual, predicted) };
  if (data.forecast) Object.assign(metrics, forecastSkill(actual, predicted, test.last!, data.forecast.horizon, scalingSeries(data, unscale)));
  return { ...base, threshold: null, metrics, rocCurve: null, confusionMatrix: null };
}

/**
 * Permutation importance on a seeded sample of at most IMPORTANCE_ROWS test rows (its cost is
 * features × forward passes), most important first; null when there is nothing to measure.
 * Computed after the run's other figures, so the version is usable before it is known.
 */
export async function featureImportance(model: Predictor, data: PreparedData, seed: number): Promise<FeatureImportance[] | null> {
  const { test } = data;
  if (test.count === 0) return null;
  const encoder = data.targetEncoder;
  if (encoder.kind !== 'binary' && encoder.kind !== 'multiclass' && !data.ranges.length) return null;
  const predict = (x: Float32Array, rows: number): Promise<Float32Array> => model.predict(x, rows);
  const random = createRandom(seed);
  const sub = sampleRows(test, IMPORTANCE_ROWS, random);
  let score: (predictions: Float32Array) => number;
  if (encoder.kind === 'binary') {
    score = (s) => binaryMetrics(sub.y, s, THRESHOLD).auc;
  } else if (encoder.kind === 'multiclass') {
    const rows = oneHotRows(encoder.classes.length);
    const labels = rows(sub.y, sub.count).map((oneHot) => oneHot.indexOf(1));
    score = (s) => multiclassMetrics(labels, rows(s, sub.count)).accuracy;
  } else {
    const unscale = unscaler(data);
    score = (s) => -regressionMetrics(unscale(sub.y, sub), unscale(s, sub)).rmse;
  }
  return finiteImportance(await permutationImportance(predict, sub.x, sub.count, data.inputSize, data.ranges, score, random));
}

const oneHotRows = (classes: number) => (flat: Float32Array, count: number) => Array.from({ length: count }, (_, i) => Array.from(flat.subarray(i * classes, (i + 1) * classes)));
const argmax = (p: number[]) => p.indexOf(Math.max(...p));

/** Standardised targets (or predictions) of `part` back in the target's units; a forecast's in levels. */
function unscaler(data: PreparedData): (values: Float32Array, part: Part) => number[] {
  const encoder = data.targetEncoder as { mean: number; std: number };
  return (values, part) => {
    const raw = Array.from(values, (v) => v * encoder.std + encoder.mean);
    const shape = data.forecast;
    return shape ? raw.map((v, i) => toLevel(shape.target, v, part.last![Math.floor(i / shape.horizon)])) : raw;
  };
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
