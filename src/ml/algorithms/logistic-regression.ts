import { TASKS_BY_ARCHITECTURE } from '../model-spec';
import type { Algorithm } from './algorithm';
import { exactLogistic } from './linear-exact';
import { loadNetwork, NETWORK_HYPERPARAMETERS, trainNetwork } from './tfjs-network';

/**
 * Logistic regression. EXACT (the default) fits by Newton's method (IRLS) to the penalised optimum,
 * deterministic and in a few iterations; GRADIENT trains one sigmoid unit with Adam by epochs.
 */
export const logisticRegression: Algorithm = {
  architecture: 'LOGISTIC_REGRESSION',
  tasks: TASKS_BY_ARCHITECTURE.LOGISTIC_REGRESSION,
  description: 'Logistic regression; BINARY_CLASSIFICATION only. solver EXACT (default: Newton/IRLS to the optimum, l2 the ridge penalty) or GRADIENT (Adam by epochs).',
  hyperparameters: [...NETWORK_HYPERPARAMETERS, 'solver', 'l2'],
  defaults: { solver: 'EXACT', epochs: 100, l2: 1 },
  validate: () => [],
  train: (data, hp, seed, callbacks) => (hp.solver === 'EXACT' ? exactLogistic.train(data, hp, seed, callbacks) : trainNetwork('LOGISTIC_REGRESSION', data, hp, seed, callbacks)),
  load: (model, shape) => (isNetwork(model.state) ? loadNetwork(model, shape) : exactLogistic.load(model, shape)),
};

/** Networks store their tfjs topology; so did every artifact saved before the EXACT solver existed. */
export function isNetwork(state: unknown): boolean {
  return typeof state === 'object' && state !== null && 'modelTopology' in state;
}
