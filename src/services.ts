import type { Config } from './config';
import { ArtifactStore } from './db/artifact-store';
import type { Database } from './db/database';
import type { Logger } from './logger';
import { ApiKeyService } from './modules/auth/api-key.service';
import { AuditService } from './modules/auth/audit.service';
import { RateLimiter } from './security/rate-limiter';
import { createEventBus, type EventBus } from './realtime/pubsub';
import { DatasetRowReader } from './modules/datasets/dataset-row-reader';
import { DatasetService } from './modules/datasets/dataset.service';
import { ModelVersionService } from './modules/models/model-version.service';
import { ModelService } from './modules/models/model.service';

/** Every service, built once per process and shared by all requests. */
export interface Services {
  config: Config;
  db: Database;
  log: Logger;
  events: EventBus;
  artifacts: ArtifactStore;
  apiKeys: ApiKeyService;
  audit: AuditService;
  rateLimiter: RateLimiter;
  datasets: DatasetService;
  datasetRows: DatasetRowReader;
  models: ModelService;
  modelVersions: ModelVersionService;
  startedAt: Date;
}

export function createServices(config: Config, db: Database, log: Logger): Services {
  const artifacts = new ArtifactStore(db);
  const events = createEventBus();
  return {
    events,
    config,
    db,
    log,
    artifacts,
    apiKeys: new ApiKeyService(db, config, log),
    audit: new AuditService(db, config),
    rateLimiter: new RateLimiter(config.rateLimits),
    datasets: new DatasetService(db, artifacts, config, events),
    datasetRows: new DatasetRowReader(artifacts, config.maxPageSize),
    models: new ModelService(db, config),
    modelVersions: new ModelVersionService(db),
    startedAt: new Date(),
  };
}
