import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { Database } from '../../engines/db/database';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { Deployment, LiveDeployment } from './deployment.entity';
import { DeploymentRequest } from './deployment-request.entity';
import { Challenger } from './challenger.entity';

const ENVIRONMENT_ORDER = ['TEST', 'PREVIEW', 'PRODUCTION'];

/** Per-request DataLoaders for deployments. */
export class DeploymentLoaders {
  constructor(private readonly db: Database) {}

  readonly byId = byIdLoader(this.db, Deployment);
  readonly requestById = byIdLoader(this.db, DeploymentRequest);
  readonly challengerById = byIdLoader(this.db, Challenger);

  /** The live deployment of each model in each environment (TEST, PREVIEW, PRODUCTION order), two statements for any number of models. */
  readonly liveByModel = new DataLoader<string, Deployment[]>(async (modelIds) => {
    const live = await this.db.manager.find(LiveDeployment, { where: { modelId: In([...modelIds]) } });
    const events = live.length ? await this.db.manager.find(Deployment, { where: { id: In(live.map((l) => l.deploymentId)) } }) : [];
    const byModel = new Map<string, Deployment[]>();
    for (const event of events.sort((a, b) => ENVIRONMENT_ORDER.indexOf(a.environment) - ENVIRONMENT_ORDER.indexOf(b.environment))) {
      byModel.set(event.modelId, [...(byModel.get(event.modelId) ?? []), event]);
    }
    return modelIds.map((id) => byModel.get(id) ?? []);
  });
}
