import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { compareModelVersions, CompareModelVersionsInput, ModelVersionComparison } from './model-comparison';

@Resolver()
export class ModelComparisonResolver {
  @Authorized(...Roles.READERS)
  @Query(() => ModelVersionComparison, { description: 'Up to 10 versions side by side with the same metrics, best first: on their TEST evaluations (sameRows says whether those are the same held-out rows), or on FULL evaluations of one dataset version. Across architectures, for picking a champion.' })
  compareModelVersions(@Arg('input') input: CompareModelVersionsInput, @Ctx() { services }: Context) {
    return compareModelVersions(services, input);
  }
}
