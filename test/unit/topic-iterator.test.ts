import { describe, expect, it } from 'vitest';
import { boundedStream } from '../../src/engines/events/bounded-stream';
import { SlowSubscriberError } from '../../src/engines/events/stream-errors';
import { topicIterator } from '../../src/engines/events/topic-iterator';

const publish = (target: EventTarget, type: string, detail: unknown) => target.dispatchEvent(new CustomEvent(type, { detail }));

describe('topicIterator', () => {
  it('listens from the first next(), queues what it has not handed out, in order', async () => {
    const target = new EventTarget();
    const events = topicIterator<number>(target, 'T:1');
    publish(target, 'T:1', 0); // before the first next(): not listening yet, as with a Repeater
    const first = events.next();
    publish(target, 'T:1', 1);
    publish(target, 'T:2', 99);
    publish(target, 'T:1', 2);
    publish(target, 'T:1', 3);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await events.next()).toEqual({ value: 2, done: false });
    expect(await events.next()).toEqual({ value: 3, done: false });
    await events.return!();
  });

  it('ends a pending next() at return(), and hears nothing after', async () => {
    const target = new EventTarget();
    const events = topicIterator<number>(target, 'T');
    const waiting = events.next();
    await events.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    publish(target, 'T', 1);
    expect(await events.next()).toEqual({ value: undefined, done: true });
  });

  it('fails a reader that lets events pile up past its bound, instead of growing', async () => {
    const target = new EventTarget();
    const events = topicIterator<number>(target, 'T');
    const first = events.next();
    for (let i = 0; i <= 100_001; i++) publish(target, 'T', i);
    expect((await first).value).toBe(0);
    let read = 0;
    await expect((async () => { for (;;) { const next = await events.next(); if (next.done) return; read++; } })()).rejects.toThrow(/fell more than 100000 events behind/);
    expect(read).toBe(100_000);
  });

  it('holds boundedStream\'s limit itself: a reader more than `limit` behind is cut off, one that keeps up is not', async () => {
    const target = new EventTarget();
    const stream = boundedStream(topicIterator<number>(target, 'T'), 10);
    const first = stream.next();
    for (let i = 0; i < 11; i++) publish(target, 'T', i);
    expect((await first).value).toBe(0);
    for (let i = 1; i < 11; i++) expect((await stream.next()).value).toBe(i);
    publish(target, 'T', 11);
    expect((await stream.next()).value).toBe(11);
    for (let i = 12; i < 30; i++) publish(target, 'T', i);
    await expect((async () => { for (;;) await stream.next(); })()).rejects.toBeInstanceOf(SlowSubscriberError);
  });
});
