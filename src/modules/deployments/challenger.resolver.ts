import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { DeployOutcome } from './deploy-outcome';
import { Challenger } from './challenger.entity';
import { ChallengerInput } from './deployment.inputs';

@Resolver(() => Challenger)
export class ChallengerResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => DeployOutcome, { description: 'Puts the running challenger live, through the same promotion gate and approval as deployModelVersion (a Deployment, or a PENDING DeploymentRequest in PRODUCTION); once its version is live it stops being a challenger (endReason PROMOTED). CONFLICT when no challenger runs.' })
  promoteChallenger(@Arg('input') input: ChallengerInput, @Ctx() { services, caller }: Context) {
    return services.deployments.promoteChallenger(input.modelId, input.environment, input.reason ?? null, caller);
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Challenger, { description: 'Stops the running challenger (endReason ENDED): the live version answers alone again. CONFLICT when no challenger runs.' })
  endChallenger(@Arg('input') input: ChallengerInput, @Ctx() { services, caller }: Context) {
    return services.deployments.endChallenger(input.modelId, input.environment, caller);
  }

  @FieldResolver(() => Model)
  model(@Root() challenger: Challenger, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(challenger.modelId);
  }

  @FieldResolver(() => ModelVersion, { description: 'The challenging version.' })
  modelVersion(@Root() challenger: Challenger, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(challenger.modelVersionId);
  }

  @FieldResolver(() => ModelVersion, { description: 'The version live when it started: the one the report compares it with.' })
  champion(@Root() challenger: Challenger, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(challenger.championVersionId);
  }
}
