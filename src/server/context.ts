import { randomUUID } from 'node:crypto';
import { isIdOf, prefixOfId } from '../core/ids';
import type { Caller } from '../modules/shared/caller';
import type { Context, Loaders, NodeLookup, Services } from '../modules/shared/context';
import type { AimassModule } from '../modules/shared/module-definition';
import { MODULES, nodeTypesByPrefix } from './registry';

/** Who a request is from, as the transports establish it. */
export interface RequestInfo {
  caller?: Caller | null;
  clientAddress?: string | null;
  requestId?: string;
}

/** Builds contexts from the registry: each module's loaders, and node lookups across all of them. */
export class ContextFactory {
  private readonly nodeTypes;
  private readonly modelsOwner;

  constructor(private readonly services: Services, private readonly modules: readonly AimassModule[] = MODULES) {
    this.nodeTypes = nodeTypesByPrefix(modules);
    this.modelsOwner = modules.find((m) => m.models)?.models;
  }

  create(request: RequestInfo = {}): Context {
    const { services, modules } = this;
    // Built on first use: a WebSocket subscription gets a context of its own, and a thousand
    // subscribers that never touch a relation should not hold a thousand sets of DataLoaders; nor
    // should a query that reads no relation (`{ systemInfo { version } }`) build them. The getter
    // sits on the prototype, not on the object: Apollo copies the context's own properties into a
    // clone per operation, which would call an own getter at once. The clone shares `lazy`, so
    // the request's resolvers and node lookups use one set of loaders.
    const lazy: LazyLoaders = { create: () => createLoaders(services, modules) };
    const context = Object.create(RequestContext.prototype) as RequestContext;
    return Object.assign(context, {
      lazy,
      services,
      nodes: this.lookup(() => loadersOf(lazy)),
      caller: request.caller ?? null,
      clientAddress: request.clientAddress ?? null,
      requestId: request.requestId || randomUUID(),
    });
  }

  private lookup(loaders: () => Loaders): NodeLookup {
    const { nodeTypes, modelsOwner } = this;
    const load = async (id: string) => {
      const prefix = prefixOfId(id);
      const type = prefix === null ? undefined : nodeTypes.get(prefix);
      return type ? (await type.load(loaders()).load(id)) ?? null : null;
    };
    const modelId = async (ref: string) => {
      if (!modelsOwner) return null;
      if (isIdOf(ref, modelsOwner.entity)) {
        const byId = await modelsOwner.byId(loaders()).load(ref);
        if (byId) return byId.id;
      }
      return (await modelsOwner.byName(loaders()).load(ref))?.id ?? null;
    };
    return {
      load,
      modelId,
      async modelIdOf(ref) {
        const prefix = prefixOfId(ref);
        const type = prefix === null ? undefined : nodeTypes.get(prefix);
        if (!type || (modelsOwner && type.entity === modelsOwner.entity)) return modelId(ref);
        if (!type.modelOf) return null;
        const node = await type.load(loaders()).load(ref);
        return node ? type.modelOf(node) : null;
      },
    };
  }
}

interface LazyLoaders {
  loaders?: Loaders;
  create: () => Loaders;
}

const loadersOf = (lazy: LazyLoaders) => (lazy.loaders ??= lazy.create());

/** A request's context; its loaders are built when a resolver first asks for them. */
class RequestContext {
  declare lazy: LazyLoaders;

  get loaders(): Loaders {
    return loadersOf(this.lazy);
  }
}
interface RequestContext extends Context {}

/** A fresh set of every module's DataLoaders. */
export function createLoaders(services: Services, modules: readonly AimassModule[] = MODULES): Loaders {
  const deps = { db: services.db, maxPageSize: services.config.maxPageSize };
  return Object.assign({}, ...modules.map((m) => m.loaders?.(deps) ?? {})) as Loaders;
}
