import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { filter } from '@graphql-yoga/subscription';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import { DeployOutcome } from './deploy-outcome';
import { DeploymentConnection, DeploymentRequestConnection } from './deployment.connection';
import { Deployment } from './deployment.entity';
import { DeploymentRequest } from './deployment-request.entity';
import {
  ApproveDeploymentRequestInput, DeployModelVersionInput, DeploymentHistoryArgs, DeploymentRequestsArgs, RejectDeploymentRequestInput,
  RollbackDeploymentInput,
} from './deployment.inputs';

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => DeployOutcome, { description: 'Puts a version live in TEST, PREVIEW or PRODUCTION once it is loaded (traffic switches only then). For PRODUCTION the model\'s promotion gate must pass (CONFLICT with the numbers otherwise), and unless the model waives approval the answer is a PENDING DeploymentRequest instead. CONFLICT when the version is already live or its input signature differs from the live one\'s.' })
  deployModelVersion(@Arg('input') input: DeployModelVersionInput, @Ctx() { services, caller }: Context) {
    return services.deployments.deploy(input, caller);
  }

  @Authorized(...Roles.DEPLOYERS)
  @Mutation(() => Deployment, { description: 'Puts back the version that served before the live one, as a new ROLLBACK deployment; a second rollback goes one further back. CONFLICT when there is nothing earlier.' })
  rollbackDeployment(@Arg('input') input: RollbackDeploymentInput, @Ctx() { services, caller }: Context) {
    return services.deployments.rollback(input.modelId, input.environment, input.reason ?? null, caller);
  }

  @Authorized(...Roles.AUDITORS)
  @Mutation(() => DeploymentRequest, { description: 'Approves a PENDING request and puts its version live. FORBIDDEN for the key that made the request or trained the version (maker-checker); CONFLICT when already decided or when the promotion gate now fails.' })
  approveDeploymentRequest(@Arg('input') input: ApproveDeploymentRequestInput, @Ctx() { services, caller }: Context) {
    return services.deployments.approve(input.id, input.comment ?? null, caller);
  }

  @Authorized(...Roles.AUDITORS)
  @Mutation(() => DeploymentRequest, { description: 'Rejects a PENDING request with a reason. CONFLICT when already decided.' })
  rejectDeploymentRequest(@Arg('input') input: RejectDeploymentRequestInput, @Ctx() { services, caller }: Context) {
    return services.deployments.reject(input.id, input.reason, caller);
  }

  @Authorized(...Roles.READERS)
  @Query(() => Deployment, { nullable: true, description: 'One deployment; NOT_FOUND when the id is unknown.' })
  deployment(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.deployments.getDeployment(id);
  }

  @Authorized(...Roles.READERS)
  @Query(() => DeploymentConnection, { description: 'Every deployment of a model in one environment, newest first. With servingAt, the first is the one that served at that time.' })
  async deploymentHistory(@Args() { modelId, environment, servingAt, ...page }: DeploymentHistoryArgs, @Ctx() { services }: Context) {
    const model = await services.models.byRef(modelId, 'modelId');
    return DeploymentConnection.from(await services.deployments.history(model.id, environment, servingAt, page));
  }

  @FieldResolver(() => Model)
  model(@Root() deployment: Deployment, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(deployment.modelId);
  }

  @FieldResolver(() => ModelVersion, { description: 'The version it put live.' })
  modelVersion(@Root() deployment: Deployment, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(deployment.modelVersionId);
  }

  @FieldResolver(() => Deployment, { nullable: true, description: 'The deployment it replaced (what served just before), null for the first.' })
  previous(@Root() deployment: Deployment, @Ctx() { loaders }: Context) {
    return deployment.previousId ? loaders.deployments.byId.load(deployment.previousId) : null;
  }

  @FieldResolver(() => Deployment, { nullable: true, description: 'For a ROLLBACK: the earlier deployment whose version it put back.' })
  restores(@Root() deployment: Deployment, @Ctx() { loaders }: Context) {
    return deployment.restoresId ? loaders.deployments.byId.load(deployment.restoresId) : null;
  }

  @FieldResolver(() => DeploymentRequest, { nullable: true, description: 'The approved request behind it (PRODUCTION with maker-checker).' })
  request(@Root() deployment: Deployment, @Ctx() { loaders }: Context) {
    return deployment.requestId ? loaders.deployments.requestById.load(deployment.requestId) : null;
  }
}

@Resolver(() => DeploymentRequest)
export class DeploymentRequestResolver {
  @Authorized(...Roles.READERS)
  @Query(() => DeploymentRequestConnection, { description: 'Deployment requests, newest first.' })
  async deploymentRequests(@Args() { filter, ...page }: DeploymentRequestsArgs, @Ctx() { services }: Context) {
    const modelId = filter?.modelId ? (await services.models.byRef(filter.modelId, 'filter.modelId')).id : null;
    return DeploymentRequestConnection.from(await services.deployments.listRequests({ ...filter, modelId }, page));
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => DeploymentRequest, {
    subscribe: async ({ args, context }) => {
      const { events, models } = (context as Context).services;
      const all = events.subscribe('DEPLOYMENT_REQUEST_UPDATED', 'all');
      if (args.modelId == null) return all;
      const { id } = await models.byRef(args.modelId, 'modelId'); // NOT_FOUND for an unknown model
      return filter((event: { modelId: string }) => event.modelId === id)(all);
    },
    description: 'Deployment requests as they are made, approved or rejected; all of them, or one model\'s. NOT_FOUND for an unknown model.',
  })
  deploymentRequestUpdated(
    @Arg('modelId', () => ID, { nullable: true, description: 'The model: its id or its name.' }) _modelId: string | null,
    @Root() event: { requestId: string },
    @Ctx() { services }: Context,
  ) {
    return services.deployments.getRequest(event.requestId);
  }

  @FieldResolver(() => Model)
  model(@Root() request: DeploymentRequest, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(request.modelId);
  }

  @FieldResolver(() => ModelVersion, { description: 'The version to put live.' })
  modelVersion(@Root() request: DeploymentRequest, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(request.modelVersionId);
  }

  @FieldResolver(() => Deployment, { nullable: true, description: 'The deployment the approval made.' })
  deployment(@Root() request: DeploymentRequest, @Ctx() { loaders }: Context) {
    return request.deploymentId ? loaders.deployments.byId.load(request.deploymentId) : null;
  }
}

@Resolver(() => Model)
export class ModelDeploymentsResolver {
  // Who deployed, why, and who approved are internal: not for partners, like the deployment queries.
  @Authorized(...Roles.READERS)
  @FieldResolver(() => [Deployment], { description: 'The live deployment in each environment that has one (TEST, PREVIEW, PRODUCTION order).' })
  deployments(@Root() model: Model, @Ctx() { loaders }: Context) {
    return loaders.deployments.liveByModel.load(model.id);
  }
}
