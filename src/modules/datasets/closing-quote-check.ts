const QUOTE = 34; // "
const COMMA = 44;
const LF = 10;
const CR = 13;
/** `before` at the start of the source: a field starts there. */
const SOURCE_START = -1;

// Where the scan is: outside a quoted field, inside one, or inside one just after a quote (the
// start of `""`, or the field's end).
const PLAIN = 0;
const QUOTED = 1;
const QUOTE_IN_QUOTED = 2;

/**
 * Finds a quoted field with text after its closing quote (`"x"y`, `"x" ,`), which RFC 4180 does
 * not allow and which uploads refuse. csv-parse alone cannot give that rule: its `relax_quotes`
 * both keeps a quote inside an unquoted field as text (`5'11"`, which uploads accept) and reads
 * `"x"y` literally as `"x"y`; without it, both are errors. So the parser stays relaxed and this
 * scan, run on each chunk before the parser sees it, catches the second case.
 *
 * A quote opens a quoted field only as a field's first character (after a delimiter, a line end
 * or the start of the source, past a byte-order mark), as in csv-parse. Only quotes and the
 * character next to each are looked at, found with indexOf (memchr on bytes): a scan of every
 * character cost a tenth of the parse, measured. Chunks may be strings or UTF-8 bytes (every
 * character that matters is ASCII); the state carries over, so a quote at the end of a chunk is
 * judged by the next chunk's first character.
 */
export class ClosingQuoteCheck {
  private state = PLAIN;
  private started = false;
  /** The character before the chunk: the last one of the previous chunk. */
  private before = SOURCE_START;

  /**
   * Scans one chunk. Returns the offset in it of the first character after a closing quote that
   * is not a delimiter or a line end, or -1 if there is none.
   */
  scan(chunk: Buffer | string): number {
    let start = 0;
    if (!this.started) {
      this.started = true;
      start = bomLength(chunk);
    }
    const codeAt = typeof chunk === 'string' ? (at: number) => chunk.charCodeAt(at) : (at: number) => chunk[at];
    const nextQuote = typeof chunk === 'string' ? (from: number) => chunk.indexOf('"', from) : (from: number) => chunk.indexOf(QUOTE, from);
    let i = start;
    while (i < chunk.length) {
      if (this.state === QUOTE_IN_QUOTED) {
        const c = codeAt(i);
        if (c !== QUOTE && c !== COMMA && c !== LF && c !== CR) return i;
        // `""` is one quote and the field goes on; otherwise it has ended.
        this.state = c === QUOTE ? QUOTED : PLAIN;
        i++;
        continue;
      }
      const q = nextQuote(i);
      if (q === -1) break;
      if (this.state === QUOTED) this.state = QUOTE_IN_QUOTED;
      else if (opensField(q > start ? codeAt(q - 1) : this.before)) this.state = QUOTED;
      // else: a quote inside an unquoted field, which is text.
      i = q + 1;
    }
    if (chunk.length > start) this.before = codeAt(chunk.length - 1);
    return -1;
  }
}

function opensField(before: number): boolean {
  return before === COMMA || before === LF || before === CR || before === SOURCE_START;
}

function bomLength(chunk: Buffer | string): number {
  if (typeof chunk === 'string') return chunk.charCodeAt(0) === 0xfeff ? 1 : 0;
  return chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
}
