import { connectionType } from '../shared/connection';
import { Sweep } from './sweep.entity';

export const SweepConnection = connectionType(Sweep, 'Sweep');
