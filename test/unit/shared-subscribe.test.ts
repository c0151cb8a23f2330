import { describe, expect, it } from 'vitest';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionArgs } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { sharedSubscribe } from '../../src/engines/events/shared-subscribe';

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
});
