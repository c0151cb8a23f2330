import { TASKS_BY_ARCHITECTURE } from '../model-spec';
import type { Algorithm } from './algorithm';
import { loadNetwork, NETWORK_HYPERPARAMETERS, trainNetwork } from './tfjs-network';

/** A recurrent layer over a window of past values; the only architecture that reads a window's shape. */
export const lstm: Algorithm = {
  architecture: 'LSTM',
  tasks: TASKS_BY_ARCHITECTURE.LSTM,
  description: 'A recurrent layer over a window of past values (windowSize, horizon), trained with Adam, stopping early on the validation loss; TIME_SERIES_FORECAST only.',
  hyperparameters: [...NETWORK_HYPERPARAMETERS.filter((name) => name !== 'classWeighting'), 'hiddenUnits', 'dropout', 'l2', 'windowSize', 'horizon', 'forecastTarget'],
  // DIFFERENCE by measurement: on WalMartStock and SP500 it is level with persistence where LEVEL loses by 66–92 % (README, algorithms benchmark).
  defaults: { epochs: 100, patience: 10, hiddenUnits: [32], forecastTarget: 'DIFFERENCE' },
  validate: (hp) => (hp.hiddenUnits.length > 1 ? [{ field: 'hiddenUnits', message: `an LSTM has one recurrent layer: give one hiddenUnits entry, not ${hp.hiddenUnits.length}` }] : []),
  train: (data, hp, seed, callbacks) => trainNetwork('LSTM', data, hp, seed, callbacks),
  load: loadNetwork,
};
