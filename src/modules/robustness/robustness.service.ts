import { badInput } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Database } from '../../engines/db/database';
import type { LoadedModel } from '../../engines/serving/loaded-model';
import type { ModelCache } from '../../engines/serving/model-cache';
import { rocAuc } from '../../ml/evaluation';
import { createRandom } from '../../ml/random';
import { withCategoryFlips, withMissing, withNoise, withStress, type Row } from '../../ml/robustness';
import type { DatasetRowReader } from '../datasets/dataset-row-reader';
import type { DatasetService } from '../datasets/dataset.service';
import { ModelTask } from '../models/model-enums';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelVersionService } from '../models/model-version.service';
import type { ModelService } from '../models/model.service';
import { PerturbationKind, RobustnessReport, type FeatureSensitivity, type RobustnessReportInput, type ScenarioResult } from './robustness.types';

/** Rows a report scores at most: enough for stable metrics, bounded for the server. */
const MAX_ROWS = 5000;
const CHUNK = 2048;

/**
 * Robustness reports: the model's metric on a dataset version's rows as they are, under each
 * perturbation, and with each feature alone perturbed (the worst first). Stored on the version.
 */
export class RobustnessService {
  constructor(private readonly deps: { db: Database; cache: ModelCache<ModelVersion>; models: ModelService; modelVersions: ModelVersionService; datasets: DatasetService; datasetRows: DatasetRowReader }) {}

  async create(input: RobustnessReportInput, createdBy: string | null): Promise<RobustnessReport> {
    const { db, cache, models, modelVersions, datasets, datasetRows } = this.deps;
    const version = await modelVersions.get(input.modelVersionId);
    if (!version.artifactId) throw badInput('this model version has no trained weights', { field: 'input.modelVersionId' });
    const model = await models.get(version.modelId);
    if (model.task === ModelTask.TIME_SERIES_FORECAST) throw badInput('robustness reports are for tabular models; a forecast\'s inputs are its history', { field: 'input.modelVersionId' });
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
    const target = await datasets.version(dataset.id, input.datasetVersion ?? dataset.latestVersion);
    for (const name of [...model.featureColumns, model.targetColumn]) if (!target.columns.some((c) => c.name === name)) throw badInput(`column ${JSON.stringify(name)} is not in the dataset version`, { field: 'input.datasetId', column: name });
    const loaded = await cache.load(version.id);
    const numericFeatures = loaded.signature.features.filter((f) => f.type !== 'CATEGORY').map((f) => f.name);
    const categories = Object.fromEntries(loaded.signature.features.filter((f) => f.type === 'CATEGORY').map((f) => [f.name, f.categories ?? []]));
    input.scenarios.forEach((s, i) => {
      const field = `input.scenarios[${i}]`;
      if (s.scale < 0) throw badInput(`${s.name}: scale must be 0 or more, got ${s.scale}`, { field: `${field}.scale` });
      if ((s.kind === PerturbationKind.MISSING || s.kind === PerturbationKind.CATEGORY_FLIP) && s.scale > 1) throw badInput(`${s.name}: a rate is at most 1`, { field: `${field}.scale` });
      if (s.kind === PerturbationKind.STRESS && !s.changes?.length) throw badInput(`${s.name}: STRESS needs changes`, { field: `${field}.changes` });
      for (const f of [...(s.features ?? []), ...(s.changes ?? []).map((c) => c.feature)]) if (!model.featureColumns.includes(f)) throw badInput(`${s.name}: ${JSON.stringify(f.slice(0, 80))} is not a feature of the model`, { field });
    });
    const rows = (await datasetRows.allRows(target, [...model.featureColumns, model.targetColumn])).slice(0, MAX_ROWS);
    if (rows.length < 10) throw badInput(`the dataset version has ${rows.length} rows; a report needs at least 10`, { field: 'input.datasetId' });
    const metric = model.task === ModelTask.BINARY_CLASSIFICATION ? 'auc' : model.task === ModelTask.MULTICLASS_CLASSIFICATION ? 'accuracy' : 'rmse';
    const measure = (perturbed: Row[]) => this.metric(loaded, perturbed, model.targetColumn, metric);
    const baseline = await measure(rows);
    const change = (value: number | null) => (value === null || baseline === null ? null : value - baseline);
    const scenarios: ScenarioResult[] = [];
    for (const s of input.scenarios) {
      const random = createRandom(input.seed);
      const perturbed = s.kind === PerturbationKind.NOISE ? withNoise(rows, s.features ?? numericFeatures, s.scale, random)
        : s.kind === PerturbationKind.MISSING ? withMissing(rows, s.features ?? numericFeatures, s.scale, random)
          : s.kind === PerturbationKind.CATEGORY_FLIP ? withCategoryFlips(rows, Object.fromEntries(Object.entries(categories).filter(([f]) => !s.features || s.features.includes(f))), s.scale, random)
            : withStress(rows, s.changes ?? []);
      const value = await measure(perturbed);
      scenarios.push({ name: s.name, kind: s.kind, scale: s.scale, value, change: change(value) });
    }
    const features: FeatureSensitivity[] = [];
    for (const feature of model.featureColumns) {
      const random = createRandom(input.seed);
      const perturbed = categories[feature] ? withCategoryFlips(rows, { [feature]: categories[feature] }, 0.5, random) : withNoise(rows, [feature], 1, random);
      const value = await measure(perturbed);
      features.push({ feature, value, change: change(value) });
    }
    // Worst first: the largest drop (for rmse, the largest rise).
    const harm = (f: FeatureSensitivity) => (f.change === null ? -Infinity : metric === 'rmse' ? f.change : -f.change);
    features.sort((a, b) => harm(b) - harm(a));
    const report = Object.assign(new RobustnessReport(), {
      id: newId(RobustnessReport), modelVersionId: version.id, datasetVersionId: target.id, metric, baseline, rowCount: rows.length, scenarios, features, createdBy, createdAt: new Date(),
    });
    await db.transaction((m) => m.insert(RobustnessReport, report as never));
    return report;
  }

  /** The model's metric on rows (scored in passes of CHUNK). */
  private async metric(model: LoadedModel<ModelVersion>, rows: Row[], targetColumn: string, metric: string): Promise<number | null> {
    const predictions = [];
    for (let i = 0; i < rows.length; i += CHUNK) predictions.push(...await model.score(rows.slice(i, i + CHUNK), false));
    if (metric === 'rmse') {
      const errors = predictions.map((p, i) => p.value - Number(rows[i][targetColumn]));
      return Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    }
    if (metric === 'accuracy') return predictions.filter((p, i) => p.label === String(rows[i][targetColumn])).length / rows.length;
    const positive = predictions[0].probabilities[1]?.label;
    const labels = rows.map((r) => (String(r[targetColumn]) === positive ? 1 : 0));
    const scores = predictions.map((p) => p.probabilities[1]?.probability ?? p.value);
    return labels.some((l) => l === 1) && labels.some((l) => l === 0) ? rocAuc(labels, scores) : null;
  }

  forVersion(modelVersionId: string): Promise<RobustnessReport[]> {
    return this.deps.db.manager.find(RobustnessReport, { where: { modelVersionId }, order: { createdAt: 'DESC' }, take: 20 });
  }
}
