import { randomUUID } from 'node:crypto';
import { DatasetLoaders } from './modules/datasets/dataset.loaders';
import { ModelLoaders } from './modules/models/model.loaders';
import type { Services } from './services';

/** DataLoaders of one request; a subscription makes a fresh set per event so nothing goes stale. */
export interface Loaders {
  datasets: DatasetLoaders;
  models: ModelLoaders;
}

/** What every resolver receives. */
export interface Context {
  services: Services;
  loaders: Loaders;
  requestId: string;
}

export function createLoaders(services: Services): Loaders {
  const max = services.config.maxPageSize;
  return { datasets: new DatasetLoaders(services.db, max), models: new ModelLoaders(services.db, max) };
}

export function createContext(services: Services, requestId: string = randomUUID()): Context {
  return { services, loaders: createLoaders(services), requestId };
}
