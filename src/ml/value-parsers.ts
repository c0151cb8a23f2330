/**
 * Parsers from raw CSV text to typed values. They run once per cell on datasets of millions of
 * cells, so the common cases avoid regular expressions and allocation; the rarer shapes (dates)
 * use anchored regular expressions chosen by a cheap look at the text first.
 */

/** The type of a dataset column, inferred from its values or fixed by an earlier version. */
export type ColumnType = 'NUMBER' | 'CATEGORY' | 'BOOLEAN' | 'DATE' | 'TEXT';

const MS_PER_DAY = 86_400_000;

/**
 * True for the empty string and for whitespace only (the `String.prototype.trim` set), which
 * every part of ingestion treats as a missing value.
 */
export function isBlank(raw: string): boolean {
  if (raw.length === 0) return true;
  // A visible ASCII first character settles it without allocating a trimmed copy.
  return !isVisibleAscii(raw.charCodeAt(0)) && raw.trim().length === 0;
}

/** Whitespace, which trim() removes, is outside this range (control characters, spaces, U+00A0...). */
function isVisibleAscii(code: number): boolean {
  return code > 32 && code < 127;
}

/**
 * Parses a finite decimal number: optional sign, digits, fraction, exponent and surrounding
 * whitespace (`-1.5e3`, ` +2 `, `.5`). Returns null for anything else, including `''`, `NaN`,
 * `Infinity`, hex/binary/octal literals, `1,000`, `12abc` and values that overflow to Infinity.
 */
export function parseNumber(raw: string): number | null {
  const n = +raw;
  // NaN and ±Infinity are the only numbers for which n - n is not 0.
  if (n - n !== 0) return null;
  // `+raw` also accepts '', whitespace (both 0) and 0x/0b/0o literals; a finite result that
  // starts with 1-9, a sign or a dot can only have come from decimal text.
  const c = raw.charCodeAt(0);
  if ((c >= 49 && c <= 57) || c === 45 || c === 43 || c === 46) return n;
  if (c === 48) {
    const x = raw.charCodeAt(1) | 0x20; // lower-case letter
    return x === 120 || x === 98 || x === 111 ? null : n; // x, b, o
  }
  const trimmed = raw.trim();
  return trimmed.length === 0 || trimmed.length === raw.length ? null : parseNumber(trimmed);
}

/**
 * Parses true/false, yes/no, t/f and y/n in any case, with surrounding whitespace.
 * `0` and `1` are deliberately not booleans: such columns are numeric targets and must stay NUMBER.
 */
export function parseBoolean(raw: string): boolean | null {
  let s = raw;
  if (!isVisibleAscii(s.charCodeAt(0)) || !isVisibleAscii(s.charCodeAt(s.length - 1))) s = s.trim();
  if (s.length === 0 || s.length > 5) return null;
  switch (s.toLowerCase()) {
    case 'true':
    case 't':
    case 'yes':
    case 'y':
      return true;
    case 'false':
    case 'f':
    case 'no':
    case 'n':
      return false;
    default:
      return null;
  }
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const DAY_MON_YEAR = /^(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})$/;
const MONTH_DAY_YEAR = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const YEAR_MONTH_DAY = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). Computed
 * directly because Date.UTC maps years 0-99 to 1900-1999 and we parse without allocating a Date.
 */
function epochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

function dateMs(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return epochDay(year, month, day) * MS_PER_DAY;
}

function isoMs(m: RegExpExecArray): number | null {
  const day = dateMs(+m[1], +m[2], +m[3]);
  if (day === null || m[4] === undefined) return day;
  const hour = +m[4];
  const minute = +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = m[7] === undefined ? 0 : +(m[7] + '00').slice(0, 3);
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.length > 1) {
    const digits = zone.slice(1).replace(':', '');
    const zh = +digits.slice(0, 2);
    const zm = digits.length > 2 ? +digits.slice(2) : 0;
    if (zh > 23 || zm > 59) return null;
    offsetMinutes = (zh * 60 + zm) * (zone.charCodeAt(0) === 45 ? -1 : 1);
  }
  return day + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

/**
 * Parses a date to milliseconds since the epoch (UTC), or null. Accepts ISO dates and date-times
 * (`2024-01-31`, `2024-01-31T10:00:00Z`, `...T10:00+02:00`, a space instead of `T`; no zone = UTC),
 * `1-May-95` / `01-May-1995` (two-digit years: 00-49 → 20xx, 50-99 → 19xx), `5/31/2024` (M/D/YYYY)
 * and `2024/05/31`. Impossible dates such as `31-Feb-95` or `2024-13-01` are rejected.
 */
export function parseDateMs(raw: string): number | null {
  let s = raw;
  if (s.length === 0) return null;
  if (!isVisibleAscii(s.charCodeAt(0)) || !isVisibleAscii(s.charCodeAt(s.length - 1))) s = s.trim();
  if (s.length < 6 || s.length > 35) return null;
  // Dispatch on separators so each value runs at most one or two expressions.
  if (s.charCodeAt(4) === 45) {
    const m = ISO.exec(s);
    return m === null ? null : isoMs(m);
  }
  if (s.charCodeAt(1) === 45 || s.charCodeAt(2) === 45) {
    const m = DAY_MON_YEAR.exec(s);
    const month = m === null ? undefined : MONTHS[m[2].toLowerCase()];
    if (m === null || month === undefined) return null;
    let year = +m[3];
    if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
    return dateMs(year, month, +m[1]);
  }
  let m = YEAR_MONTH_DAY.exec(s);
  if (m !== null) return dateMs(+m[1], +m[2], +m[3]);
  m = MONTH_DAY_YEAR.exec(s);
  return m === null ? null : dateMs(+m[3], +m[1], +m[2]);
}

/** {@link parseDateMs} as a Date (UTC), or null. */
export function parseDate(raw: string): Date | null {
  const ms = parseDateMs(raw);
  return ms === null ? null : new Date(ms);
}

/**
 * Formats epoch milliseconds the way datasets store dates: `YYYY-MM-DD` when the time is
 * midnight UTC, otherwise the full ISO string (`2024-01-31T10:00:00.000Z`).
 */
export function formatDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  // length 24 excludes the ±YYYYYY form of years outside 0-9999, which has no short form.
  return ms % MS_PER_DAY === 0 && iso.length === 24 ? iso.slice(0, 10) : iso;
}

/**
 * Converts raw CSV text to the value stored for a column of `type`: NUMBER → number,
 * BOOLEAN → boolean, DATE → string as {@link formatDate}, CATEGORY and TEXT → the text unchanged.
 * null, `''` and whitespace-only text are missing values and give null for every type.
 * @throws RangeError when the text does not parse as `type`.
 */
export function toTypedValue(type: ColumnType, raw: string | null): number | boolean | string | null {
  if (raw === null || isBlank(raw)) return null;
  let value: number | boolean | string | null;
  switch (type) {
    case 'NUMBER':
      value = parseNumber(raw);
      break;
    case 'BOOLEAN':
      value = parseBoolean(raw);
      break;
    case 'DATE': {
      const ms = parseDateMs(raw);
      value = ms === null ? null : formatDate(ms);
      break;
    }
    default:
      return raw;
  }
  if (value === null) throw new RangeError(`${JSON.stringify(raw)} is not a valid ${type}`);
  return value;
}

/**
 * True when {@link toTypedValue} accepts `raw` for `type`. Blank text is valid for every type,
 * since it stands for a missing value.
 */
export function isValidForType(type: ColumnType, raw: string): boolean {
  if (isBlank(raw)) return true;
  switch (type) {
    case 'NUMBER':
      return parseNumber(raw) !== null;
    case 'BOOLEAN':
      return parseBoolean(raw) !== null;
    case 'DATE':
      return parseDateMs(raw) !== null;
    default:
      return true;
  }
}
