import {
  type ColumnType,
  formatDate,
  isBlank,
  parseBoolean,
  parseDateMs,
  parseNumber,
} from '../../ml/value-parsers';
import { StreamingHistogram, type HistogramBins } from './streaming-histogram';

/** Summary of one column after a full pass over its values. */
export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Rows seen, nulls included. */
  count: number;
  nullCount: number;
  /**
   * Distinct non-null raw texts (`1` and `1.0` are two). BOOLEAN folds them to `true`/`false`.
   * When {@link ColumnProfile.distinctCountCapped} is true, read it as "at least".
   */
  distinctCount: number;
  distinctCountCapped: boolean;
  /** NUMBER only, else null. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** NUMBER only: the sample standard deviation (n - 1); null with fewer than two values. */
  std: number | null;
  /** DATE only, formatted like stored dates (`YYYY-MM-DD`, or full ISO when not midnight UTC). */
  earliest: string | null;
  latest: string | null;
  /** CATEGORY and BOOLEAN: up to 10 values by count descending, then value ascending; else []. */
  topValues: { value: string; count: number }[];
  /** NUMBER only: up to 20 equal-width bins over every value, else null. */
  histogram: HistogramBins | null;
  /** Set when an inferred CATEGORY or TEXT column is almost all numbers: a few stray values decided its type. */
  warning?: { message: string; examples: string[] } | null;
}

/** Options of {@link ColumnProfiler}. */
export interface ColumnProfilerOptions {
  /** Skip inference and require every non-null value to parse as this type. */
  fixedType?: ColumnType;
  /** Distinct values tracked before counting stops and the count is reported as capped. */
  distinctLimit?: number;
}

/** A value that does not parse as the column's fixed type. */
export class InvalidValueError extends Error {
  constructor(
    readonly column: string,
    readonly value: string,
    readonly expectedType: ColumnType,
  ) {
    const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    super(`Column "${column}": ${JSON.stringify(shown)} is not a valid ${expectedType} value`);
    this.name = 'InvalidValueError';
  }
}

const CATEGORY_MAX_DISTINCT = 100;
/** A column whose non-numbers stay within this share of its values is warned about, not silently TEXT. */
const STRAY_SHARE = 0.05;
/** Below this many values a few strays are not worth a warning. */
const STRAY_MIN_VALUES = 20;
const STRAY_EXAMPLES = 5;
/** Strays seen before a column can be judged not numeric while streaming (a few early ones prove nothing). */
const STRAY_EVIDENCE = 50;
const TOP_VALUES = 10;

/**
 * Profiles one column in a single streaming pass: feed every raw value to {@link add}, then call
 * {@link finish}. Memory stays constant apart from the distinct-value map, which stops growing at
 * `distinctLimit` keys.
 *
 * Without a fixed type it tracks, all at once, whether every value so far is a number, a boolean
 * or a date, and infers in that order: NUMBER, BOOLEAN, DATE, then CATEGORY when there are at most
 * 100 distinct values and at most half as many as values (or 2), else TEXT.
 */
export class ColumnProfiler {
  private readonly fixedType: ColumnType | undefined;
  private readonly distinctLimit: number;
  private readonly distinct = new Map<string, { count: number }>();
  private capped = false;
  private count = 0;
  private nullCount = 0;
  // "Every non-null value so far parses as ..."; with a fixed type, only that type's flag is on.
  private maybeNumber: boolean;
  private maybeBoolean: boolean;
  private maybeDate: boolean;
  // Welford's running mean and sum of squared deviations: stable, constant memory.
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private earliest = Infinity;
  private latest = -Infinity;
  /** Bins the numbers while the column may still be NUMBER; dropped once it cannot be. */
  private histogram: StreamingHistogram | null = new StreamingHistogram();
  // Inference only: values that are not numbers in a column that is otherwise numeric ("n/a", "1,234").
  private numericish: boolean;
  private strays = 0;
  private readonly strayExamples: string[] = [];

  constructor(
    readonly name: string,
    options: ColumnProfilerOptions = {},
  ) {
    const { fixedType, distinctLimit = 10_000 } = options;
    if (!Number.isInteger(distinctLimit) || distinctLimit < 1) {
      throw new RangeError(`distinctLimit must be a positive integer, got ${distinctLimit}`);
    }
    this.fixedType = fixedType;
    this.distinctLimit = distinctLimit;
    this.maybeNumber = fixedType === undefined || fixedType === 'NUMBER';
    this.maybeBoolean = fixedType === undefined || fixedType === 'BOOLEAN';
    this.maybeDate = fixedType === undefined || fixedType === 'DATE';
    this.numericish = fixedType === undefined;
  }

  /**
   * Adds one raw value; null, `''` and whitespace-only count as null.
   * @throws InvalidValueError with a fixed type, when the value does not parse as it (the value
   * is then not counted).
   */
  add(raw: string | null): void {
    if (raw === null || isBlank(raw)) {
      this.count++;
      this.nullCount++;
      return;
    }
    if (this.maybeNumber) {
      const x = parseNumber(raw);
      if (x === null) {
        this.ruleOut('NUMBER', raw);
        this.histogram = null;
        this.stray(raw);
      } else this.addNumber(x);
    } else if (this.numericish && parseNumber(raw) === null) {
      this.stray(raw);
    }
    if (this.maybeBoolean && parseBoolean(raw) === null) this.ruleOut('BOOLEAN', raw);
    if (this.maybeDate) {
      const ms = parseDateMs(raw);
      if (ms === null) this.ruleOut('DATE', raw);
      else {
        if (ms < this.earliest) this.earliest = ms;
        if (ms > this.latest) this.latest = ms;
      }
    }
    this.count++;
    // Past the cap, only CATEGORY/BOOLEAN top values still need the counts of known keys.
    if (!this.capped || this.mayNeedTopValues()) this.countDistinct(raw);
  }

  /** The profile of everything added so far. */
  finish(): ColumnProfile {
    const type = this.fixedType ?? this.inferType();
    const isNumber = type === 'NUMBER' && this.n > 0;
    const isDate = type === 'DATE' && this.earliest !== Infinity;
    let distinctCount = this.distinct.size;
    let topValues: ColumnProfile['topValues'] = [];
    if (type === 'BOOLEAN') {
      topValues = this.booleanCounts();
      distinctCount = topValues.length;
    } else if (type === 'CATEGORY') {
      topValues = [...this.distinct].map(([value, { count }]) => ({ value, count }));
      topValues.sort(byCountThenValue);
      topValues.length = Math.min(topValues.length, TOP_VALUES);
    }
    return {
      name: this.name,
      type,
      count: this.count,
      nullCount: this.nullCount,
      distinctCount,
      distinctCountCapped: this.capped,
      min: isNumber ? this.min : null,
      max: isNumber ? this.max : null,
      mean: isNumber ? this.mean : null,
      std: isNumber && this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : null,
      earliest: isDate ? formatDate(this.earliest) : null,
      latest: isDate ? formatDate(this.latest) : null,
      topValues,
      histogram: isNumber ? this.histogram?.finish() ?? null : null,
      warning: this.warning(type),
    };
  }

  /** Why a CATEGORY or TEXT column might not be what its data meant: almost every value was a number. */
  private warning(type: ColumnType): ColumnProfile['warning'] {
    const nonNull = this.count - this.nullCount;
    if (this.fixedType !== undefined || (type !== 'TEXT' && type !== 'CATEGORY') || !this.numericish || this.strays === 0 || nonNull < STRAY_MIN_VALUES || this.strays > STRAY_SHARE * nonNull) return null;
    return {
      message: `${this.strays.toLocaleString('en-US')} of ${nonNull.toLocaleString('en-US')} values are not numbers, so the column is ${type}; fix them, or set its type with columnTypes`,
      examples: [...this.strayExamples],
    };
  }

  private addNumber(x: number): void {
    const n = ++this.n;
    const delta = x - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.histogram?.add(x);
  }

  /** A non-number; once they are many and past STRAY_SHARE of the values, the column is not numeric at all and counting stops. */
  private stray(raw: string): void {
    this.strays++;
    if (this.strayExamples.length < STRAY_EXAMPLES && !this.strayExamples.includes(raw)) this.strayExamples.push(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
    if (this.strays > STRAY_EVIDENCE && this.strays > STRAY_SHARE * (this.count - this.nullCount + 1)) this.numericish = false;
  }

  private ruleOut(type: ColumnType, raw: string): void {
    if (this.fixedType !== undefined) throw new InvalidValueError(this.name, raw, type);
    if (type === 'NUMBER') this.maybeNumber = false;
    else if (type === 'BOOLEAN') this.maybeBoolean = false;
    else this.maybeDate = false;
  }

  private countDistinct(raw: string): void {
    // A boxed count makes a repeat value cost one map lookup instead of a get and a set.
    const seen = this.distinct.get(raw);
    if (seen !== undefined) seen.count++;
    else if (this.distinct.size < this.distinctLimit) this.distinct.set(raw, { count: 1 });
    else this.capped = true;
  }

  private mayNeedTopValues(): boolean {
    const t = this.fixedType;
    return t === undefined ? this.maybeBoolean : t === 'CATEGORY' || t === 'BOOLEAN';
  }

  private inferType(): ColumnType {
    const nonNull = this.count - this.nullCount;
    if (nonNull === 0) return 'TEXT';
    if (this.maybeNumber) return 'NUMBER';
    if (this.maybeBoolean) return 'BOOLEAN';
    if (this.maybeDate) return 'DATE';
    const distinct = this.distinct.size;
    const fewEnough = distinct <= CATEGORY_MAX_DISTINCT && distinct <= Math.max(2, 0.5 * nonNull);
    return !this.capped && fewEnough ? 'CATEGORY' : 'TEXT';
  }

  /** Raw spellings (`Yes`, `y`, `TRUE`...) folded into the values a BOOLEAN column stores. */
  private booleanCounts(): ColumnProfile['topValues'] {
    let yes = 0;
    let no = 0;
    for (const [value, { count }] of this.distinct) {
      if (parseBoolean(value)) yes += count;
      else no += count;
    }
    const folded = [];
    if (yes > 0) folded.push({ value: 'true', count: yes });
    if (no > 0) folded.push({ value: 'false', count: no });
    return folded.sort(byCountThenValue);
  }
}

function byCountThenValue(a: { value: string; count: number }, b: { value: string; count: number }): number {
  if (a.count !== b.count) return b.count - a.count;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
