import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { MaxLength } from 'class-validator';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { DecisionEvidence } from './decision-evidence.type';

@Resolver()
export class EvidenceResolver {
  @Authorized(...Roles.READERS)
  @Query(() => DecisionEvidence, { description: 'The evidence pack of one served prediction (a `pred_…` id from the prediction log): which version decided, the deployment in force and its approval, training lineage, the reports, validations and alerts known at that moment, and the audit entries citing them. NOT_FOUND for an unknown prediction. Internal readers only.' })
  async decisionEvidence(@Arg('predictionId', () => ID) predictionId: string, @Ctx() { services }: Context) {
    return Object.assign(new DecisionEvidence(), await services.evidence.collect(predictionId.slice(0, 200)));
  }
}
