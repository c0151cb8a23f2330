import type { Caller } from './caller';
import type { Platform } from './platform';

/**
 * The services of every module, by name. Empty here: each module adds its own in its
 * `<name>.module.ts` (TypeScript declaration merging), so this file never lists modules and a
 * module never imports a module above it to be typed.
 *
 * @example declare module '../shared/context' { interface ServiceMap { models: ModelService } }
 */
export interface ServiceMap {}

/** Each module's per-request DataLoaders, by name; filled in like ServiceMap. */
export interface LoaderMap {}

/** Every service of the process: what the platform provides plus what each module builds. */
export type Services = Platform & ServiceMap;

/** The DataLoaders of one request; a subscription makes a fresh set per event so nothing goes stale. */
export type Loaders = LoaderMap;

/**
 * Objects by global id, across every module's node types (derived from the registry). Per
 * request: lookups go through that request's DataLoaders.
 */
export interface NodeLookup {
  /** The object an id names, or null when the id is malformed, of no node type, or unknown. */
  load(id: string): Promise<unknown | null>;
  /** The id of the model a model id or name names; null when there is none. */
  modelId(ref: string): Promise<string | null>;
  /**
   * The id of the model that `ref` belongs to: a model id or name, or the id of an object a module
   * declared as model-owned (a version, a run…). Null when there is none: PARTNER scoping refuses.
   */
  modelIdOf(ref: string): Promise<string | null>;
}

/** What every resolver receives. */
export interface Context {
  services: Services;
  loaders: Loaders;
  nodes: NodeLookup;
  /** The authenticated API key, or null (then only UNAUTHENTICATED answers come back). */
  caller: Caller | null;
  clientAddress: string | null;
  requestId: string;
}
