import { connectionType } from '../shared/connection';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';

export const ModelConnection = connectionType(Model, 'Model');
export const ModelVersionConnection = connectionType(ModelVersion, 'ModelVersion');
