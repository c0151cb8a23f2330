import { algorithmFor } from '../../ml/algorithms/registry';
import { featureColumns, selectFeatures, targetColumn, type FeatureSelection } from '../../ml/feature-selection';
import { DEFAULT_HYPERPARAMETERS, type FeatureSelectionOutcome, type FeatureSelectionSpec } from '../../ml/model-spec';
import { toTrainingSet, type PreparedData, type PrepareJob } from './prepare-data';

/** The quick forest IMPORTANCE ranks features by: enough trees for stable gains, shallow enough to be cheap. */
const IMPORTANCE_FOREST = { trees: 50, maxDepth: 8, minSamplesLeaf: 5 };

/**
 * Chooses a run's features on its training split only (the encoders in `data` were fitted on it
 * too), so nothing about the validation or test rows leaks into the choice.
 */
export async function selectJobFeatures(job: PrepareJob, data: PreparedData, spec: FeatureSelectionSpec): Promise<FeatureSelectionOutcome> {
  const classification = job.task !== 'REGRESSION';
  let selection: FeatureSelection;
  if (spec.method === 'IMPORTANCE') {
    const forest = algorithmFor('RANDOM_FOREST');
    const criterion = classification ? 'GINI' : 'SQUARED_ERROR';
    const set = { ...toTrainingSet(data, job), validation: { x: new Float32Array(0), y: new Float32Array(0), count: 0 } };
    const model = await forest.train(set, { ...DEFAULT_HYPERPARAMETERS, ...forest.defaults, ...IMPORTANCE_FOREST, criterion }, job.seed, { onStep: async () => undefined });
    const columns = model.nativeImportance() ?? new Float64Array(data.inputSize);
    model.dispose();
    const scores = Object.fromEntries(data.ranges.map(({ feature, start, end }) => [feature, columns.subarray(start, end).reduce((sum, v) => sum + v, 0)]));
    selection = selectFeatures('IMPORTANCE', scores, { keep: spec.keep });
  } else {
    const categorical = toTrainingSet(data, job).categorical;
    const features = featureColumns(data.train.x, data.train.count, data.inputSize, data.ranges, categorical);
    const target = targetColumn(data.train, data.outputSize, classification);
    selection = selectFeatures(spec.method, { features, target }, { keep: spec.keep, ...(spec.method === 'CORRELATION_FILTER' && spec.threshold !== null ? { threshold: spec.threshold } : {}) });
  }
  const scoreOf = new Map(selection.scores.map((s) => [s.feature, s.score]));
  // For IMPORTANCE and MUTUAL_INFORMATION the threshold is the least score kept; the best feature always stays.
  const floor = spec.method !== 'CORRELATION_FILTER' ? spec.threshold : null;
  const kept = selection.kept.filter((name, i) => i === 0 || floor === null || scoreOf.get(name)! >= floor);
  return { method: spec.method, kept, scores: selection.scores.map(({ feature, score }) => ({ feature, score })) };
}
