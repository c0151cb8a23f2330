import { Arg, ArgsType, Args, Authorized, Ctx, Field, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { badInput, notFound } from '../../core/errors';
import { Environment } from '../deployments/environment';
import type { Challenger } from '../deployments/challenger.entity';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { ChallengerReport } from './challenger-report';

@ArgsType()
class ChallengerReportArgs {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;
  @Field(() => Environment) environment!: Environment;
  @Field(() => Date, { nullable: true, description: 'Start of the window; the challenger\'s start when omitted.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'End of the window; now (or the challenger\'s end) when omitted.' }) to?: Date | null;
}

/** The challenger a report is about: the one running, else the latest; NOT_FOUND if none ever ran. */
async function challengerOf({ services }: Context, modelRef: string, environment: Environment): Promise<Challenger> {
  const model = await services.models.byRef(modelRef, 'modelId');
  const challenger = await services.deployments.latestChallenger(model.id, environment);
  if (!challenger) throw notFound('Challenger', `${model.name}@${environment}`, `model ${JSON.stringify(model.name)} has had no challenger in ${environment}`);
  return challenger;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Resolver(() => ChallengerReport)
export class ChallengerReportResolver {
  @Authorized(...Roles.READERS)
  @Query(() => ChallengerReport, { description: 'The running challenger (else the latest) of a model in an environment against its champion, on the prediction log of a window: agreement and differences on the same rows (SHADOW), score PSI, latency per version. NOT_FOUND when the model has had no challenger there.' })
  async challengerReport(@Args() { modelId, environment, from, to }: ChallengerReportArgs, @Ctx() context: Context): Promise<ChallengerReport> {
    const challenger = await challengerOf(context, modelId, environment);
    const start = from ?? challenger.startedAt;
    const end = to ?? challenger.endedAt ?? new Date();
    if (start.getTime() >= end.getTime()) throw badInput('from must be before to', { field: 'from' });
    return context.services.challengerReports.report(challenger, start, end);
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => ChallengerReport, {
    subscribe: async function* ({ args, context }) {
      const ctx = context as Context;
      const { intervalSeconds } = args as { intervalSeconds: number };
      if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1 || intervalSeconds > 60) throw badInput('intervalSeconds must be 1 to 60', { field: 'intervalSeconds' });
      let challenger = await challengerOf(ctx, args.modelId, args.environment);
      const model = challenger.modelId;
      for (;;) {
        yield ctx.services.challengerReports.report(challenger, challenger.startedAt, challenger.endedAt ?? new Date());
        if (challenger.endedAt) return;
        await sleep(intervalSeconds * 1000);
        challenger = (await ctx.services.deployments.latestChallenger(model, args.environment)) ?? challenger;
      }
    },
    description: 'The challengerReport of the running challenger (else the latest) since it started: now, then every intervalSeconds (1 to 60, default 5), and a last one once it has ended (promoted or ended), after which the stream completes. NOT_FOUND when the model has had no challenger there.',
  })
  challengerUpdated(
    @Arg('modelId', () => ID, { description: 'The model: its id or its name.' }) _modelId: string,
    @Arg('environment', () => Environment) _environment: Environment,
    @Arg('intervalSeconds', () => Int, { defaultValue: 5 }) _intervalSeconds: number,
    @Root() report: ChallengerReport,
  ): ChallengerReport {
    return report;
  }
}
