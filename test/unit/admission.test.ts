import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/engines/serving/admission';

/** A call that runs until the test lets it finish. */
function held() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => { release = resolve; });
  return { work: () => done, release };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Admission', () => {
  it('keeps a full lane from holding up another: TEST waits and refuses while PRODUCTION runs at once', async () => {
    const admission = new Admission<'PRODUCTION' | 'TEST'>({ limits: { PRODUCTION: 2, TEST: 1 }, queueLimit: 2 });
    const calls = [held(), held(), held()];
    const running = calls.map((c) => admission.run('TEST', c.work));
    expect(admission.load('TEST')).toEqual({ running: 1, waiting: 2 });
    // The TEST queue is full: the next TEST call is refused, not queued without end.
    await expect(admission.run('TEST', async () => 'late')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', environment: 'TEST' } });
    // PRODUCTION has its own slots: it runs to completion while TEST is saturated.
    await expect(admission.run('PRODUCTION', async () => 'served')).resolves.toBe('served');
    expect(admission.load('PRODUCTION')).toEqual({ running: 0, waiting: 0 });
    calls.forEach((c) => c.release());
    await Promise.all(running);
    expect(admission.load('TEST')).toEqual({ running: 0, waiting: 0 });
  });

  it('hands a finished call\'s slot to the oldest waiter, never running more than the limit', async () => {
    const admission = new Admission<'PREVIEW'>({ limits: { PREVIEW: 2 }, queueLimit: 10 });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 6 }, () => held());
    const all = gates.map((gate, i) => admission.run('PREVIEW', async () => {
      active += 1;
      peak = Math.max(peak, active);
      order.push(i);
      await gate.work();
      active -= 1;
    }));
    for (const gate of gates) {
      await settle();
      gate.release();
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(admission.load('PREVIEW')).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot of a call that throws', async () => {
    const admission = new Admission<'TEST'>({ limits: { TEST: 1 }, queueLimit: 0 });
    await expect(admission.run('TEST', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(admission.run('TEST', async () => 1)).resolves.toBe(1);
  });

  it('shrinks the other lanes to yieldLimit while PRODUCTION is busy, and lets them grow back once it is quiet', async () => {
    let now = 0;
    const admission = new Admission<'PRODUCTION' | 'TEST'>({ limits: { PRODUCTION: 4, TEST: 4 }, queueLimit: 100, priority: { lane: 'PRODUCTION', yieldLimit: 1, activeMs: 200 }, clock: () => now });
    expect(admission.limitOf('TEST')).toBe(4);
    const production = held();
    const serving = admission.run('PRODUCTION', production.work);
    const tests = Array.from({ length: 4 }, () => held());
    const running = tests.map((t) => admission.run('TEST', t.work));
    await settle();
    expect(admission.load('TEST')).toEqual({ running: 1, waiting: 3 });
    production.release();
    await serving;
    // Quiet for less than activeMs: TEST still yields.
    now += 100;
    tests[0].release();
    await settle();
    expect(admission.load('TEST')).toEqual({ running: 1, waiting: 2 });
    // Quiet for longer: the next call to leave wakes every waiter the full limit allows.
    now += 300;
    tests[1].release();
    await settle();
    expect(admission.load('TEST')).toEqual({ running: 2, waiting: 0 });
    tests.forEach((t) => t.release());
    await Promise.all(running);
    expect(admission.load('TEST')).toEqual({ running: 0, waiting: 0 });
  });
});
