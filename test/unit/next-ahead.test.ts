import { afterEach, expect, it } from 'vitest';
import { currentThenLive } from '../../src/engines/events/current-then-live';
import { topicIterator } from '../../src/engines/events/topic-iterator';

// A state stream reads its source's next event ahead, before yielding the current one. When the
// source fails (a slow subscriber cut off) while the stream is suspended at that yield, the
// failure must wait for the consumer, not escape as an unhandled rejection (which ends a process).
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

const ticks = () => new Promise((resolve) => setTimeout(resolve, 20));

it('a slow subscriber cut off while its stream waits at a yield: no unhandled rejection, and the consumer gets the error', async () => {
  process.on('unhandledRejection', onUnhandled);
  const target = new EventTarget();
  const send = (value: number) => target.dispatchEvent(new CustomEvent('x', { detail: value }));
  const stream = currentThenLive<number>(topicIterator<number>(target, 'x'), 0, { limit: 2 });
  expect((await stream.next()).value).toBe(0);
  const first = stream.next();
  await ticks();
  send(1);
  expect((await first).value).toBe(1);
  // 2 answers the read-ahead; 3 and 4 fill the bound of 2; 5 cuts the subscriber off.
  for (const value of [2, 3, 4, 5]) send(value);
  expect((await stream.next()).value).toBe(2);
  expect((await stream.next()).value).toBe(3);
  expect((await stream.next()).value).toBe(4);
  // The stream is now suspended at its yield of 4, with the failed read-ahead: nobody reads on for a while.
  await ticks();
  expect(unhandled).toEqual([]);
  await expect(stream.next()).rejects.toThrow(/fell more than 2 events behind/);
});
