import { LRUCache } from 'lru-cache';
import type { ServingConfig } from '../../core/config';
import { selectBackend, type BackendName } from '../../ml/backend';
import type { ModelArtifact } from '../../ml/model-artifact';
import { LoadedModel } from './loaded-model';

/** What the cache needs to load a version: handed in by the module that owns versions. */
export interface StoredVersion<V> {
  /** The owner's record of the version, kept on the loaded model. */
  version: V;
  artifact: ModelArtifact;
  /** The model's target column (a forecast's history rows carry it). */
  targetColumn: string;
}

/** Reads a version's record and weights; throws the owner's NOT_FOUND / BAD_USER_INPUT errors. */
export type VersionReader<V> = (versionId: string) => Promise<StoredVersion<V>>;

/**
 * Loaded model versions, least recently used dropped first once their weights pass
 * MODEL_CACHE_MAX_MB. Concurrent loads of one version share one load. A dropped model is
 * disposed after its last forward pass in flight.
 */
export class ModelCache<V extends { id: string }> {
  private readonly loaded: LRUCache<string, LoadedModel<V>>;
  private readonly loading = new Map<string, Promise<LoadedModel<V>>>();

  constructor(private readonly readVersion: VersionReader<V>, private readonly config: ServingConfig, private readonly backend: BackendName | null) {
    this.loaded = new LRUCache<string, LoadedModel<V>>({
      maxSize: config.modelCacheMaxMb * 1024 * 1024,
      // A model bigger than the whole bound still loads (it is in use); it is dropped first.
      sizeCalculation: (model) => Math.max(1, Math.min(model.bytes, config.modelCacheMaxMb * 1024 * 1024)),
      dispose: (model) => model.retire(),
    });
  }

  /** The version ready to serve, loading it (once, however many ask) when it is not in memory. */
  load(versionId: string): Promise<LoadedModel<V>> {
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

  private async read(versionId: string): Promise<LoadedModel<V>> {
    const stored = await this.readVersion(versionId);
    await selectBackend(this.backend);
    return LoadedModel.fromArtifact(stored.version, stored.artifact, stored.targetColumn, {
      enabled: this.config.microBatching, maxBatchSize: this.config.maxBatchSize, maxDelayMs: this.config.maxBatchDelayMs, policy: this.config.batchPolicy,
    });
  }
}
