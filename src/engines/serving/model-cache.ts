import { LRUCache } from 'lru-cache';
import type { ServingConfig } from '../../core/config';
import type { ArtifactStore } from '../db/artifact-store';
import type { Database } from '../db/database';
import { selectBackend, type BackendName } from '../../ml/backend';
import { loadModelArtifact } from '../../modules/models/model-artifact';
import { Model } from '../../modules/models/model.entity';
import { ModelVersion } from '../../modules/models/model-version.entity';
import { badInput, notFound } from '../../core/errors';
import { LoadedModel } from './loaded-model';

/**
 * Loaded model versions, least recently used dropped first once their weights pass
 * MODEL_CACHE_MAX_MB. Concurrent loads of one version share one load. A dropped model is
 * disposed after its last forward pass in flight.
 */
export class ModelCache {
  private readonly loaded: LRUCache<string, LoadedModel>;
  private readonly loading = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly db: Database, private readonly artifacts: ArtifactStore, private readonly config: ServingConfig, private readonly backend: BackendName | null) {
    this.loaded = new LRUCache<string, LoadedModel>({
      maxSize: config.modelCacheMaxMb * 1024 * 1024,
      // A model bigger than the whole bound still loads (it is in use); it is dropped first.
      sizeCalculation: (model) => Math.max(1, Math.min(model.bytes, config.modelCacheMaxMb * 1024 * 1024)),
      dispose: (model) => model.retire(),
    });
  }

  /** The version ready to serve, loading it (once, however many ask) when it is not in memory. */
  load(versionId: string): Promise<LoadedModel> {
    const ready = this.loaded.get(versionId);
    if (ready) return Promise.resolve(ready);
    let pending = this.loading.get(versionId);
    if (!pending) {
      pending = this.read(versionId).then((model) => {
        this.loaded.set(versionId, model);
        return model;
      }).finally(() => this.loading.delete(versionId));
      this.loading.set(versionId, pending);
    }
    return pending;
  }

  /** Drops a version (a deployment moved away from it). */
  evict(versionId: string): void {
    this.loaded.delete(versionId);
  }

  /** Version ids in memory, most recently used first. */
  keys(): string[] {
    return [...this.loaded.keys()];
  }

  clear(): void {
    this.loaded.clear();
  }

  private async read(versionId: string): Promise<LoadedModel> {
    const version = await this.db.manager.findOneBy(ModelVersion, { id: versionId });
    if (!version) throw notFound('ModelVersion', versionId);
    if (!version.artifactId) throw badInput(`model version ${versionId} has no trained weights`, { modelVersionId: versionId });
    const model = await this.db.manager.findOneByOrFail(Model, { id: version.modelId });
    await selectBackend(this.backend);
    const artifact = await loadModelArtifact(this.artifacts, version.artifactId);
    return LoadedModel.fromArtifact(version, artifact, model.targetColumn, {
      enabled: this.config.microBatching, maxBatchSize: this.config.maxBatchSize, maxDelayMs: this.config.maxBatchDelayMs,
    });
  }
}
