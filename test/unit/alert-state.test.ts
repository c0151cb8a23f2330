import { describe, expect, it } from 'vitest';
import { AlertStateMachine, breaches, type RuleSpec } from '../../src/modules/monitoring/alert-state';

const s = 1000;
const rule = (over: Partial<RuleSpec> = {}): RuleSpec => ({ id: 'r1', comparator: 'GT', threshold: 100, forSeconds: 30, cooldownSeconds: 60, ...over });

/** A machine plus a feeder that takes the time in seconds, so the scenarios read like a timeline. */
function setup(spec: RuleSpec = rule()) {
  const machine = new AlertStateMachine();
  const feed = (t: number, value: number | null, subject = 'm1') => machine.observe(spec, { ruleId: spec.id, subject, value, at: t * s });
  return { machine, feed };
}

describe('breaches', () => {
  it('compares at the boundary as each comparator says', () => {
    expect([breaches('GT', 10, 10), breaches('GT', 10.001, 10)]).toEqual([false, true]);
    expect([breaches('GTE', 9.999, 10), breaches('GTE', 10, 10)]).toEqual([false, true]);
    expect([breaches('LT', 10, 10), breaches('LT', 9.999, 10)]).toEqual([false, true]);
    expect([breaches('LTE', 10.001, 10), breaches('LTE', 10, 10)]).toEqual([false, true]);
  });

  it('drives the machine the same way', () => {
    for (const [comparator, open, clear] of [['GT', 11, 10], ['GTE', 10, 9], ['LT', 9, 10], ['LTE', 10, 11]] as const) {
      const { machine, feed } = setup(rule({ comparator, threshold: 10, forSeconds: 0, cooldownSeconds: 0 }));
      expect(feed(0, clear)).toBeNull();
      expect(feed(1, open)).toMatchObject({ kind: 'open', value: open });
      expect(feed(2, clear)).toMatchObject({ kind: 'resolve', value: clear });
      expect(machine.openCount()).toBe(0);
    }
  });
});

describe('AlertStateMachine', () => {
  it('opens once the condition has held for forSeconds, not before', () => {
    const { machine, feed } = setup();
    expect(feed(0, 150)).toBeNull();
    expect(feed(10, 150)).toBeNull();
    expect(feed(29.999, 150)).toBeNull();
    expect(machine.isOpen('r1', 'm1')).toBe(false);
    expect(feed(30, 120)).toEqual({ kind: 'open', ruleId: 'r1', subject: 'm1', value: 120, at: 30 * s, since: 0 });
    expect(machine.isOpen('r1', 'm1')).toBe(true);
    expect(machine.openCount()).toBe(1);
  });

  it('opens on the first breach when forSeconds is 0', () => {
    const { feed } = setup(rule({ forSeconds: 0 }));
    expect(feed(5, 101)).toMatchObject({ kind: 'open', at: 5 * s, since: 5 * s });
  });

  it('starts pending over after a dip below the threshold', () => {
    const { feed } = setup();
    feed(0, 150);
    feed(20, 150);
    expect(feed(25, 100)).toBeNull(); // GT 100: 100 does not breach
    expect(feed(26, 150)).toBeNull();
    expect(feed(50, 150)).toBeNull(); // 30 s after 0, but only 24 s after the restart
    expect(feed(56, 150)).toMatchObject({ kind: 'open', since: 26 * s });
  });

  it('de-duplicates while firing: many breaches, one open', () => {
    const { machine, feed } = setup(rule({ forSeconds: 0 }));
    const transitions = Array.from({ length: 50 }, (_, i) => feed(i, 200 + i)).filter((t) => t !== null);
    expect(transitions).toHaveLength(1);
    expect(machine.openCount()).toBe(1);
  });

  it('resolves when the condition clears', () => {
    const { machine, feed } = setup(rule({ forSeconds: 0 }));
    feed(0, 150);
    expect(feed(10, 90)).toEqual({ kind: 'resolve', ruleId: 'r1', subject: 'm1', value: 90, at: 10 * s });
    expect(machine.isOpen('r1', 'm1')).toBe(false);
    expect(feed(11, 80)).toBeNull();
  });

  it('blocks a re-open during cool-down, then re-opens after forSeconds again', () => {
    const { machine, feed } = setup(rule({ forSeconds: 10, cooldownSeconds: 60 }));
    feed(0, 150);
    expect(feed(10, 150)).toMatchObject({ kind: 'open' });
    expect(feed(20, 50)).toMatchObject({ kind: 'resolve' });
    // Cool-down runs until 80 s; breaches inside it neither open nor count towards forSeconds.
    for (const t of [21, 40, 60, 79.999]) expect(feed(t, 150)).toBeNull();
    expect(machine.isOpen('r1', 'm1')).toBe(false);
    expect(feed(80, 150)).toBeNull(); // pending from here
    expect(feed(89, 150)).toBeNull();
    expect(feed(90, 150)).toMatchObject({ kind: 'open', since: 80 * s });
  });

  it('lets a rule without cool-down re-open at once', () => {
    const { feed } = setup(rule({ forSeconds: 0, cooldownSeconds: 0 }));
    feed(0, 150);
    feed(1, 50);
    expect(feed(2, 150)).toMatchObject({ kind: 'open', at: 2 * s });
  });

  it('keeps subjects independent', () => {
    const { machine, feed } = setup(rule({ forSeconds: 10 }));
    feed(0, 150, 'a');
    feed(5, 150, 'b');
    expect(feed(10, 150, 'a')).toMatchObject({ kind: 'open', subject: 'a' });
    expect(feed(10, 150, 'b')).toBeNull();
    expect(feed(15, 150, 'b')).toMatchObject({ kind: 'open', subject: 'b', since: 5 * s });
    expect(machine.openCount()).toBe(2);
    expect(feed(20, 50, 'a')).toMatchObject({ kind: 'resolve', subject: 'a' });
    expect([machine.isOpen('r1', 'a'), machine.isOpen('r1', 'b')]).toEqual([false, true]);
  });

  it('treats no data (null or NaN) as a break while pending', () => {
    for (const gap of [null, Number.NaN]) {
      const { feed } = setup();
      feed(0, 150);
      expect(feed(15, gap)).toBeNull();
      expect(feed(30, 150)).toBeNull(); // pending restarted at 30
      expect(feed(60, 150)).toMatchObject({ kind: 'open', since: 30 * s });
    }
  });

  it('does not resolve a firing alert on no data, only on a real reading within the threshold', () => {
    const { machine, feed } = setup(rule({ forSeconds: 0 }));
    feed(0, 150);
    expect(feed(10, null)).toBeNull();
    expect(feed(20, Number.NaN)).toBeNull();
    expect(machine.isOpen('r1', 'm1')).toBe(true);
    expect(feed(30, 150)).toBeNull(); // still the same alert
    expect(feed(40, 20)).toMatchObject({ kind: 'resolve', value: 20 });
  });

  it('ignores observations that go back in time', () => {
    const { machine, feed } = setup(rule({ forSeconds: 10 }));
    feed(100, 150);
    expect(feed(50, 150)).toBeNull();
    expect(feed(95, 50)).toBeNull(); // stale dip does not reset pending
    expect(feed(110, 150)).toMatchObject({ kind: 'open', since: 100 * s });
    expect(feed(105, 50)).toBeNull(); // stale clear does not resolve
    expect(machine.isOpen('r1', 'm1')).toBe(true);
    expect(feed(110, 50)).toMatchObject({ kind: 'resolve' }); // the same instant is not "backwards"
  });

  it('resolves the open alerts of a dropped rule and forgets its state', () => {
    const machine = new AlertStateMachine();
    const r1 = rule({ forSeconds: 0 });
    const r2 = rule({ id: 'r2', forSeconds: 0 });
    machine.observe(r1, { ruleId: 'r1', subject: 'a', value: 150, at: 0 });
    machine.observe(r1, { ruleId: 'r1', subject: 'b', value: 150, at: 0 });
    machine.observe(r1, { ruleId: 'r1', subject: 'c', value: 50, at: 0 });
    machine.observe(r2, { ruleId: 'r2', subject: 'a', value: 150, at: 0 });
    expect(machine.dropRule('r1', 5 * s)).toEqual([
      { kind: 'resolve', ruleId: 'r1', subject: 'a', value: null, at: 5 * s },
      { kind: 'resolve', ruleId: 'r1', subject: 'b', value: null, at: 5 * s },
    ]);
    expect(machine.openCount()).toBe(1);
    expect(machine.isOpen('r2', 'a')).toBe(true);
    expect(machine.dropRule('r1', 6 * s)).toEqual([]);
    expect(machine.dropRule('unknown', 6 * s)).toEqual([]);
    // A changed rule starts from scratch: no cool-down carried over.
    expect(machine.observe(r1, { ruleId: 'r1', subject: 'a', value: 150, at: 7 * s })).toMatchObject({ kind: 'open' });
  });

  it('restores open alerts, which then stay de-duplicated and resolve on a clear reading', () => {
    const { machine, feed } = setup(rule({ forSeconds: 0 }));
    machine.restoreOpen('r1', 'm1', 1_000 * s);
    expect(machine.isOpen('r1', 'm1')).toBe(true);
    expect(machine.openCount()).toBe(1);
    expect(feed(999, 150)).toBeNull(); // not a second open, even with a clock behind the stored one
    expect(feed(1_010, 20)).toEqual({ kind: 'resolve', ruleId: 'r1', subject: 'm1', value: 20, at: 1_010 * s });
    expect(machine.openCount()).toBe(0);
  });

  it('refuses an observation fed with another rule', () => {
    const machine = new AlertStateMachine();
    expect(() => machine.observe(rule(), { ruleId: 'other', subject: '', value: 1, at: 0 })).toThrow(/rule other/);
  });
});
