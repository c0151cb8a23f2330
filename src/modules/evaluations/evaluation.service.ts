import type { Config } from '../../core/config';
import type { ArtifactStore } from '../../engines/db/artifact-store';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { badInput } from '../../core/errors';
import { newId } from '../../core/ids';
import type { EvaluationResult } from '../../engines/trainer/protocol';
import type { ImportanceOutcome, TrainingSupervisor } from '../../engines/trainer/supervisor';
import type { DatasetRowReader } from '../datasets/dataset-row-reader';
import type { DatasetService } from '../datasets/dataset.service';
import { loadModelArtifact } from '../../engines/db/model-artifacts';
import type { ModelVersionService } from '../models/model-version.service';
import type { ModelService } from '../models/model.service';
import { Evaluation } from './evaluation.entity';
import { ImportanceStatus } from './importance-status';

/** importance_error's column width. */
const MAX_ERROR_LENGTH = 500;

export interface EvaluateInput {
  modelVersionId: string;
  datasetId: string;
  datasetVersion?: number | null;
  /** Only the dataset version's last rows (the newest: a TIME_ORDERED test split), not all of them. */
  lastRows?: number | null;
}

/** Evaluations: made after training, or on demand on any dataset version with the model's columns. */
export class EvaluationService {
  constructor(private readonly deps: {
    db: Database; config: Pick<Config, 'maxPageSize' | 'training'>; artifacts: ArtifactStore; datasets: DatasetService; datasetRows: DatasetRowReader;
    models: ModelService; modelVersions: ModelVersionService; trainer: TrainingSupervisor;
  }) {}

  async evaluate(input: EvaluateInput): Promise<Evaluation> {
    const { config, artifacts, datasets, datasetRows, models, modelVersions, trainer } = this.deps;
    const version = await modelVersions.get(input.modelVersionId);
    if (!version.artifactId) throw badInput('this model version has no trained weights', { field: 'input.modelVersionId' });
    const model = await models.get(version.modelId);
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
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
    const all = await datasetRows.allRows(target, [...model.featureColumns, model.targetColumn]);
    const rows = input.lastRows ? all.slice(Math.max(0, all.length - input.lastRows)) : all;
    let result;
    try {
      result = await trainer.evaluate({ artifact, rows, targetName: model.targetColumn, seed: 1, backend: config.training.backend });
    } catch (error) {
      throw badInput(`could not evaluate: ${error instanceof Error ? error.message : error}`, { field: 'input.datasetId' });
    }
    return this.record(version.id, target.id, result);
  }

  /**
   * Stores what the trainer measured for a version on a dataset version (after training: its TEST
   * split, with the permutation importance PENDING until recordImportance).
   */
  async record(modelVersionId: string, datasetVersionId: string, result: EvaluationResult, importanceStatus = ImportanceStatus.READY): Promise<Evaluation> {
    const evaluation = Object.assign(new Evaluation(), {
      id: newId(Evaluation), modelVersionId, datasetVersionId, split: result.split, rowCount: result.rowCount,
      threshold: result.threshold, metrics: result.metrics, rocCurve: result.rocCurve, confusionMatrix: result.confusionMatrix,
      featureImportance: result.featureImportance, nativeImportance: result.nativeImportance ?? null,
      importanceStatus, importanceError: null, createdAt: new Date(),
    });
    await this.deps.db.transaction((manager) => manager.insert(Evaluation, evaluation));
    return evaluation;
  }

  /** The permutation importance that followed a PENDING evaluation, or why it is missing; false when it was no longer PENDING. */
  async recordImportance(id: string, outcome: ImportanceOutcome): Promise<boolean> {
    const changes = outcome.kind === 'ready'
      ? { importanceStatus: ImportanceStatus.READY, featureImportance: outcome.featureImportance }
      : { importanceStatus: ImportanceStatus.FAILED, importanceError: outcome.error.slice(0, MAX_ERROR_LENGTH) };
    const moved = await this.deps.db.transaction((manager) => manager.update(Evaluation, { id, importanceStatus: ImportanceStatus.PENDING }, changes));
    return !!moved.affected;
  }

  /** Where the importance of a version's TEST evaluation stands (null: no such evaluation). */
  async importanceStatusOf(modelVersionId: string): Promise<ImportanceStatus | null> {
    const row = await this.deps.db.manager.findOne(Evaluation, { select: { id: true, importanceStatus: true }, where: { modelVersionId, split: 'TEST' } });
    return row?.importanceStatus ?? null;
  }

  /**
   * After a restart of an embedded server (before anyone can subscribe): importance that was being
   * computed died with the old process; it becomes FAILED, and the runs stay SUCCEEDED.
   */
  async failPendingImportance(reason: string): Promise<void> {
    await this.deps.db.transaction((manager) => manager.update(Evaluation, { importanceStatus: ImportanceStatus.PENDING }, { importanceStatus: ImportanceStatus.FAILED, importanceError: reason }));
  }

  list(filter: { modelVersionId?: string | null; datasetVersionId?: string | null } | null | undefined, page: PageArgs): Promise<Page<Evaluation>> {
    const qb = this.deps.db.manager.createQueryBuilder(Evaluation, 'e');
    if (filter?.modelVersionId) qb.andWhere('e.model_version_id = :mv', { mv: filter.modelVersionId });
    if (filter?.datasetVersionId) qb.andWhere('e.dataset_version_id = :dv', { dv: filter.datasetVersionId });
    return paginate(qb, 'e', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }
}
