import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Model } from '../models/model.entity';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { DecisionPolicy } from './decision-policy.entity';
import { SetDecisionPolicyInput } from './decision-policy.inputs';

@Resolver(() => Model)
export class DecisionPolicyResolver {
  @Authorized(...Roles.AUDITORS)
  @Mutation(() => DecisionPolicy, { description: 'Sets a binary model\'s decision policy (replacing its current one): the decision threshold per environment, and the reason code and text of each feature, for adverse-action notices (predict with adverseActionReasons). BAD_USER_INPUT for a model that is not binary, a threshold outside (0, 1), an environment twice, a feature the model does not have or mapped twice, a malformed code. APPROVER and ADMIN: a decision threshold is a control, like the promotion gate.' })
  setDecisionPolicy(@Arg('input') input: SetDecisionPolicyInput, @Ctx() { services, caller }: Context) {
    return services.decisionPolicies.set(input, caller);
  }

  @Authorized(...Roles.READERS)
  @FieldResolver(() => DecisionPolicy, { nullable: true, description: 'Its decision policy (binary models), or null when none is set.' })
  decisionPolicy(@Root() model: Model, @Ctx() { services }: Context) {
    return services.decisionPolicies.forModel(model.id);
  }
}
