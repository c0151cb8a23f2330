import { connectionType } from '../shared/connection';
import { Prediction } from './prediction.entity';

export const PredictionConnection = connectionType(Prediction, 'Prediction');
