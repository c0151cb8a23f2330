import { connectionType } from '../shared/connection';
import { TrainingRun } from './training-run.entity';

export const TrainingRunConnection = connectionType(TrainingRun, 'TrainingRun');
