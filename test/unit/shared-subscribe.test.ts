import { describe, expect, it } from 'vitest';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionArgs } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { sharedSubscribe } from '../../src/engines/events/shared-subscribe';
import { StreamInterruptedError } from '../../src/engines/events/stream-errors';

/** The event bus's onInterrupted, with a way to fire it and to count who listens. */
function interruptions() {
  const listeners = new Set<() => void>();
  return {
    onInterrupted: (listener: () => void) => { listeners.add(listener); return () => { listeners.delete(listener); }; },
    fire: () => { for (const listener of [...listeners]) listener(); },
    get listening() { return listeners.size; },
  };
}

/** A schema whose subscription field counts how often an event is resolved. */
function setup() {
  const pubsub = createPubSub<{ TICK: [payload: { n: number }] }>();
  let resolved = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { tick: { type: GraphQLString, subscribe: () => pubsub.subscribe('TICK'), resolve: (event: { n: number }) => { resolved++; return `tick ${event.n}`; } } },
    }),
  });
  const args = (role: string): ExecutionArgs & { role: string } => ({ schema, document: parse('subscription { tick }'), contextValue: {}, role });
  return { pubsub, args, resolved: () => resolved };
}

describe('sharedSubscribe', () => {
  it('executes an event once per key, whatever the number of subscribers, and gives each its result', async () => {
    const { pubsub, args, resolved } = setup();
    const subscribe = sharedSubscribe((a) => (a as { role?: string }).role ?? null);
    const streams = await Promise.all([...Array(50)].map(() => subscribe(args('ADMIN')))) as AsyncIterableIterator<any>[];
    const partner = (await subscribe(args('PARTNER'))) as AsyncIterableIterator<any>;
    const next = [...streams, partner].map((s) => s.next());
    await new Promise((r) => setTimeout(r, 10));
    pubsub.publish('TICK', { n: 1 });
    const results = await Promise.all(next);
    expect(results.every((r) => r.value.data.tick === 'tick 1')).toBe(true);
    expect(resolved(), 'once for the 50 ADMIN subscribers, once for the PARTNER').toBe(2);
    await Promise.all([...streams, partner].map((s) => s.return!()));
  });

  it('does not share without a key', async () => {
    const { pubsub, args, resolved } = setup();
    const subscribe = sharedSubscribe(() => null);
    const streams = await Promise.all([...Array(3)].map(() => subscribe(args('ADMIN')))) as AsyncIterableIterator<any>[];
    const next = streams.map((s) => s.next());
    await new Promise((r) => setTimeout(r, 10));
    pubsub.publish('TICK', { n: 2 });
    await Promise.all(next);
    expect(resolved()).toBe(3);
    await Promise.all(streams.map((s) => s.return!()));
  });

  it('ends at once on return(), even while waiting on a quiet stream', async () => {
    const { args } = setup();
    const stream = (await sharedSubscribe(() => 'k')(args('ADMIN'))) as AsyncIterableIterator<any>;
    const waiting = stream.next();
    const ended = await stream.return!();
    expect(ended.done).toBe(true);
    expect((await waiting).done).toBe(true);
  });

  it('ends every open stream with StreamInterruptedError when the bus missed events, and lets go of the source and the listener', async () => {
    const { pubsub, args } = setup();
    const bus = interruptions();
    const subscribe = sharedSubscribe(() => 'k', undefined, bus.onInterrupted);
    const waiting = (await subscribe(args('ADMIN'))) as AsyncIterableIterator<any>;
    const busy = (await subscribe(args('ADMIN'))) as AsyncIterableIterator<any>;
    const firsts = [waiting.next(), busy.next()];
    await new Promise((r) => setTimeout(r, 10));
    pubsub.publish('TICK', { n: 1 });
    for (const first of await Promise.all(firsts)) expect(first.value.data.tick).toBe('tick 1');
    const pending = waiting.next();
    expect(bus.listening).toBe(2);
    // One waits for an event (ended at once); the other is between events (ended at its next read).
    bus.fire();
    await expect(pending).rejects.toBeInstanceOf(StreamInterruptedError);
    await expect(busy.next()).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(bus.listening).toBe(0);
    expect(await waiting.next()).toEqual({ value: undefined, done: true });
    await new Promise((r) => setTimeout(r, 10));
    // The sources were returned: a publish now reaches nobody.
    pubsub.publish('TICK', { n: 2 });
    expect(await busy.next()).toEqual({ value: undefined, done: true });
  });

  it('stops listening for interruptions when a stream ends or fails by itself', async () => {
    const bus = interruptions();
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          once: { type: GraphQLString, subscribe: async function* () { yield 'a'; }, resolve: (v: string) => v },
          broken: { type: GraphQLString, subscribe: async function* () { throw new Error('behind'); }, resolve: (v: string) => v },
        },
      }),
    });
    const subscribe = sharedSubscribe(() => null, undefined, bus.onInterrupted);
    const once = (await subscribe({ schema, document: parse('subscription { once }'), contextValue: {} })) as AsyncIterableIterator<any>;
    const broken = (await subscribe({ schema, document: parse('subscription { broken }'), contextValue: {} })) as AsyncIterableIterator<any>;
    expect(bus.listening).toBe(2);
    expect((await once.next()).value.data.once).toBe('a');
    expect((await once.next()).done).toBe(true);
    await expect(broken.next()).rejects.toThrow('behind');
    expect(bus.listening).toBe(0);
  });
});
