import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ContextFactory } from '../../src/server/context';
import type { AimassModule } from '../../src/modules/shared/module-definition';
import type { Services } from '../../src/modules/shared/context';

describe('request contexts', () => {
  const built: number[] = [];
  const modules = [{ name: 'probe', loaders: () => { built.push(1); return { probe: { made: built.length } }; } }] as unknown as AimassModule[];
  const factory = new ContextFactory({ db: {}, config: { maxPageSize: 10 } } as unknown as Services, modules);
  // What Apollo Server does with the context of each operation (ApolloServer.ts, cloneObject).
  const apolloClone = <T extends object>(o: T): T => Object.assign(Object.create(Object.getPrototypeOf(o)), o);

  it('build no loaders for a request that reads no relation, even once Apollo has copied the context', () => {
    built.length = 0;
    const context = apolloClone(factory.create({ requestId: 'r1' }));
    expect(context.requestId).toBe('r1');
    expect(context.caller).toBeNull();
    expect(built).toHaveLength(0);
  });

  it('build one set of loaders per request, shared by the copy, the original and node lookups', async () => {
    built.length = 0;
    const original = factory.create();
    const copy = apolloClone(original);
    const loaders = (copy.loaders as unknown as { probe: object }).probe;
    expect(built).toHaveLength(1);
    expect((original.loaders as unknown as { probe: object }).probe).toBe(loaders);
    expect(await copy.nodes.load('garbage')).toBeNull();
    expect(built).toHaveLength(1);
    expect((factory.create().loaders as unknown as { probe: object }).probe).not.toBe(loaders);
    expect(built).toHaveLength(2);
  });
});
