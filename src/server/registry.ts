import { Artifact } from '../engines/db/artifact-store';
import type { DatabaseSchema } from '../engines/db/database';
import { authModule } from '../modules/auth/auth.module';
import { datasetsModule } from '../modules/datasets/datasets.module';
import { deploymentsModule } from '../modules/deployments/deployments.module';
import { validationsModule } from '../modules/validations/validations.module';
import { evaluationsModule } from '../modules/evaluations/evaluations.module';
import { modelsModule } from '../modules/models/models.module';
import { monitoringModule } from '../modules/monitoring/monitoring.module';
import { schedulesModule } from '../modules/schedules/schedules.module';
import { predictionsModule } from '../modules/predictions/predictions.module';
import { backtestsModule } from '../modules/backtests/backtests.module';
import { outcomesModule } from '../modules/outcomes/outcomes.module';
import { robustnessModule } from '../modules/robustness/robustness.module';
import { feedsModule } from '../modules/feeds/feeds.module';
import type { AimassModule, NodeType } from '../modules/shared/module-definition';
import { NodeResolver } from '../modules/shared/node.resolver';
import { systemModule } from '../modules/system/system.module';
import { notificationsModule } from '../modules/notifications/notifications.module';
import { evidenceModule } from '../modules/evidence/evidence.module';
import { trainingModule } from '../modules/training/training.module';
import { sweepsModule } from '../modules/sweeps/sweeps.module';

/**
 * Every module, in dependency order: each may use the services of those before it. They are
 * built, initialised and started in this order and stopped in reverse. The schema, entities,
 * migrations, DataLoaders, `node(id)`, partner scoping and topics are all derived from this list;
 * adding a module is one line here.
 */
export const MODULES: readonly AimassModule[] = [
  authModule,
  datasetsModule,
  modelsModule,
  evaluationsModule,
  trainingModule,
  sweepsModule,
  deploymentsModule,
  validationsModule,
  predictionsModule,
  backtestsModule,
  outcomesModule,
  robustnessModule,
  feedsModule,
  monitoringModule,
  schedulesModule,
  notificationsModule,
  evidenceModule,
  systemModule,
];

/** Every table's entity and every migration, for Database.open. */
export function databaseSchema(modules: readonly AimassModule[] = MODULES): DatabaseSchema {
  return { entities: modules.flatMap((m) => m.entities ?? []), migrations: modules.flatMap((m) => m.migrations ?? []) };
}

/** Every resolver class: `node`/`nodes`, then each module's. schema.graphql is printed from exactly these. */
export function resolverClasses(modules: readonly AimassModule[] = MODULES): Function[] {
  return [NodeResolver, ...modules.flatMap((m) => m.resolvers ?? [])];
}

/** Node types by id prefix, for `node(id)` and partner scoping. */
export function nodeTypesByPrefix(modules: readonly AimassModule[] = MODULES): ReadonlyMap<string, NodeType> {
  return new Map(modules.flatMap((m) => m.nodes ?? []).map((node) => [node.entity.idPrefix, node]));
}

/**
 * Throws when the list contradicts itself: two modules with one name, one id prefix used twice,
 * one topic published by two modules, or no module (or two) that owns models. Checked at every
 * start, so a new module that clashes fails at once rather than misrouting ids.
 */
export function checkRegistry(modules: readonly AimassModule[] = MODULES): void {
  const seen = (what: string) => {
    const owners = new Map<string, string>();
    return (key: string, owner: string) => {
      const previous = owners.get(key);
      if (previous !== undefined) throw new Error(`module registry: ${what} ${JSON.stringify(key)} is claimed by both ${previous} and ${owner}`);
      owners.set(key, owner);
    };
  };
  const name = seen('the name');
  const prefix = seen('the id prefix');
  const topic = seen('the topic');
  prefix(Artifact.idPrefix, 'the artifact store');
  for (const module of modules) {
    name(module.name, module.name);
    for (const entity of module.entities ?? []) {
      const idPrefix = (entity as { idPrefix?: unknown }).idPrefix;
      if (typeof idPrefix === 'string') prefix(idPrefix, `${module.name} (${entity.name})`);
    }
    for (const node of module.nodes ?? []) {
      if (!module.entities?.includes(node.entity)) throw new Error(`module registry: ${module.name} declares node type ${node.entity.name} but not its entity`);
    }
    for (const t of module.topics ?? []) topic(t, module.name);
  }
  const owners = modules.filter((m) => m.models).map((m) => m.name);
  if (owners.length !== 1) throw new Error(`module registry: exactly one module must own models (declare \`models\`), found ${owners.length ? owners.join(', ') : 'none'}`);
}
