import { connectionType } from '../../graphql/connection';
import { Prediction } from './prediction.entity';

export const PredictionConnection = connectionType(Prediction, 'Prediction');
