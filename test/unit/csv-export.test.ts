import { describe, expect, it } from 'vitest';
import { csvStream, escapeFormula } from '../../src/engines/export/csv-export';

describe('CSV exports', () => {
  it('escapes what a spreadsheet would run as a formula, and leaves numbers and text alone', () => {
    expect(['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx'].map(escapeFormula)).toEqual(['\'=1+1', '\'+SUM(A1)', '\'-2+3', '\'@cmd', '\'\tx', '\'\rx']);
    expect(['-12.5', '+3', '-1e-7', '-.5', 'plain', '', 'a=b'].map(escapeFormula)).toEqual(['-12.5', '+3', '-1e-7', '-.5', 'plain', '', 'a=b']);
  });

  it('writes the header and rows, quoting where CSV needs it, pulling rows as they are read', async () => {
    let pulled = 0;
    async function* rows() {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield [i, i === 1 ? 'a, "b"' : '=HYPERLINK()', null, true];
      }
    }
    const chunks: Buffer[] = [];
    for await (const chunk of csvStream(['n', 'text', 'empty', 'flag'], rows(), { escapeFormulas: true })) chunks.push(Buffer.from(chunk));
    expect(pulled).toBe(3);
    expect(Buffer.concat(chunks).toString()).toBe('n,text,empty,flag\n0,\'=HYPERLINK(),,true\n1,"a, ""b""",,true\n2,\'=HYPERLINK(),,true\n');
  });
});
