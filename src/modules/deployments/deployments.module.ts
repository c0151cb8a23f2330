import { Serving1764800000000 } from '../../../migrations/1764800000000-serving';
import { Challengers1765300000000 } from '../../../migrations/1765300000000-challengers';
import { Challenger } from './challenger.entity';
import { ChallengerResolver } from './challenger.resolver';
import { defineModule } from '../shared/module-definition';
import { Deployment, LiveDeployment } from './deployment.entity';
import { DeploymentLoaders } from './deployment.loaders';
import { DeploymentRequestResolver, DeploymentResolver, ModelDeploymentsResolver } from './deployment.resolver';
import { DeploymentService } from './deployment.service';
import { DeploymentRequest } from './deployment-request.entity';
import { LiveRoutes } from './live-routes';

declare module '../shared/context' {
  interface ServiceMap {
    deployments: DeploymentService;
    /** (model, environment) → the live version, cached for predict's hot path. */
    liveRoutes: LiveRoutes;
  }
  interface LoaderMap {
    deployments: DeploymentLoaders;
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** A model's live deployment changed in some environment; routed by model id. */
    DEPLOYMENT_CHANGED: [modelId: string, payload: { deploymentId: string; environment: string }];
    /**
     * Where predict goes changed: every instance drops its routes of the model, loads the new
     * version and lets go of the replaced one ('all': each instance hears every model).
     */
    ROUTES_CHANGED: [scope: 'all', payload: { modelId: string; environment: string; modelVersionId: string; replacedVersionId: string | null }];
    /** A deployment request was made, approved or rejected; one stream for all ('all'), filtered by subscribers. */
    DEPLOYMENT_REQUEST_UPDATED: [scope: 'all', payload: { requestId: string; modelId: string }];
  }
}

/** Deployments (append-only events and a live pointer per environment), rollbacks, and maker-checker requests for PRODUCTION. */
export const deploymentsModule = defineModule({
  name: 'deployments',
  entities: [Deployment, LiveDeployment, DeploymentRequest, Challenger],
  // The serving migration also added the models' controls and signatures, and the prediction
  // tables; the challengers one, prediction.route.
  migrations: [Serving1764800000000, Challengers1765300000000],
  resolvers: [DeploymentResolver, DeploymentRequestResolver, ModelDeploymentsResolver, ChallengerResolver],
  nodes: [
    { entity: Deployment, load: (loaders) => loaders.deployments.byId, modelOf: (deployment: Deployment) => deployment.modelId },
    { entity: DeploymentRequest, load: (loaders) => loaders.deployments.requestById, modelOf: (request: DeploymentRequest) => request.modelId },
    { entity: Challenger, load: (loaders) => loaders.deployments.challengerById, modelOf: (challenger: Challenger) => challenger.modelId },
  ],
  topics: ['DEPLOYMENT_CHANGED', 'ROUTES_CHANGED', 'DEPLOYMENT_REQUEST_UPDATED'],
  loaders: ({ db }) => ({ deployments: new DeploymentLoaders(db) }),
  services: ({ db, config, events, log }, { models, modelVersions, modelCache, training, apiKeys }) => {
    const liveRoutes = new LiveRoutes(db, models);
    return {
      liveRoutes,
      deployments: new DeploymentService({ db, config, events, cache: modelCache, routes: liveRoutes, models, modelVersions, training, principals: apiKeys, log }),
    };
  },
  start: ({ deployments }) => deployments.followRouteChanges(),
  stop: async ({ deployments }) => deployments.stopFollowing(),
});
