import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { NodeResolver } from '../modules/shared/node.resolver';
import { createEventBus, type EventBus } from '../engines/events/event-bus';
import { auditMutations } from '../modules/auth/audit-mutations';
import { authChecker } from '../modules/auth/auth-checker';
import { AuthResolver } from '../modules/auth/auth.resolver';
import { DatasetResolver } from '../modules/datasets/dataset.resolver';
import { DatasetVersionResolver } from '../modules/datasets/dataset-version.resolver';
import { ModelResolver } from '../modules/models/model.resolver';
import { ModelVersionResolver } from '../modules/models/model-version.resolver';
import { MetricSeriesResolver, TrainingRunResolver } from '../modules/training/training-run.resolver';
import { EvaluationResolver } from '../modules/evaluations/evaluation.resolver';
import { SystemResolver } from '../modules/system/system.resolver';
import { DeploymentRequestResolver, DeploymentResolver, ModelDeploymentsResolver } from '../modules/deployments/deployment.resolver';
import { BatchPredictionResolver, PredictionResolver } from '../modules/predictions/prediction.resolver';
import { DriftResolver } from '../modules/monitoring/drift.resolver';
import { AlertResolver, AlertRuleResolver, HealthResolver } from '../modules/monitoring/monitoring.resolver';

/** Every resolver of the API; schema.graphql is printed from exactly this list. */
export const RESOLVERS = [AuthResolver, NodeResolver, DatasetResolver, DatasetVersionResolver, ModelResolver, ModelVersionResolver, TrainingRunResolver, MetricSeriesResolver, EvaluationResolver, DeploymentResolver, DeploymentRequestResolver, ModelDeploymentsResolver, PredictionResolver, BatchPredictionResolver, DriftResolver, HealthResolver, AlertRuleResolver, AlertResolver, SystemResolver] as const;

/**
 * The executable schema: every operation guarded by `@Authorized` (authChecker) and every
 * mutation audited. `insecure` swaps both out; only the security benchmark uses it, to measure
 * what they cost.
 */
export async function createSchema(options: { insecure?: boolean; events?: EventBus } = {}): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    pubSub: options.events ?? createEventBus(),
    authChecker: options.insecure ? () => true : authChecker,
    // Inputs are checked with class-validator; failures become BAD_USER_INPUT errors naming the field.
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
  return options.insecure ? schema : auditMutations(schema);
}
