import { connectionType } from '../shared/connection';
import { Backtest } from './backtest.entity';

export const BacktestConnection = connectionType(Backtest, 'Backtest');
