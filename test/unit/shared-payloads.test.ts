import { describe, expect, it } from 'vitest';
import { newPayloadSlots, SharedPayloads } from '../../src/server/transport/shared-payloads';

/** The frame graphql-ws builds around what onNext returned (stringifyMessage). */
const graphqlWsFrame = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });

describe('SharedPayloads', () => {
  it('serialises a result once for every socket it is handed to, and frames each socket\'s own id', () => {
    const shared = new SharedPayloads();
    const result = { data: { point: { step: 1, name: 'loss "quoted"' } } };
    let serialised = 0;
    const toPayload = (r: object) => { serialised++; return r; };
    const sockets = Array.from({ length: 5 }, () => newPayloadSlots());
    const frames = sockets.map((slots, i) => SharedPayloads.frame(slots, graphqlWsFrame(`sub-${i}`, shared.mark(slots, result, toPayload))));
    expect(serialised).toBe(1);
    frames.forEach((frame, i) => expect(JSON.parse(frame)).toEqual({ id: `sub-${i}`, type: 'next', payload: result }));
  });

  it('keeps interleaved subscriptions of one socket apart, and another result apart', () => {
    const shared = new SharedPayloads();
    const slots = newPayloadSlots();
    const a = { data: { n: 'a' } };
    const b = { data: { n: 'b' }, errors: [{ message: 'x' }] };
    // Both onNext hooks run before either send, as they may when two subscriptions share a tick.
    const markA = shared.mark(slots, a, (r) => r);
    const markB = shared.mark(slots, b, (r) => ({ ...r, formatted: true }));
    expect(JSON.parse(SharedPayloads.frame(slots, graphqlWsFrame('b', markB)))).toEqual({ id: 'b', type: 'next', payload: { ...b, formatted: true } });
    expect(JSON.parse(SharedPayloads.frame(slots, graphqlWsFrame('a', markA)))).toEqual({ id: 'a', type: 'next', payload: a });
    expect(slots.texts.size).toBe(0);
  });

  it('passes every other message through untouched, even one that quotes a stand-in', () => {
    const shared = new SharedPayloads();
    const slots = newPayloadSlots();
    shared.mark(slots, { data: {} }, (r) => r);
    const complete = JSON.stringify({ id: '1', type: 'complete' });
    const error = JSON.stringify({ id: '1', type: 'error', payload: [{ message: '"payload":{"sharedPayload":1}}' }] });
    const ping = JSON.stringify({ type: 'ping' });
    for (const message of [complete, error, ping]) expect(SharedPayloads.frame(slots, message)).toBe(message);
    expect(slots.texts.size).toBe(1);
  });
});
