import type { Database } from '../../engines/db/database';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import { conflict, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import { ModelVersion } from './model-version.entity';
import type { Signature } from '../../ml/signature';
import type { FeatureSelectionOutcome } from '../../ml/model-spec';

export interface NewModelVersion {
  modelId: string;
  datasetVersionId?: string | null;
  trainingRunId?: string | null;
  artifactId?: string | null;
  metrics?: Record<string, number>;
  signature?: Signature | null;
  featureSelection?: FeatureSelectionOutcome | null;
}

/** Records model versions, numbered 1, 2, 3… per model without gaps or duplicates. */
export class ModelVersionService {
  constructor(private readonly db: Database) {}

  /**
   * Takes the next number inside a transaction; the unique (model, version) index turns a race
   * between two writers into a retry rather than a duplicate.
   */
  async create(input: NewModelVersion, attempts = 5): Promise<ModelVersion> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (manager) => {
          const [{ latest }] = await manager.query('SELECT COALESCE(MAX(version), 0) AS latest FROM model_version WHERE model_id = ?', [input.modelId]);
          const version = Object.assign(new ModelVersion(), {
            id: newId(ModelVersion), modelId: input.modelId, version: Number(latest) + 1,
            datasetVersionId: input.datasetVersionId ?? null, trainingRunId: input.trainingRunId ?? null, artifactId: input.artifactId ?? null,
            metrics: input.metrics ?? {}, signature: input.signature ?? null, featureSelection: (input.featureSelection ?? null) as ModelVersion['featureSelection'], createdAt: new Date(),
          });
          await manager.insert(ModelVersion, version);
          return version;
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (attempt >= attempts) throw conflict('could not number the new model version; retry', { modelId: input.modelId });
      }
    }
  }

  /** Version `number` of a model. */
  async byNumber(modelId: string, number: number): Promise<ModelVersion> {
    const version = await this.db.manager.findOneBy(ModelVersion, { modelId, version: number });
    if (!version) throw notFound('ModelVersion', `${modelId}@${number}`);
    return version;
  }

  async get(id: string): Promise<ModelVersion> {
    const version = await this.find(id);
    if (!version) throw notFound('ModelVersion', id);
    return version;
  }

  /** The version, or null when there is none. */
  find(id: string): Promise<ModelVersion | null> {
    return this.db.manager.findOneBy(ModelVersion, { id });
  }
}
