import { finished } from 'node:stream/promises';
import { CsvError, Parser } from 'csv-parse';
import { nameProblem, quoted } from '../../core/names';
import { isBlank } from '../../ml/value-parsers';
import { ClosingQuoteCheck } from './closing-quote-check';

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
  /** Most columns the header may have (MAX_DATASET_COLUMNS); default 2000. */
  maxColumns?: number;
}

const DEFAULT_MAX_COLUMNS = 2000;

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

// Large enough that per-chunk costs vanish (64 KiB to 1 MiB measured the same), small enough
// that rows parsed ahead of the consumer stay around one batch.
const STRING_CHUNK = 256 << 10;
// Guards against a stray quote swallowing the rest of a large file into one field.
const MAX_RECORD_CHARS = 4 << 20;
const PARSE_PROBLEMS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (missing closing quote)',
  CSV_MAX_RECORD_SIZE: `a record is longer than ${MAX_RECORD_CHARS} characters (missing closing quote?)`,
};

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
  /** When set, the next record is not collected: its width is kept in probedWidth. */
  probing = false;
  probedWidth = 0;
  // csv-parse's line counters at the previous record, and a correction for its double count of
  // a CRLF inside a quoted field.
  private lastEnd = 0;
  private lastEmpty = 0;
  private skew = 0;

  constructor() {
    super({
      bom: true,
      skip_empty_lines: true,
      // Field counts are checked here, to word the error and to skip whitespace-only lines.
      relax_column_count: true,
      // A quote inside an unquoted field (`5" screen`) is kept as text, as spreadsheets do. This
      // also reads `"x"y` as `"x"y`; ClosingQuoteCheck refuses that before the parser sees it.
      relax_quotes: true,
      max_record_size: MAX_RECORD_CHARS,
      // Named rather than discovered: discovery rescans everything buffered on every chunk until
      // it sees a line end, which made a 1.3 MB header line (100,000 columns) cost 400 ms.
      record_delimiter: ['\r\n', '\n', '\r'],
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
    if (end - this.skew > line) this.skew += record.reduce((n, f) => n + f.split('\r\n').length - 1, 0);
    this.lastEnd = end;
    this.lastEmpty = this.info.empty_lines;
    const width = record.length;
    if (this.probing) {
      this.probedWidth ||= width;
      return;
    }
    if (width === 1 && record[0].length > 0 && isBlank(record[0])) return;
    if (this.header === null) {
      this.header = record;
      this.headerLine = line;
    } else if (width !== this.header.length) {
      const fields = `${width} field${width === 1 ? '' : 's'}`;
      this.failure = new CsvFormatError(`CSV line ${line} has ${fields}, expected ${this.header.length}`, line);
    } else {
      const row = record as (string | null)[];
      for (let i = 0; i < width; i++) if (isBlank(record[i])) row[i] = null;
      this.rows.push(row);
      this.lines.push(line);
    }
  }
}

/** Moves the source, one checked chunk per `next()`, into the parser. */
class Pump {
  readonly parser = new RowCollector();
  private readonly chunks: AsyncGenerator<Buffer | string, void, undefined>;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private newlinesBefore = 0;
  private highSurrogate = '';
  private done = false;
  private readonly headerWidth: HeaderWidth;
  private readonly quotes = new ClosingQuoteCheck();
  private pendingText: string | null = null;

  constructor(source: CsvSource, maxColumns: number) {
    this.chunks = chunksOf(source);
    this.headerWidth = new HeaderWidth(maxColumns);
    // A text at hand is scanned to its header's end at once, for an exact count in the message.
    if (typeof source === 'string') this.pendingText = source;
    this.parser.on('error', () => {}); // errors arrive through the write and finish callbacks
  }

  /** Feeds one more chunk, or ends the parse; false once the source is exhausted. */
  async next(): Promise<boolean> {
    if (this.done) return false;
    const { value, done } = await this.chunks.next();
    try {
      if (this.pendingText !== null) {
        const text = this.pendingText;
        this.pendingText = null;
        this.headerWidth.scan(text);
      }
      if (done) {
        this.done = true;
        this.checkTruncation();
        const flushed = finished(this.parser, { readable: false });
        this.parser.end();
        await flushed;
      } else {
        const chunk = this.checked(value);
        this.headerWidth.scan(chunk);
        const textAfterQuote = this.quotes.scan(chunk);
        if (textAfterQuote === -1) await this.write(chunk);
        else {
          // The records before it are parsed first: an earlier problem is the one to report, and
          // the parser then knows the header and where the faulty record starts.
          await this.write(typeof chunk === 'string' ? chunk.slice(0, textAfterQuote) : chunk.subarray(0, textAfterQuote));
          if (this.parser.failure === null) throw await this.textAfterQuote();
        }
      }
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      const line = this.parser.pendingLine();
      throw new CsvFormatError(`CSV line ${line}: ${PARSE_PROBLEMS[err.code] ?? err.message}`, line);
    }
    if (this.parser.failure !== null) throw this.parser.failure;
    return !this.done;
  }

  private write(chunk: Buffer | string): Promise<void> {
    return new Promise<void>((resolve, reject) => this.parser.write(chunk, (e) => (e ? reject(e) : resolve())));
  }

  /** The error for a field with text after its closing quote, the parser having read up to that text. */
  private async textAfterQuote(): Promise<CsvFormatError> {
    const line = this.parser.pendingLine();
    // The header is known before this record only if this record is a data row.
    const header = this.parser.header;
    // Ending the record and the parse here tells which field it was (the last one); the parser
    // holds a line end back until it sees what follows, hence end() rather than write().
    this.parser.probing = true;
    const flushed = finished(this.parser, { readable: false });
    this.parser.end('\n');
    await flushed.catch(() => {}); // then the field is not named
    const field = this.parser.probedWidth;
    const name = field > 0 ? header?.[field - 1]?.trim() : undefined;
    const where = name ? `, column ${quoted(name)}` : field > 0 ? `, field ${field}` : '';
    return new CsvFormatError(
      `CSV line ${line}${where}: a quoted field has text after its closing quote. To keep quotes in a value, quote the whole field and double each quote inside it (x"y is written "x""y")`,
      line,
      name || (field > 0 ? field : undefined),
    );
  }

  async close(): Promise<void> {
    this.done = true;
    await this.chunks.return(undefined);
    this.parser.destroy();
  }

  private checked(chunk: Buffer | string): Buffer | string {
    if (typeof chunk !== 'string') {
      try {
        this.decoder.decode(chunk, { stream: true });
      } catch {
        throw this.notUtf8(newlinesBeforeBadByte(chunk));
      }
      this.newlinesBefore += countNewlines(chunk);
      return chunk;
    }
    // A pair split between chunks would otherwise be encoded as two replacement characters.
    let text = this.highSurrogate + chunk;
    const last = text.charCodeAt(text.length - 1);
    this.highSurrogate = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : '';
    if (this.highSurrogate !== '') text = text.slice(0, -1);
    // U+FFFD is what a lenient decoder made of bytes that were not UTF-8.
    const bad = text.indexOf('\uFFFD');
    if (bad !== -1) throw this.notUtf8(countNewlines(text, bad));
    this.newlinesBefore += countNewlines(text);
    return text;
  }

  /** The source may end in the middle of a character. */
  private checkTruncation(): void {
    let truncated = this.highSurrogate !== '';
    try {
      this.decoder.decode();
    } catch {
      truncated = true;
    }
    if (truncated) throw this.notUtf8(0);
  }

  private notUtf8(newlinesInChunk: number): CsvFormatError {
    const line = this.newlinesBefore + newlinesInChunk + 1;
    return new CsvFormatError(`CSV is not valid UTF-8 (line ${line})`, line);
  }
}

/**
 * Counts the header's columns in the raw text, before csv-parse sees it: a 100,000-column header
 * is refused after one scan of its line (about 1 ms a megabyte) rather than after csv-parse has
 * split it into 100,000 strings (about 40 ms a megabyte, on the event loop). Quote-aware, so a
 * quoted comma does not count; the exact checks stay with checkedHeader.
 */
class HeaderWidth {
  private separators = 0;
  private inQuotes = false;
  private sawText = false;
  private blankLines = 0;
  private done = false;

  constructor(private readonly maxColumns: number) {}

  /** Scans one chunk of the header's part of the source; throws once the header is too wide. */
  scan(chunk: Buffer | string): void {
    if (this.done) return;
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1'); // only ASCII matters here
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) this.inQuotes = !this.inQuotes;
      else if (this.inQuotes) continue;
      else if (c === 44 /* , */) this.separators++;
      else if (c === 10 /* \n */ || c === 13 /* \r */) {
        // Blank lines before the header are skipped, as the parser skips them.
        if (this.sawText) {
          this.done = true;
          break;
        }
        this.separators = 0;
        if (c === 10) this.blankLines++;
      } else if (c > 32 && c !== 0xfeff) this.sawText = true;
    }
    if (this.separators + 1 > this.maxColumns) {
      const line = this.blankLines + 1;
      throw new CsvFormatError(`CSV line ${line}: ${this.done ? '' : 'at least '}${this.separators + 1} columns is over the limit of ${this.maxColumns} (MAX_DATASET_COLUMNS)`, line);
    }
  }
}

async function* chunksOf(source: CsvSource): AsyncGenerator<Buffer | string, void, undefined> {
  if (typeof source !== 'string') yield* source;
  else for (let i = 0; i < source.length; i += STRING_CHUNK) yield source.slice(i, i + STRING_CHUNK);
}

function countNewlines(chunk: Buffer | string, end = chunk.length): number {
  const find =
    typeof chunk === 'string' ? (from: number) => chunk.indexOf('\n', from) : (from: number) => chunk.indexOf(10, from);
  let n = 0;
  for (let i = find(0); i !== -1 && i < end; i = find(i + 1)) n++;
  return n;
}

/** Newlines before the first invalid byte of a chunk the strict decoder rejected (approximate). */
function newlinesBeforeBadByte(chunk: Buffer): number {
  let start = 0; // skip the tail of a character that began in the previous chunk
  while (start < 3 && (chunk[start] & 0xc0) === 0x80) start++;
  const text = new TextDecoder('utf-8').decode(chunk.subarray(start));
  const bad = text.indexOf('\uFFFD');
  return countNewlines(text, bad === -1 ? 0 : bad);
}

function checkedHeader(raw: string[], line: number, maxColumns: number): string[] {
  if (raw.length > maxColumns) throw new CsvFormatError(`CSV line ${line}: ${raw.length} columns is over the limit of ${maxColumns} (MAX_DATASET_COLUMNS)`, line);
  const header = raw.map((name) => name.trim());
  // A map, not indexOf per column: 100,000 columns must cost 100,000 steps, not 10^10.
  const firstAt = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    const name = header[i];
    if (name === '') throw new CsvFormatError(`CSV line ${line}: column ${i + 1} has an empty name`, line, i + 1);
    const problem = nameProblem(name);
    if (problem) throw new CsvFormatError(`CSV line ${line}: the name of column ${i + 1} ${problem}`, line, i + 1);
    const first = firstAt.get(name);
    if (first !== undefined) {
      throw new CsvFormatError(`CSV line ${line}: column name "${name}" is used twice (columns ${first + 1} and ${i + 1})`, line, name);
    }
    firstAt.set(name, i);
  }
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
  const { batchSize = 5000, maxColumns = DEFAULT_MAX_COLUMNS } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const pump = new Pump(source, maxColumns);
  const { parser } = pump;
  let header: string[];
  try {
    while (parser.header === null && (await pump.next()));
    if (parser.header === null) throw new CsvFormatError('CSV is empty');
    header = checkedHeader(parser.header, parser.headerLine, maxColumns);
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
