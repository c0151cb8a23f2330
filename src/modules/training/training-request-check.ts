import { badInput } from '../../core/errors';
import type { DatasetVersion } from '../datasets/dataset-version.entity';
import type { Hyperparameters } from '../models/hyperparameters';
import type { Model } from '../models/model.entity';
import { ModelTask, TASKS_BY_ARCHITECTURE } from '../models/model-enums';
import type { SplitSpec } from './training-run.entity';

const MIN_TEST_ROWS = 10;

/**
 * Everything that can be known wrong about a training request before a process starts: the
 * columns, their types, the target's classes, and whether the split leaves enough rows.
 */
export function checkTrainingRequest(model: Model, version: DatasetVersion, hp: Hyperparameters, split: SplitSpec): void {
  if (!TASKS_BY_ARCHITECTURE[model.architecture].includes(model.task)) {
    throw badInput(`${model.architecture} cannot learn ${model.task}`, { field: 'input.modelId' });
  }
  const column = (name: string, role: string) => {
    const found = version.columns.find((c) => c.name === name);
    if (!found) throw badInput(`${role} column ${JSON.stringify(name)} is not in dataset version ${version.version} (columns: ${version.columns.map((c) => c.name).join(', ')})`, { field: 'input.datasetId', column: name });
    return found;
  };
  for (const name of model.featureColumns) {
    const feature = column(name, 'feature');
    if (feature.type === 'TEXT') throw badInput(`feature column ${JSON.stringify(name)} is free TEXT; use NUMBER, CATEGORY, BOOLEAN or DATE columns`, { field: 'input.modelId', column: name });
  }
  const target = column(model.targetColumn, 'target');
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
  const samples = model.task === ModelTask.TIME_SERIES_FORECAST ? usable - hp.windowSize - hp.horizon + 1 : usable;
  const unit = model.task === ModelTask.TIME_SERIES_FORECAST ? 'windows' : 'rows';
  const testRows = Math.round(samples * split.test);
  if (testRows < MIN_TEST_ROWS) {
    throw badInput(`the split leaves ${Math.max(0, testRows)} test ${unit} (of ${Math.max(0, samples)}); at least ${MIN_TEST_ROWS} are needed`, { field: 'input.split' });
  }
  const trainRows = samples - testRows - Math.round(samples * split.validation);
  if (hp.batchSize > trainRows) {
    throw badInput(`batchSize ${hp.batchSize} is larger than the ${trainRows} training ${unit}`, { field: 'input.hyperparameters.batchSize' });
  }
}
