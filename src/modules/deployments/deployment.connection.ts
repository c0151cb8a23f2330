import { connectionType } from '../shared/connection';
import { Deployment } from './deployment.entity';
import { DeploymentRequest } from './deployment-request.entity';

export const DeploymentConnection = connectionType(Deployment, 'Deployment');
export const DeploymentRequestConnection = connectionType(DeploymentRequest, 'DeploymentRequest');
