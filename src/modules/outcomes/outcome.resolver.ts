import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { OutcomeReport, OutcomeReportArgs, RecordOutcomesInput, RecordOutcomesResult } from './outcome.types';

@Resolver()
export class OutcomeResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => RecordOutcomesResult, { description: 'Records what really happened to served predictions (a default, a repayment, a realised value), 1 to 10,000 at a time, by the ids predict returned. Idempotent per prediction: the same value again changes nothing; an unknown prediction or a different value for one already recorded is reported for that item (NOT_FOUND, CONFLICT) and the others are recorded.' })
  recordOutcomes(@Arg('input') input: RecordOutcomesInput, @Ctx() { services, caller }: Context) {
    return services.outcomes.record(input, caller?.keyId ?? null);
  }

  @Authorized(...Roles.READERS)
  @Query(() => OutcomeReport, { description: 'A model\'s predictions in an environment against their recorded outcomes, per period: realised AUC, accuracy and positive rate against the predicted rate (classifiers), RMSE and MAE (regressors), the calibration over the window, and for binary classifiers the figures expected from calibrated probabilities (CBPE) over every prediction, outcomes known or not. Shadow answers are left out.' })
  outcomeReport(@Args() { modelId, environment, from, to, bucket }: OutcomeReportArgs, @Ctx() { services }: Context) {
    return services.outcomes.report(modelId, environment, from, to, bucket);
  }
}
