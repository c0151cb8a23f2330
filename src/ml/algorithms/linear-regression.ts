import { TASKS_BY_ARCHITECTURE } from '../model-spec';
import type { Algorithm } from './algorithm';
import { exactLinear } from './linear-exact';
import { isNetwork } from './logistic-regression';
import { loadNetwork, NETWORK_HYPERPARAMETERS, trainNetwork } from './tfjs-network';

/** Linear regression: EXACT least squares (default; l2 a ridge penalty) or GRADIENT (one linear unit, Adam). */
export const linearRegression: Algorithm = {
  architecture: 'LINEAR_REGRESSION',
  tasks: TASKS_BY_ARCHITECTURE.LINEAR_REGRESSION,
  description: 'Linear regression; REGRESSION only. solver EXACT (default: least squares, l2 a ridge penalty) or GRADIENT (Adam by epochs).',
  hyperparameters: [...NETWORK_HYPERPARAMETERS.filter((name) => name !== 'classWeighting'), 'solver', 'l2'],
  defaults: { solver: 'EXACT', epochs: 100, l2: 0 },
  validate: () => [],
  train: (data, hp, seed, callbacks) => (hp.solver === 'EXACT' ? exactLinear.train(data, hp, seed, callbacks) : trainNetwork('LINEAR_REGRESSION', data, hp, seed, callbacks)),
  load: (model, shape) => (isNetwork(model.state) ? loadNetwork(model, shape) : exactLinear.load(model, shape)),
};
