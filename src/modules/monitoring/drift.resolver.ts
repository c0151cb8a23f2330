import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { Environment } from '../deployments/environment';
import { DriftReport } from './drift.types';

/** Drift of served data against training, per model and environment. */
@Resolver(() => DriftReport)
export class DriftResolver {
  @Authorized(...Roles.READERS)
  @Query(() => DriftReport, { description: 'How the rows served by the version live in an environment (PRODUCTION by default) compare with its training rows, per feature, over [from, to) (default: the last 24 hours; at most the newest 10,000 served rows). Nothing deployed, or no predictions in the window, is an answer with a message and a null status, not an error. NOT_FOUND for an unknown model; BAD_USER_INPUT when from is not before to.' })
  driftReport(
    @Arg('model', { description: 'The model\'s name or id.' }) model: string,
    @Arg('environment', () => Environment, { nullable: true, defaultValue: Environment.PRODUCTION, description: 'Whose live version to check.' }) environment: Environment | null,
    @Arg('from', () => Date, { nullable: true, description: 'Start of the window (inclusive); default 24 hours before `to`.' }) from: Date | null,
    @Arg('to', () => Date, { nullable: true, description: 'End of the window (exclusive); default now.' }) to: Date | null,
    @Ctx() { services }: Context,
  ): Promise<DriftReport> {
    return services.drift.report(model, environment ?? Environment.PRODUCTION, from, to);
  }
}
