import { TASKS_BY_ARCHITECTURE } from '../model-spec';
import type { Algorithm } from './algorithm';
import { loadNetwork, NETWORK_HYPERPARAMETERS, trainNetwork } from './tfjs-network';

/** Dense hidden layers trained with Adam; stops early on the validation loss and keeps the best epoch. */
export const mlp: Algorithm = {
  architecture: 'MLP',
  tasks: TASKS_BY_ARCHITECTURE.MLP,
  description: 'Dense hidden layers (hiddenUnits, activation, dropout, l2) trained with Adam, stopping early on the validation loss (patience); any classification or REGRESSION.',
  hyperparameters: [...NETWORK_HYPERPARAMETERS, 'hiddenUnits', 'activation', 'dropout', 'l2'],
  defaults: { epochs: 100, patience: 10, hiddenUnits: [64, 32] },
  validate: () => [],
  train: (data, hp, seed, callbacks) => trainNetwork('MLP', data, hp, seed, callbacks),
  load: loadNetwork,
};
