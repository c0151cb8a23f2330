import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../../src/engines/events/redis-event-target';

describe('event codec (the Redis bus)', () => {
  it('keeps Dates as Dates, nested, and leaves look-alike strings and objects alone', () => {
    const at = new Date('2026-11-30T12:00:00.123Z');
    const payload = { takenAt: at, nested: [{ at }], text: '2026-11-30T12:00:00.123Z', tagged: { $date: 'x', other: 1 }, n: 1.5, none: null };
    const decoded = decodeEvent(encodeEvent(payload)) as typeof payload;
    expect(decoded.takenAt).toBeInstanceOf(Date);
    expect(decoded.takenAt.getTime()).toBe(at.getTime());
    expect(decoded.nested[0].at).toBeInstanceOf(Date);
    expect(decoded.text).toBe('2026-11-30T12:00:00.123Z');
    expect(decoded.tagged).toEqual({ $date: 'x', other: 1 });
    expect(decoded).toMatchObject({ n: 1.5, none: null });
  });
});
