import { LRUCache } from 'lru-cache';
import type { Database } from '../../engines/db/database';
import { notFound } from '../../core/errors';
import type { Model } from '../models/model.entity';
import type { ModelService } from '../models/model.service';
import { Environment } from './environment';
import { LiveDeployment } from './deployment.entity';
import { activeKeyOf, Challenger, DeploymentMode } from './challenger.entity';

/** A shadow or canary beside the live version. */
export interface ChallengerRoute {
  id: string;
  modelVersionId: string;
  mode: DeploymentMode.SHADOW | DeploymentMode.CANARY;
  trafficPercent: number;
}

/** Where predict sends a request: the model, the version live in the environment, and its challenger if one runs. */
export interface LiveRoute {
  model: Model;
  modelVersionId: string;
  deploymentId: string;
  challenger: ChallengerRoute | null;
}

/**
 * Resolves (model name or id, environment) to the live version without a database round trip on
 * the hot path. This instance's deploys invalidate at once; entries also expire after `ttlMs`, so
 * a deploy made through another instance, or a rename, is seen within that time.
 */
export class LiveRoutes {
  private readonly routes: LRUCache<string, LiveRoute>;

  constructor(private readonly db: Database, private readonly models: ModelService, ttlMs = 5000) {
    this.routes = new LRUCache<string, LiveRoute>({ max: 10_000, ttl: ttlMs });
  }

  /** `field` names the argument `modelRef` came from, for errors. */
  async resolve(modelRef: string, environment: Environment, field = 'input.model'): Promise<LiveRoute> {
    const key = `${environment}\u0000${modelRef}`;
    const cached = this.routes.get(key);
    if (cached) return cached;
    const model = await this.models.byRef(modelRef, field);
    const live = await this.db.manager.findOneBy(LiveDeployment, { modelId: model.id, environment });
    if (!live) throw notFound('Deployment', `${model.name}@${environment}`, `model ${JSON.stringify(model.name)} has no version deployed to ${environment}; deploy one with deployModelVersion`);
    const challenger = await this.db.manager.findOneBy(Challenger, { activeKey: activeKeyOf(model.id, environment) });
    const route: LiveRoute = {
      model, modelVersionId: live.modelVersionId, deploymentId: live.deploymentId,
      challenger: challenger && { id: challenger.id, modelVersionId: challenger.modelVersionId, mode: challenger.mode as ChallengerRoute['mode'], trafficPercent: challenger.trafficPercent ?? 0 },
    };
    this.routes.set(key, route);
    return route;
  }

  /** Forgets every route of a model (its deployment or challenger changed, or it was renamed). */
  invalidate(modelId: string): void {
    for (const [key, route] of this.routes.entries()) if (route.model.id === modelId) this.routes.delete(key);
  }
}
