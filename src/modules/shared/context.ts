import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller';
import { DatasetLoaders } from '../datasets/dataset.loaders';
import { ModelLoaders } from '../models/model.loaders';
import { EvaluationLoaders } from '../evaluations/evaluation.loaders';
import { TrainingLoaders } from '../training/training-run.loaders';
import { DeploymentLoaders } from '../deployments/deployment.loaders';
import { PredictionLoaders } from '../predictions/prediction.loaders';
import { MonitoringLoaders } from '../monitoring/monitoring.loaders';
import type { Services } from '../../server/services';

/** DataLoaders of one request; a subscription makes a fresh set per event so nothing goes stale. */
export interface Loaders {
  datasets: DatasetLoaders;
  models: ModelLoaders;
  evaluations: EvaluationLoaders;
  training: TrainingLoaders;
  deployments: DeploymentLoaders;
  predictions: PredictionLoaders;
  monitoring: MonitoringLoaders;
}

/** What every resolver receives. */
export interface Context {
  services: Services;
  loaders: Loaders;
  /** The authenticated API key, or null (then only UNAUTHENTICATED answers come back). */
  caller: Caller | null;
  clientAddress: string | null;
  requestId: string;
}

export function createLoaders(services: Services): Loaders {
  const max = services.config.maxPageSize;
  return {
    datasets: new DatasetLoaders(services.db, max),
    models: new ModelLoaders(services.db, max),
    evaluations: new EvaluationLoaders(services.db),
    training: new TrainingLoaders(services.db, max),
    deployments: new DeploymentLoaders(services.db),
    predictions: new PredictionLoaders(services.db),
    monitoring: new MonitoringLoaders(services.db),
  };
}

export function createContext(services: Services, request: { caller?: Caller | null; clientAddress?: string | null; requestId?: string } = {}): Context {
  // Built on first use: a WebSocket subscription gets a context of its own, and a thousand
  // subscribers that never touch a relation should not hold a thousand sets of DataLoaders.
  let loaders: Loaders | undefined;
  return {
    services,
    get loaders() {
      return (loaders ??= createLoaders(services));
    },
    caller: request.caller ?? null,
    clientAddress: request.clientAddress ?? null,
    requestId: request.requestId || randomUUID(),
  };
}
