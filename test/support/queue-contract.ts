import { expect, it } from 'vitest';
import type { JobQueue, JobQueueOptions } from '../../src/engines/jobs/job-queue';

/**
 * What every JobQueue does, whatever backs it (the in-process queue; BullMQ on Redis): the same
 * tests over each, so the cluster form cannot drift from the embedded one.
 */
export function queueContract(make: (options: JobQueueOptions) => JobQueue) {
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('runs at most `concurrency` jobs, highest priority first, FIFO within a priority, and can remove waiting jobs', async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const queue = make({ concurrency: 1 });
    try {
      queue.process((id) => new Promise<void>((resolve) => { started.push(id); release.set(id, resolve); }));
      await queue.enqueue('a');
      await expect.poll(() => started).toEqual(['a']);
      for (const [id, priority] of [['low', -5], ['b', 0], ['high', 10], ['gone', 0]] as const) await queue.enqueue(id, priority);
      await queue.enqueue('b'); // the same id again: still one job
      expect(await queue.remove('gone')).toBe(true);
      expect(await queue.remove('a')).toBe(false); // running
      expect(await queue.remove('unknown')).toBe(false);
      expect(await queue.counts()).toEqual({ running: 1, waiting: 3 });
      const order = ['a', 'high', 'b', 'low'];
      for (let i = 0; i < order.length; i++) {
        await expect.poll(() => started.at(-1)).toBe(order[i]);
        await settle();
        // One at a time: nothing after it has started while it runs.
        expect(started).toEqual(order.slice(0, i + 1));
        release.get(order[i])!();
      }
      await expect.poll(() => queue.counts()).toEqual({ running: 0, waiting: 0 });
      expect(started).toEqual(['a', 'high', 'b', 'low']);
    } finally {
      await queue.close();
    }
  });

  it('holds jobs enqueued before a consumer starts, then runs them in order', async () => {
    const queue = make({ concurrency: 1 });
    const done: string[] = [];
    try {
      await queue.enqueue('first');
      await queue.enqueue('second');
      await settle();
      expect(await queue.counts()).toEqual({ running: 0, waiting: 2 });
      queue.process(async (id) => { done.push(id); });
      expect(() => queue.process(async () => {})).toThrow(/already has a consumer/);
      await expect.poll(() => done).toEqual(['first', 'second']);
    } finally {
      await queue.close();
    }
  });

  it('keeps going when a job throws, and reports it', async () => {
    const errors: unknown[] = [];
    const done: string[] = [];
    const queue = make({ concurrency: 2, onError: (e) => errors.push(e) });
    try {
      queue.process(async (id) => { if (id === 'bad') throw new Error('x'); done.push(id); });
      await queue.enqueue('bad');
      await queue.enqueue('good');
      await expect.poll(() => done).toEqual(['good']);
      await expect.poll(() => errors.length).toBe(1);
    } finally {
      await queue.close();
    }
  });

  it('puts a job its handler hands back (\'requeue\') in the queue again', async () => {
    const seen: string[] = [];
    const queue = make({ concurrency: 1 });
    try {
      queue.process(async (id) => {
        seen.push(id);
        return seen.length === 1 ? 'requeue' : undefined;
      });
      await queue.enqueue('again');
      await expect.poll(() => seen).toEqual(['again', 'again']);
    } finally {
      await queue.close();
    }
  });
}
