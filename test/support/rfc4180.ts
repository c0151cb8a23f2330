/**
 * An independent reading of a CSV text, to check the server's (csv-parse) against: RFC 4180
 * records with the dialect the API documents on createDataset, namely LF, CRLF or CR line ends,
 * an optional UTF-8 BOM, blank and whitespace-only lines skipped, and a quote inside an unquoted
 * field kept as text, and a quoted field with text after its closing quote (`"x"y`) refused.
 * Written out by hand rather than by another CSV library so that it shares nothing with the
 * server's parser, and in TypeScript rather than Python's csv module, whose dialect differs (it
 * keeps blank lines as empty records and has no option to skip them).
 */
export type Rfc4180Reading =
  | { ok: true; header: string[]; rows: number; widths: Set<number> }
  | { ok: false; reason: string };

/** The reason given for a quoted field with text after its closing quote: uploads must refuse it. */
export const TEXT_AFTER_QUOTE = 'text after a closing quote';

export function readRfc4180(text: string): Rfc4180Reading {
  const records: string[][] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const fields: string[] = [];
    let field = '';
    let quotedFieldEnded = false;
    let endOfRecord = false;
    let fieldStart = true;
    while (i < text.length && !endOfRecord) {
      const c = text[i];
      if (fieldStart && c === '"') {
        // A quoted field runs to the next lone quote; "" is one quote.
        i++;
        for (;;) {
          if (i >= text.length) return { ok: false, reason: 'a quoted field is never closed' };
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          field += text[i++];
        }
        quotedFieldEnded = true;
        fieldStart = false;
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        fieldStart = true;
        quotedFieldEnded = false;
        i++;
        continue;
      }
      if (c === '\r' || c === '\n') {
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        endOfRecord = true;
        continue;
      }
      if (quotedFieldEnded) return { ok: false, reason: TEXT_AFTER_QUOTE };
      field += c;
      fieldStart = false;
      i++;
    }
    fields.push(field);
    // Empty lines, and lines holding only whitespace, are not records.
    if (fields.length === 1 && !quotedFieldEnded && fields[0].trim() === '') continue;
    if (fields.length === 1 && fields[0].trim() === '' && fields[0] !== '') continue;
    records.push(fields);
  }
  if (records.length === 0) return { ok: false, reason: 'empty' };
  const [header, ...rows] = records;
  return { ok: true, header, rows: rows.length, widths: new Set(rows.map((r) => r.length)) };
}
