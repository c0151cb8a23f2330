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
    // subscribers that never touch a relation should not hold a thousand sets of DataLoaders.
    let loaders: Loaders | undefined;
    const loadersOf = () => (loaders ??= createLoaders(services, modules));
    return {
      services,
      get loaders() {
        return loadersOf();
      },
      nodes: this.lookup(loadersOf),
      caller: request.caller ?? null,
      clientAddress: request.clientAddress ?? null,
      requestId: request.requestId || randomUUID(),
    };
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

/** A fresh set of every module's DataLoaders. */
export function createLoaders(services: Services, modules: readonly AimassModule[] = MODULES): Loaders {
  const deps = { db: services.db, maxPageSize: services.config.maxPageSize };
  return Object.assign({}, ...modules.map((m) => m.loaders?.(deps) ?? {})) as Loaders;
}
