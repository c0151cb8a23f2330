import { describe, expect, it } from 'vitest';
import {
  formatDate,
  isBlank,
  isValidForType,
  parseBoolean,
  parseDate,
  parseDateMs,
  parseNumber,
  toTypedValue,
} from '../../src/ml/value-parsers';

describe('parseNumber', () => {
  it('accepts decimal numbers in their usual spellings', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['42', 42],
      ['-7', -7],
      ['+3.25', 3.25],
      ['.5', 0.5],
      ['5.', 5],
      ['-0.001', -0.001],
      ['1e3', 1000],
      ['2.5E-2', 0.025],
      ['-1.5e+3', -1500],
      ['007', 7],
      ['20240131', 20_240_131],
      ['  12.5  ', 12.5],
      ['\t-4\n', -4],
    ];
    for (const [raw, value] of cases) expect(parseNumber(raw), JSON.stringify(raw)).toBe(value);
  });

  it('rejects what JavaScript would coerce but a CSV reader must not', () => {
    const rejected = ['', '   ', 'NaN', 'Infinity', '-Infinity', '+Infinity', '1e999', '0x1A', '0X1a', '0b101', '0o17',
      ' 0x10 ', '1,000', '12abc', 'abc', '1.2.3', '--1', '- 1', '1 000', '1_000', '$5', '5%', 'e5', '.', '-', '+'];
    for (const raw of rejected) expect(parseNumber(raw), JSON.stringify(raw)).toBeNull();
  });
});

describe('parseBoolean', () => {
  it('reads the usual spellings in any case, with surrounding spaces', () => {
    for (const raw of ['true', 'TRUE', 'True', 't', 'T', 'yes', 'Yes', 'y', 'Y', ' yes ']) {
      expect(parseBoolean(raw), raw).toBe(true);
    }
    for (const raw of ['false', 'FALSE', 'f', 'F', 'no', 'No', 'n', 'N', '\tfalse']) {
      expect(parseBoolean(raw), raw).toBe(false);
    }
  });

  it('does not treat 0/1 or other words as booleans', () => {
    for (const raw of ['0', '1', '', ' ', 'on', 'off', 'yess', 'truth', 'nope', 'ja']) {
      expect(parseBoolean(raw), JSON.stringify(raw)).toBeNull();
    }
  });
});

describe('parseDate', () => {
  it('parses D-Mon-YY as found in the fixture data (SP500.csv), with the 00-49/50-99 century rule', () => {
    expect(parseDate('1-May-95')?.getTime()).toBe(Date.UTC(1995, 4, 1));
    expect(parseDate('01-May-1995')?.getTime()).toBe(Date.UTC(1995, 4, 1));
    expect(parseDate('15-jan-03')?.getTime()).toBe(Date.UTC(2003, 0, 15));
    expect(parseDate('31-DEC-49')?.getTime()).toBe(Date.UTC(2049, 11, 31));
    expect(parseDate('1-Jan-50')?.getTime()).toBe(Date.UTC(1950, 0, 1));
    expect(parseDate('29-Feb-96')?.getTime()).toBe(Date.UTC(1996, 1, 29));
  });

  it('parses ISO dates and date-times, honouring zones and treating no zone as UTC', () => {
    expect(parseDate('2024-01-31')?.getTime()).toBe(Date.UTC(2024, 0, 31));
    expect(parseDate('2024-01-31T10:00:00Z')?.getTime()).toBe(Date.UTC(2024, 0, 31, 10));
    expect(parseDate('2024-01-31T10:00:00')?.getTime()).toBe(Date.UTC(2024, 0, 31, 10));
    expect(parseDate('2024-01-31 10:30')?.getTime()).toBe(Date.UTC(2024, 0, 31, 10, 30));
    expect(parseDate('2024-01-31T10:00:00+02:00')?.getTime()).toBe(Date.UTC(2024, 0, 31, 8));
    expect(parseDate('2024-01-31T23:30:00-0130')?.getTime()).toBe(Date.UTC(2024, 1, 1, 1));
    expect(parseDate('2024-01-31T10:00:00.1234Z')?.getTime()).toBe(Date.UTC(2024, 0, 31, 10, 0, 0, 123));
  });

  it('parses M/D/YYYY and YYYY/MM/DD', () => {
    expect(parseDate('5/31/2024')?.getTime()).toBe(Date.UTC(2024, 4, 31));
    expect(parseDate('12/1/1999')?.getTime()).toBe(Date.UTC(1999, 11, 1));
    expect(parseDate('2024/05/31')?.getTime()).toBe(Date.UTC(2024, 4, 31));
    expect(parseDate('2024/5/3')?.getTime()).toBe(Date.UTC(2024, 4, 3));
  });

  it('rejects impossible dates and other text', () => {
    const rejected = ['31-Feb-95', '29-Feb-95', '32-Jan-95', '1-Foo-95', '1-May-995', '2024-13-01', '2024-00-10',
      '2024-02-30', '2023-02-29', '1900-02-29', '2024-01-31T24:00', '2024-01-31T10:60', '2024-01-31T10:00+25:00',
      '31/5/2024', '2024/13/01', '20240131', '2024-1-5', '2024', 'May 1995', '', 'yes', '1.5'];
    for (const raw of rejected) expect(parseDate(raw), JSON.stringify(raw)).toBeNull();
  });

  it('agrees with the platform calendar on every shape, across centuries and leap years', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const mismatches: string[] = [];
    for (let ms = Date.UTC(1601, 0, 1); ms < Date.UTC(2401, 0, 1); ms += 6 * 86_400_000 + 3_600_000) {
      const d = new Date(ms);
      const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
      const midnight = Date.UTC(y, m, day);
      const expected: [string, number][] = [
        [d.toISOString(), ms],
        [d.toISOString().slice(0, 10), midnight],
        [`${day}-${months[m]}-${y}`, midnight],
        [`${m + 1}/${day}/${y}`, midnight],
      ];
      for (const [raw, want] of expected) if (parseDateMs(raw) !== want) mismatches.push(raw);
    }
    expect(mismatches).toEqual([]);
    // Years below 100 must not be shifted into the 1900s as Date.UTC would.
    expect(parseDateMs('0095-03-01')).toBe(new Date('0095-03-01T00:00:00Z').getTime());
    expect(parseDateMs('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
  });
});

describe('toTypedValue', () => {
  it('converts to the stored value of each type', () => {
    expect(toTypedValue('NUMBER', ' -12.5 ')).toBe(-12.5);
    expect(toTypedValue('BOOLEAN', 'Yes')).toBe(true);
    expect(toTypedValue('BOOLEAN', 'f')).toBe(false);
    expect(toTypedValue('DATE', '1-May-95')).toBe('1995-05-01');
    expect(toTypedValue('DATE', '5/31/2024')).toBe('2024-05-31');
    expect(toTypedValue('DATE', '2024-01-31T10:00:00+02:00')).toBe('2024-01-31T08:00:00.000Z');
    expect(toTypedValue('DATE', '2024-01-31T00:00:00Z')).toBe('2024-01-31');
    expect(toTypedValue('CATEGORY', ' Gold ')).toBe(' Gold ');
    expect(toTypedValue('TEXT', 'a,b "c"')).toBe('a,b "c"');
  });

  it('keeps missing values null for every type', () => {
    for (const type of ['NUMBER', 'BOOLEAN', 'DATE', 'CATEGORY', 'TEXT'] as const) {
      expect(toTypedValue(type, null)).toBeNull();
      expect(toTypedValue(type, '')).toBeNull();
      expect(toTypedValue(type, '  ')).toBeNull();
    }
  });

  it('throws when the text is not of the type', () => {
    expect(() => toTypedValue('NUMBER', '12abc')).toThrow(/12abc/);
    expect(() => toTypedValue('BOOLEAN', '1')).toThrow(RangeError);
    expect(() => toTypedValue('DATE', '31-Feb-95')).toThrow(/DATE/);
  });
});

describe('isValidForType, isBlank and formatDate', () => {
  it('agree with the parsers', () => {
    expect(isValidForType('NUMBER', '1e3')).toBe(true);
    expect(isValidForType('NUMBER', '1,000')).toBe(false);
    expect(isValidForType('BOOLEAN', 'n')).toBe(true);
    expect(isValidForType('BOOLEAN', '0')).toBe(false);
    expect(isValidForType('DATE', '1-May-95')).toBe(true);
    expect(isValidForType('DATE', '2024-13-01')).toBe(false);
    expect(isValidForType('CATEGORY', 'anything')).toBe(true);
    expect(isValidForType('NUMBER', ' ')).toBe(true);
  });

  it('treat only empty and whitespace-only text as blank', () => {
    for (const raw of ['', ' ', '\t', ' \r\n ', '\u00a0']) expect(isBlank(raw), JSON.stringify(raw)).toBe(true);
    for (const raw of ['0', ' a', 'a ', '-', '"']) expect(isBlank(raw), JSON.stringify(raw)).toBe(false);
  });

  it('formats midnight UTC as a date and anything else as a full timestamp', () => {
    expect(formatDate(Date.UTC(1995, 4, 1))).toBe('1995-05-01');
    expect(formatDate(Date.UTC(1969, 11, 31))).toBe('1969-12-31');
    expect(formatDate(Date.UTC(1969, 11, 31, 12))).toBe('1969-12-31T12:00:00.000Z');
  });
});
