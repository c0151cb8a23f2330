import { finished } from 'node:stream/promises';
import { CsvError, Parser } from 'csv-parse';
import { isBlank } from './value-parsers';

/** CSV input: the whole text, or chunks of it (e.g. `fs.createReadStream(path)`). */
export type CsvSource = string | AsyncIterable<Buffer | string>;

/** Consecutive data rows, in source order. */
export interface CsvBatch {
  /** One array per row, as long as the header; empty and whitespace-only cells are null. */
  rows: (string | null)[][];
  /** 1-based source line where `rows[0]` starts. */
  firstLine: number;
  /** 1-based source line where each row starts (rows may span lines or have blank lines between). */
  lines: number[];
}

/** Options of {@link openCsv}. */
export interface OpenCsvOptions {
  /** Rows per batch, at most; default 5000. */
  batchSize?: number;
}

/** A CSV whose header has been read and checked, with its data rows still to come. */
export interface OpenedCsv {
  /** Column names, trimmed, unique and non-empty. */
  header: string[];
  /**
   * The data rows, read from the source as they are pulled. Throws {@link CsvFormatError} on the
   * first malformed row, or when there are no data rows at all.
   */
  batches: AsyncGenerator<CsvBatch, void, undefined>;
  /** Releases the source early (e.g. a file handle); safe to call at any time, more than once. */
  close(): Promise<void>;
}

/** A CSV that cannot be read. The message is meant for the user and names the line. */
export class CsvFormatError extends Error {
  constructor(
    message: string,
    /** 1-based source line, when known. */
    readonly line?: number,
    /** Column name, or 1-based position when it has no usable name. */
    readonly column?: string | number,
  ) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

// csv-parse copies each chunk into the pending record buffer byte by byte; chunks of this size
// keep the per-chunk overhead negligible without holding much of a large source in memory.
const STRING_CHUNK = 1 << 20;
// Guards against a stray quote swallowing the rest of a large file into one field.
const MAX_RECORD_CHARS = 4 << 20;

/**
 * Takes records as csv-parse emits them rather than through the readable side: at that moment
 * `info` still describes the record, which gives exact line numbers for free (the `info` and
 * `on_record` options give them too, at three times the parse cost, measured).
 */
class RowCollector extends Parser {
  header: string[] | null = null;
  headerLine = 0;
  rows: (string | null)[][] = [];
  lines: number[] = [];
  failure: CsvFormatError | null = null;
  // csv-parse counts lines itself; `lastEnd`/`lastEmpty` are its counters at the previous record,
  // and `skew` corrects its double count of a CRLF inside a quoted field.
  private lastEnd = 0;
  private lastEmpty = 0;
  private skew = 0;

  constructor() {
    super({
      bom: true,
      skip_empty_lines: true,
      // Field counts and blank lines are checked here, to word the errors and skip "   " lines.
      relax_column_count: true,
      // A quote inside an unquoted field (`5" screen`) is kept as text, as spreadsheets do.
      relax_quotes: true,
      max_record_size: MAX_RECORD_CHARS,
    });
  }

  /** Line where the record being parsed (or the one just emitted) starts. */
  pendingLine(): number {
    return this.lastEnd + 1 + (this.info.empty_lines - this.lastEmpty) - this.skew;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    if (this.failure === null) this.collect(chunk as string[]);
    return true;
  }

  private collect(record: string[]): void {
    const line = this.pendingLine();
    const end = this.info.lines;
    if (end - this.skew > line) this.skew += countCrLf(record);
    this.lastEnd = end;
    this.lastEmpty = this.info.empty_lines;
    const width = record.length;
    if (width === 1 && record[0].length > 0 && isBlank(record[0])) return;
    if (this.header === null) {
      this.header = record;
      this.headerLine = line;
      return;
    }
    if (width !== this.header.length) {
      this.failure = new CsvFormatError(
        `CSV line ${line} has ${width} field${width === 1 ? '' : 's'}, expected ${this.header.length}`,
        line,
      );
      return;
    }
    const row = record as (string | null)[];
    for (let i = 0; i < width; i++) if (isBlank(record[i])) row[i] = null;
    this.rows.push(row);
    this.lines.push(line);
  }
}

function countCrLf(record: string[]): number {
  let n = 0;
  for (const field of record) for (let i = field.indexOf('\r\n'); i !== -1; i = field.indexOf('\r\n', i + 2)) n++;
  return n;
}

function countNewlines(chunk: Buffer | string, end = chunk.length): number {
  let n = 0;
  if (typeof chunk === 'string') {
    for (let i = chunk.indexOf('\n'); i !== -1 && i < end; i = chunk.indexOf('\n', i + 1)) n++;
  } else {
    for (let i = chunk.indexOf(10); i !== -1 && i < end; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

async function* chunksOf(source: CsvSource): AsyncGenerator<Buffer | string, void, undefined> {
  if (typeof source !== 'string') {
    yield* source;
    return;
  }
  for (let i = 0; i < source.length; i += STRING_CHUNK) yield source.slice(i, i + STRING_CHUNK);
}

/** Moves chunks from the source, through encoding checks, into the parser, one per `next()`. */
class Pump {
  readonly parser = new RowCollector();
  private readonly chunks: AsyncGenerator<Buffer | string, void, undefined>;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private linesBefore = 0;
  private pendingHighSurrogate = '';
  private done = false;

  constructor(source: CsvSource) {
    this.chunks = chunksOf(source);
    this.parser.on('error', () => {}); // errors reach us through the write/finish callbacks
  }

  /** Feeds one more chunk, or ends the parse; false once the source is exhausted. */
  async next(): Promise<boolean> {
    if (this.done) return false;
    const { value, done } = await this.chunks.next();
    try {
      if (done) {
        this.done = true;
        this.checkDecoderFlushed();
        const flushed = finished(this.parser, { readable: false });
        this.parser.end();
        await flushed;
      } else {
        const chunk = this.checked(value);
        await new Promise<void>((resolve, reject) =>
          this.parser.write(chunk, (err) => (err ? reject(err) : resolve())),
        );
      }
    } catch (err) {
      throw err instanceof CsvError ? this.describe(err) : err;
    }
    if (this.parser.failure !== null) throw this.parser.failure;
    return !this.done;
  }

  async close(): Promise<void> {
    this.done = true;
    await this.chunks.return(undefined);
    this.parser.destroy();
  }

  private checked(chunk: Buffer | string): Buffer | string {
    if (typeof chunk === 'string') {
      // A code point split across chunks would be encoded as two replacement characters.
      let text = this.pendingHighSurrogate + chunk;
      const last = text.charCodeAt(text.length - 1);
      this.pendingHighSurrogate = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : '';
      if (this.pendingHighSurrogate !== '') text = text.slice(0, -1);
      // U+FFFD is what a lenient decoder left of bytes that were not UTF-8.
      const bad = text.indexOf('\uFFFD');
      if (bad !== -1) throw this.notUtf8(this.linesBefore + countNewlines(text, bad));
      this.linesBefore += countNewlines(text);
      return text;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.notUtf8(this.linesBefore + linesBeforeBadByte(chunk));
    }
    this.linesBefore += countNewlines(chunk);
    return chunk;
  }

  private checkDecoderFlushed(): void {
    try {
      this.decoder.decode();
    } catch {
      throw this.notUtf8(this.linesBefore);
    }
    if (this.pendingHighSurrogate !== '') throw this.notUtf8(this.linesBefore);
  }

  private notUtf8(newlinesBefore: number): CsvFormatError {
    const line = newlinesBefore + 1;
    return new CsvFormatError(`CSV is not valid UTF-8 (line ${line})`, line);
  }

  private describe(err: CsvError): CsvFormatError {
    const line = this.parser.pendingLine();
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      return new CsvFormatError(`CSV line ${line}: a quoted field is never closed (missing closing quote)`, line);
    }
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      return new CsvFormatError(
        `CSV line ${line}: a record is longer than ${MAX_RECORD_CHARS} characters (missing closing quote?)`,
        line,
      );
    }
    return new CsvFormatError(`CSV line ${line}: ${err.message}`, line);
  }
}

/** Newlines before the first invalid byte of a chunk the strict decoder rejected (approximate). */
function linesBeforeBadByte(chunk: Buffer): number {
  // Skip continuation bytes of a character that began in the previous chunk.
  let start = 0;
  while (start < 3 && (chunk[start] & 0xc0) === 0x80) start++;
  const text = new TextDecoder('utf-8').decode(chunk.subarray(start));
  const bad = text.indexOf('\uFFFD');
  return countNewlines(text, bad === -1 ? 0 : bad);
}

function checkedHeader(raw: string[], line: number): string[] {
  const header = raw.map((name) => name.trim());
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new CsvFormatError(`CSV line ${line}: column ${i + 1} has an empty name`, line, i + 1);
    const first = seen.get(name);
    if (first !== undefined) {
      throw new CsvFormatError(
        `CSV line ${line}: column name "${name}" is used twice (columns ${first + 1} and ${i + 1})`,
        line,
        name,
      );
    }
    seen.set(name, i);
  });
  return header;
}

/**
 * Opens a CSV: reads up to its header (the first non-blank line) and checks it, then returns the
 * header and a generator of data-row batches that reads the rest of the source on demand.
 *
 * Parsing follows RFC 4180 (quoted fields may hold commas, newlines and `""`), with LF or CRLF
 * line ends, an optional UTF-8 byte-order mark, and blank lines skipped. Header names are trimmed;
 * values are not, except that whitespace-only values become null.
 * @throws CsvFormatError for an empty CSV, a bad header (empty or duplicate names), or input that
 * is not UTF-8 before the header ends. Later problems are thrown by `batches`.
 */
export async function openCsv(source: CsvSource, options: OpenCsvOptions = {}): Promise<OpenedCsv> {
  const { batchSize = 5000 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const pump = new Pump(source);
  const { parser } = pump;
  let header: string[];
  try {
    while (parser.header === null && (await pump.next()));
    if (parser.header === null) throw new CsvFormatError('CSV is empty');
    header = checkedHeader(parser.header, parser.headerLine);
  } catch (err) {
    await pump.close();
    throw err;
  }

  async function* batches(): AsyncGenerator<CsvBatch, void, undefined> {
    try {
      let total = 0;
      for (;;) {
        let more = true;
        while (parser.rows.length < batchSize && more) more = await pump.next();
        if (parser.rows.length === 0) break;
        const rows = parser.rows.splice(0, batchSize);
        const lines = parser.lines.splice(0, batchSize);
        total += rows.length;
        yield { rows, firstLine: lines[0], lines };
      }
      if (total === 0) throw new CsvFormatError('CSV has a header but no data rows');
    } finally {
      await pump.close();
    }
  }

  return { header, batches: batches(), close: () => pump.close() };
}
