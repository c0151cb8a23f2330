import { createUnionType } from 'type-graphql';
import { Challenger } from './challenger.entity';
import { Deployment } from './deployment.entity';
import { DeploymentRequest } from './deployment-request.entity';

/** deployModelVersion's answer: the deployment, the challenger started, or the approval request a PRODUCTION deploy made. */
export const DeployOutcome = createUnionType({
  name: 'DeployOutcome',
  description: 'A Deployment when the version went live; a Challenger when it started as a SHADOW or CANARY; a DeploymentRequest (PENDING) when PRODUCTION needs an approval first.',
  types: () => [Deployment, DeploymentRequest, Challenger] as const,
  resolveType: (value) => (value instanceof DeploymentRequest ? DeploymentRequest : value instanceof Challenger ? Challenger : Deployment),
});
