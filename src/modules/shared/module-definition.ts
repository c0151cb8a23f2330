import type DataLoader from 'dataloader';
import type { IdType } from '../../core/ids';
import type { ArtifactReference } from '../../engines/db/artifact-store';
import type { Database } from '../../engines/db/database';
import type { Loaders, ServiceMap, Services } from './context';
import type { Platform } from './platform';
import type { Topics } from './topics';
import type { Readable } from 'node:stream';
import type { Caller } from './caller';
import type { Role } from './role';

/** A type `node(id)` can fetch: its entity class (whose idPrefix routes the id) and its loader. */
export interface NodeType<T extends { id: string } = any> {
  /** The entity class; its static `idPrefix` says which ids are this type's. */
  entity: IdType & (abstract new (...args: any[]) => T);
  /** The request's DataLoader that fetches it by id (null for an unknown id). */
  load(loaders: Loaders): DataLoader<string, T | null>;
  /**
   * The model it belongs to, for PARTNER keys (a key scoped to model A may name A's versions and
   * runs). Absent: the type is not model-owned, and a scoped key naming it is refused.
   */
  modelOf?(node: T): string | null;
}

/** What a module's loaders factory receives. */
export interface LoaderDeps {
  db: Database;
  maxPageSize: number;
}

/**
 * One feature of the API, as the server's registry sees it: everything the server derives its
 * lists from (schema, entities, migrations, DataLoaders, `node(id)`, partner scoping, topics, the
 * services bag and the start/stop sequence). A module is one folder with one of these, and one
 * line in `src/server/registry.ts`.
 *
 * Modules are built, initialised and started in registry order and stopped in reverse, so a
 * module may use the services of the modules listed before it.
 */
export interface AimassModule {
  /** Unique; names the module in errors and logs. */
  name: string;
  /** TypeORM entities whose tables this module owns (it alone writes them). */
  entities?: readonly Function[];
  /** Migrations that create or change those tables; the server runs every module's, by timestamp. */
  migrations?: readonly Function[];
  /** Columns of its tables that hold artifact ids; an artifact none of them names is swept at start. */
  artifactReferences?: readonly ArtifactReference[];
  /** type-graphql resolver classes; schema.graphql is printed from every module's. */
  resolvers?: readonly Function[];
  /** Types `node(id)` and `nodes(ids)` can fetch, and how they map to a model for partner scoping. */
  nodes?: readonly NodeType[];
  /**
   * For the module that owns models: how to find one by id or by name. Operations name a model
   * either way, and partner scoping resolves both through this.
   */
  models?: {
    entity: IdType;
    byId(loaders: Loaders): DataLoader<string, { id: string } | null>;
    byName(loaders: Loaders): DataLoader<string, { id: string } | null>;
  };
  /** The pub/sub topics this module publishes (their payload types are declared in `Topics`). */
  topics?: readonly (keyof Topics)[];
  /** Its per-request DataLoaders, keyed as in LoaderMap. */
  loaders?(deps: LoaderDeps): Partial<Loaders>;
  /** Builds its services from the platform and the services of the modules before it. */
  services?(platform: Platform, services: Services): Partial<ServiceMap>;
  /** Readies what the API needs before anything is served (e.g. the first ADMIN key). */
  init?(services: Services): Promise<void> | void;
  /** Starts background work: recovering and consuming job queues, timers. */
  start?(services: Services): Promise<void> | void;
  /** Stops what start started and flushes what is buffered; called in reverse registry order. */
  stop?(services: Services): Promise<void> | void;
  /** Plain HTTP routes it serves (exports). */
  httpRoutes?: readonly HttpRoute[];
}

/** A plain HTTP GET a module serves beside /graphql (exports): authenticated with the same keys and roles, and audited. */
export interface HttpRoute {
  /** An Express path, e.g. `/exports/predictions.csv`. */
  path: string;
  /** The roles that may call it; the rest are refused with 403 before `handle` runs. */
  roles: readonly Role[];
  /** Its name in the audit log. */
  operation: string;
  /**
   * What to send: checked first (throwing an errors.ts error, with its code, before anything is
   * written), then streamed. `audit` goes to the audit log with the outcome.
   */
  handle(request: { params: Record<string, string>; query: Record<string, string | undefined> }, caller: Caller, services: Services): Promise<{ contentType: string; filename: string; body: Readable; audit: Record<string, unknown> }>;
}

/** Declares a module; only for type checking and inference, it returns its argument. */
export function defineModule(module: AimassModule): AimassModule {
  return module;
}
