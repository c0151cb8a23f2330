import { connectionType } from '../shared/connection';
import { Dataset } from './dataset.entity';
import { DatasetVersion } from './dataset-version.entity';

export const DatasetConnection = connectionType(Dataset, 'Dataset');
export const DatasetVersionConnection = connectionType(DatasetVersion, 'DatasetVersion');
