import { describe, expect, it } from 'vitest';
import { checkDue, cronOf } from '../../src/modules/schedules/cron-schedule';

describe('retrain schedules', () => {
  it('fires at the cron\'s ticks in its time zone', () => {
    const daily = cronOf('0 3 * * *', 'Europe/Zurich');
    // 03:00 in Zurich is 02:00 UTC in winter, 01:00 UTC in summer.
    expect(daily.nextRun(new Date('2026-11-30T10:00:00Z'))!.toISOString()).toBe('2026-12-01T02:00:00.000Z');
    expect(daily.nextRun(new Date('2026-07-01T10:00:00Z'))!.toISOString()).toBe('2026-07-02T01:00:00.000Z');
  });

  it('with a fake clock: not before it is due, once when due, and once after missed ticks', () => {
    const hourly = cronOf('0 * * * *', 'UTC');
    const due = new Date('2026-11-30T10:00:00Z');
    expect(checkDue(hourly, due, new Date('2026-11-30T09:59:59Z'))).toEqual({ fire: false, next: due });
    expect(checkDue(hourly, due, new Date('2026-11-30T10:00:00Z'))).toEqual({ fire: true, next: new Date('2026-11-30T11:00:00Z') });
    // Down from 10:00 to 15:30: five ticks missed, one firing, the next at 16:00.
    expect(checkDue(hourly, due, new Date('2026-11-30T15:30:00Z'))).toEqual({ fire: true, next: new Date('2026-11-30T16:00:00Z') });
    // Walking a fake clock minute by minute over three hours fires three times.
    let next = due;
    let fired = 0;
    for (let t = due.getTime(); t < due.getTime() + 3 * 3600_000; t += 60_000) {
      const check = checkDue(hourly, next, new Date(t));
      if (check.fire) fired++;
      next = check.next;
    }
    expect(fired).toBe(3);
  });

  it('refuses a bad expression or time zone, naming the field', () => {
    expect(() => cronOf('61 * * * *', 'UTC')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.cron' }) }));
    expect(() => cronOf('every day', 'UTC')).toThrow(/not valid/);
    expect(() => cronOf('0 3 * * *', 'Mars/Olympus')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: 'input.timezone' }) }));
    expect(() => cronOf('0 0 31 2 *', 'UTC')).toThrow(/never fires|not valid/);
  });
});
