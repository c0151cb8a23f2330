import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Roles } from '../auth/role';
import type { Context, Loaders } from './context';
import { badInput } from '../../core/errors';
import { typeOfId, type NodeTypeName } from '../../core/ids';
import { Node } from './node';

const MAX_NODES = 100;

/** The loader that fetches each Node type by id; types without one are not Nodes. */
function loaderFor(loaders: Loaders, type: NodeTypeName | null) {
  switch (type) {
    case 'Dataset': return loaders.datasets.byId;
    case 'DatasetVersion': return loaders.datasets.versionById;
    case 'Model': return loaders.models.byId;
    case 'ModelVersion': return loaders.models.versionById;
    case 'TrainingRun': return loaders.training.byId;
    case 'Evaluation': return loaders.evaluations.byId;
    case 'Deployment': return loaders.deployments.byId;
    case 'DeploymentRequest': return loaders.deployments.requestById;
    case 'Prediction': return loaders.predictions.byId;
    case 'BatchPredictionJob': return loaders.predictions.batchById;
    case 'Alert': return loaders.monitoring.alertById;
    case 'AlertRule': return loaders.monitoring.ruleById;
    default: return null;
  }
}

@Resolver()
export class NodeResolver {
  @Authorized(...Roles.READERS)
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when there is none.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() { loaders }: Context): Promise<Node | null> {
    return (await loaderFor(loaders, typeOfId(id))?.load(id)) ?? null;
  }

  @Authorized(...Roles.READERS)
  @Query(() => [Node], { nullable: 'items', description: `Many objects by id in one round trip (at most ${MAX_NODES}), in the order asked; null where an id names nothing. One statement per type.` })
  async nodes(@Arg('ids', () => [ID]) ids: string[], @Ctx() { loaders }: Context): Promise<(Node | null)[]> {
    if (ids.length > MAX_NODES) throw badInput(`ids may name at most ${MAX_NODES} objects, got ${ids.length}`, { field: 'ids' });
    return Promise.all(ids.map(async (id) => (await loaderFor(loaders, typeOfId(id))?.load(id)) ?? null));
  }
}
