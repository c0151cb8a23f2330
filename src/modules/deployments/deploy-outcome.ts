import { createUnionType } from 'type-graphql';
import { Deployment } from './deployment.entity';
import { DeploymentRequest } from './deployment-request.entity';

/** deployModelVersion's answer: the deployment, or the approval request a PRODUCTION deploy made. */
export const DeployOutcome = createUnionType({
  name: 'DeployOutcome',
  description: 'A Deployment when the version went live; a DeploymentRequest (PENDING) when PRODUCTION needs an approval first.',
  types: () => [Deployment, DeploymentRequest] as const,
  resolveType: (value) => (value instanceof DeploymentRequest ? DeploymentRequest : Deployment),
});
