import { LRUCache } from 'lru-cache';
import type { Database } from '../../engines/db/database';
import { notFound } from '../../core/errors';
import type { Model } from '../models/model.entity';
import type { ModelService } from '../models/model.service';
import { Environment } from './environment';
import { LiveDeployment } from './deployment.entity';

/** Where predict sends a request: the model and the version live in the environment. */
export interface LiveRoute {
  model: Model;
  modelVersionId: string;
  deploymentId: string;
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
    const route = { model, modelVersionId: live.modelVersionId, deploymentId: live.deploymentId };
    this.routes.set(key, route);
    return route;
  }

  /** Forgets every route of a model (its deployment changed, or it was renamed). */
  invalidate(modelId: string): void {
    for (const [key, route] of this.routes.entries()) if (route.model.id === modelId) this.routes.delete(key);
  }
}
