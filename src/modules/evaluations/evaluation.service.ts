import type { Config } from '../../core/config';
import type { ArtifactStore } from '../../engines/db/artifact-store';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { badInput } from '../../core/errors';
import { newId } from '../../core/ids';
import type { TrainingSupervisor } from '../../engines/trainer/supervisor';
import type { DatasetRowReader } from '../datasets/dataset-row-reader';
import type { DatasetService } from '../datasets/dataset.service';
import { loadModelArtifact } from '../models/model-artifact';
import type { ModelVersionService } from '../models/model-version.service';
import type { ModelService } from '../models/model.service';
import { Evaluation } from './evaluation.entity';

export interface EvaluateInput {
  modelVersionId: string;
  datasetId: string;
  datasetVersion?: number | null;
}

/** Evaluations: made after training, or on demand on any dataset version with the model's columns. */
export class EvaluationService {
  constructor(private readonly deps: {
    db: Database; config: Config; artifacts: ArtifactStore; datasets: DatasetService; datasetRows: DatasetRowReader;
    models: ModelService; modelVersions: ModelVersionService; supervisor: TrainingSupervisor;
  }) {}

  async evaluate(input: EvaluateInput): Promise<Evaluation> {
    const { db, config, artifacts, datasets, datasetRows, models, modelVersions, supervisor } = this.deps;
    const version = await modelVersions.get(input.modelVersionId);
    if (!version.artifactId) throw badInput('this model version has no trained weights', { field: 'input.modelVersionId' });
    const model = await models.get(version.modelId);
    const dataset = await datasets.get(input.datasetId);
    const target = await datasets.version(dataset.id, input.datasetVersion ?? dataset.latestVersion);
    const trainedOn = version.datasetVersionId ? await datasets.getVersion(version.datasetVersionId) : null;
    // Same columns with the same types as the version was trained on, or the encoders do not apply.
    for (const name of [...model.featureColumns, model.targetColumn]) {
      const column = target.columns.find((c) => c.name === name);
      const original = trainedOn?.columns.find((c) => c.name === name);
      if (!column) throw badInput(`column ${JSON.stringify(name)} is not in dataset version ${target.version}`, { field: 'input.datasetId', column: name });
      if (original && original.type !== column.type) throw badInput(`column ${JSON.stringify(name)} is ${column.type} here but was ${original.type} in training`, { field: 'input.datasetId', column: name });
    }
    const artifact = await loadModelArtifact(artifacts, version.artifactId);
    const rows = await datasetRows.allRows(target, [...model.featureColumns, model.targetColumn]);
    let result;
    try {
      result = await supervisor.evaluate({ artifact, rows, targetName: model.targetColumn, seed: 1, backend: config.training.backend });
    } catch (error) {
      throw badInput(`could not evaluate: ${error instanceof Error ? error.message : error}`, { field: 'input.datasetId' });
    }
    const evaluation = Object.assign(new Evaluation(), {
      id: newId('Evaluation'), modelVersionId: version.id, datasetVersionId: target.id, split: result.split, rowCount: result.rowCount,
      threshold: result.threshold, metrics: result.metrics, rocCurve: result.rocCurve, confusionMatrix: result.confusionMatrix,
      featureImportance: result.featureImportance, createdAt: new Date(),
    });
    await db.transaction((manager) => manager.insert(Evaluation, evaluation));
    return evaluation;
  }

  list(filter: { modelVersionId?: string | null; datasetVersionId?: string | null } | null | undefined, page: PageArgs): Promise<Page<Evaluation>> {
    const qb = this.deps.db.manager.createQueryBuilder(Evaluation, 'e');
    if (filter?.modelVersionId) qb.andWhere('e.model_version_id = :mv', { mv: filter.modelVersionId });
    if (filter?.datasetVersionId) qb.andWhere('e.dataset_version_id = :dv', { dv: filter.datasetVersionId });
    return paginate(qb, 'e', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }
}
