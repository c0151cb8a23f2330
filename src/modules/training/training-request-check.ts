import { badInput } from '../../core/errors';
import type { DatasetVersion } from '../datasets/dataset-version.entity';
import type { Hyperparameters } from '../models/hyperparameters';
import type { Model } from '../models/model.entity';
import { ModelTask, TASKS_BY_ARCHITECTURE } from '../models/model-enums';
import { trainingMemoryBytes } from '../../ml/training-memory';
import { algorithmFor } from '../../ml/algorithms/registry';
import { historyOffset } from '../../ml/forecast-target';
import { MAX_CATEGORIES } from '../../ml/preprocessing';
import type { SplitSpec } from './training-run.entity';
import { FeatureSelectionMethod, FeatureSelectionRequest, type FeatureSelectionInput } from '../models/feature-selection.types';

const MIN_TEST_ROWS = 10;

/**
 * The largest magnitude a NUMBER column may hold to be trained on: standardising squares values,
 * and beyond about 1e154 the square is Infinity (a value of 1e308 made the run fail with "NaN at
 * row 0"). 1e150 leaves room for the sums.
 */
const MAX_MAGNITUDE = 1e150;

/**
 * Everything that can be known wrong about a training request before a process starts: the
 * columns, their types and ranges, the target's classes, whether the split leaves enough rows,
 * and whether the network and its batches fit TRAINING_MAX_MEMORY_MB.
 */
export function checkTrainingRequest(model: Model, version: DatasetVersion, hp: Hyperparameters, split: SplitSpec, limits: { maxMemoryMb: number }): void {
  if (!TASKS_BY_ARCHITECTURE[model.architecture].includes(model.task)) {
    throw badInput(`${model.architecture} cannot learn ${model.task}`, { field: 'input.modelId' });
  }
  const column = (name: string, role: string) => {
    const found = version.columns.find((c) => c.name === name);
    if (!found) throw badInput(`${role} column ${JSON.stringify(name)} is not in dataset version ${version.version} (columns: ${version.columns.map((c) => c.name).join(', ')})`, { field: 'input.datasetId', column: name });
    return found;
  };
  const features = model.featureColumns.map((name) => {
    const feature = column(name, 'feature');
    if (feature.type === 'TEXT') throw badInput(`feature column ${JSON.stringify(name)} is free TEXT; use NUMBER, CATEGORY, BOOLEAN or DATE columns`, { field: 'input.modelId', column: name });
    return feature;
  });
  const target = column(model.targetColumn, 'target');
  for (const numeric of [...features, target].filter((c) => c.type === 'NUMBER')) {
    const largest = Math.max(Math.abs(numeric.min ?? 0), Math.abs(numeric.max ?? 0));
    if (!(largest <= MAX_MAGNITUDE) || (numeric.std !== null && !Number.isFinite(numeric.std))) {
      throw badInput(`column ${JSON.stringify(numeric.name)} holds values as large as ${largest.toExponential(2)}, which cannot be standardised (at most ${MAX_MAGNITUDE.toExponential(0)}); rescale the column`, { field: 'input.datasetId', column: numeric.name });
    }
  }
  const classes = target.distinctCount;
  switch (model.task) {
    case ModelTask.REGRESSION:
    case ModelTask.TIME_SERIES_FORECAST:
      if (target.type !== 'NUMBER') throw badInput(`target ${JSON.stringify(target.name)} is ${target.type}; ${model.task} needs a NUMBER column`, { field: 'input.modelId' });
      break;
    case ModelTask.BINARY_CLASSIFICATION:
      if (target.type === 'TEXT') throw badInput(`target ${JSON.stringify(target.name)} is free TEXT`, { field: 'input.modelId' });
      if (classes !== 2) throw badInput(`target ${JSON.stringify(target.name)} has ${classes} class${classes === 1 ? '' : 'es'}; BINARY_CLASSIFICATION needs exactly 2`, { field: 'input.modelId' });
      break;
    case ModelTask.MULTICLASS_CLASSIFICATION:
      if (target.type === 'TEXT' || target.distinctCountCapped || classes < 3 || classes > 100) {
        throw badInput(`target ${JSON.stringify(target.name)} has ${classes} classes; MULTICLASS_CLASSIFICATION needs 3 to 100`, { field: 'input.modelId' });
      }
      break;
  }
  if (split.validation + split.test >= 0.9) throw badInput('validation + test must leave at least 10% of the rows for training', { field: 'input.split' });
  const usable = version.rowCount - target.nullCount;
  const samples = model.task === ModelTask.TIME_SERIES_FORECAST ? usable - hp.windowSize - hp.horizon + 1 - historyOffset(hp.forecastTarget) : usable;
  const unit = model.task === ModelTask.TIME_SERIES_FORECAST ? 'windows' : 'rows';
  const testRows = Math.round(samples * split.test);
  if (testRows < MIN_TEST_ROWS) {
    throw badInput(`the split leaves ${Math.max(0, testRows)} test ${unit} (of ${Math.max(0, samples)}); at least ${MIN_TEST_ROWS} are needed`, { field: 'input.split' });
  }
  const trainRows = samples - testRows - Math.round(samples * split.validation);
  const algorithm = algorithmFor(model.architecture);
  if (algorithm.maxTrainingRows !== undefined && trainRows > algorithm.maxTrainingRows) {
    throw badInput(`${model.architecture} trains on at most ${algorithm.maxTrainingRows.toLocaleString('en-US')} rows (its cost grows faster than the rows); this split gives ${trainRows.toLocaleString('en-US')}: use a smaller dataset version or another architecture`, { field: 'input.datasetId', limit: algorithm.maxTrainingRows });
  }
  if (algorithm.hyperparameters.includes('batchSize') && hp.batchSize > trainRows) {
    throw badInput(`batchSize ${hp.batchSize} is larger than the ${trainRows} training ${unit}`, { field: 'input.hyperparameters.batchSize' });
  }
  // Encoded width: one column per number, flag or date; one per category (at most MAX_CATEGORIES, plus one to spare).
  const width = features.reduce((sum, c) => sum + (c.type === 'CATEGORY' ? Math.min(c.distinctCount, MAX_CATEGORIES) + 1 : 1), 0);
  const forecast = model.task === ModelTask.TIME_SERIES_FORECAST;
  const bytes = trainingMemoryBytes({
    architecture: model.architecture, hiddenUnits: hp.hiddenUnits, windowSize: hp.windowSize,
    inputSize: forecast ? 1 + width : Math.max(1, width),
    outputSize: forecast ? hp.horizon : model.task === ModelTask.MULTICLASS_CLASSIFICATION ? classes : 1,
  }, hp.batchSize, samples);
  const needMb = Math.ceil(bytes / 1024 / 1024);
  if (needMb > limits.maxMemoryMb) {
    throw badInput(`this network needs about ${needMb.toLocaleString('en-US')} MB to train (hiddenUnits ${JSON.stringify(hp.hiddenUnits)}, batchSize ${hp.batchSize}, ${samples.toLocaleString('en-US')} ${unit}), over TRAINING_MAX_MEMORY_MB (${limits.maxMemoryMb.toLocaleString('en-US')} MB); use fewer or smaller layers`, { field: 'input.hyperparameters.hiddenUnits', neededMb: needMb, limitMb: limits.maxMemoryMb });
  }
}

/** A run's feature selection request, checked: not for forecasts, and `keep` at most the model's feature count. */
export function checkedFeatureSelection(model: Model, input: FeatureSelectionInput | null | undefined): FeatureSelectionRequest | null {
  if (!input) return null;
  if (model.task === ModelTask.TIME_SERIES_FORECAST) {
    throw badInput(`feature selection is for tabular models; ${model.architecture} forecasts read a window of the series`, { field: 'input.featureSelection' });
  }
  if (input.keep > model.featureColumns.length) {
    throw badInput(`keep ${input.keep} is more than the model's ${model.featureColumns.length} features`, { field: 'input.featureSelection.keep' });
  }
  if (input.method === FeatureSelectionMethod.CORRELATION_FILTER && input.threshold != null && input.threshold > 1) {
    throw badInput(`a correlation threshold is at most 1, got ${input.threshold}`, { field: 'input.featureSelection.threshold' });
  }
  return Object.assign(new FeatureSelectionRequest(), { method: input.method, keep: input.keep, threshold: input.threshold ?? null });
}
