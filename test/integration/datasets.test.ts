import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numericColumn, readDataset, stats } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';

const CREATE = `mutation($input: CreateDatasetInput!) {
  createDataset(input: $input) { id name kind latestVersion rowCount columns { name type nullCount distinctCount min max mean std topValues { value count } } }
}`;
const APPEND = `mutation($input: AppendDatasetRowsInput!) {
  appendDatasetRows(input: $input) { id version rowCount source columns { name min max mean } parent { version rowCount } }
}`;

let server: TestServer;
let germanCreditId: string;

/** Rows in the tables a failed request must not touch. */
async function writtenRows() {
  const db = server.services.db.dataSource;
  const count = async (table: string) => Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return { datasets: await count('dataset'), versions: await count('dataset_version'), artifacts: await count('artifact'), chunks: await count('artifact_chunk') };
}

/** Sends a bad request and checks its error code, and that it wrote nothing. */
async function expectRejected(query: string, variables: Record<string, unknown>, code: string, message?: RegExp) {
  const before = await writtenRows();
  const res = await server.request(query, variables);
  expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res.errors)).toBe(code);
  if (message) expect(res.errors![0].message).toMatch(message);
  expect(await writtenRows()).toEqual(before);
  return res.errors![0];
}

beforeAll(async () => {
  server = await startTestServer();
  const created = await server.query(CREATE, { input: { name: 'german-credit', csv: readDataset('GermanCredit.csv') } });
  germanCreditId = created.createDataset.id;
});
afterAll(() => server?.close());

describe('createDataset', () => {
  it('ingests GermanCredit.csv with row count and column statistics matching an independent computation', async () => {
    const csv = readDataset('GermanCredit.csv');
    const { dataset } = await server.query(`query($id: ID!) { dataset(id: $id) { id rowCount latestVersion columns { name type nullCount distinctCount min max mean std } } }`, { id: germanCreditId });
    expect(dataset.rowCount).toBe(1000);
    expect(dataset.latestVersion).toBe(1);
    expect(dataset.columns).toHaveLength(32);
    for (const name of ['AMOUNT', 'RESPONSE']) {
      const expected = stats(numericColumn(csv, name));
      const column = dataset.columns.find((c: { name: string }) => c.name === name);
      expect(column.type).toBe('NUMBER');
      expect(column.nullCount).toBe(0);
      expect(column.distinctCount).toBe(expected.distinct);
      expect(column.min).toBe(expected.min);
      expect(column.max).toBe(expected.max);
      expect(column.mean).toBeCloseTo(expected.mean, 9);
      expect(column.std).toBeCloseTo(expected.std, 9);
    }
  });

  it('infers DATE from `1-May-95` dates behind a BOM and pages rows typed', async () => {
    const { createDataset } = await server.query(CREATE, { input: { name: 'sp500', csv: readDataset('SP500.csv') } });
    expect(createDataset.columns.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([['Date', 'DATE'], ['Close', 'NUMBER']]);
    const { dataset } = await server.query(`query($id: ID!) { dataset(id: $id) { rows(first: 2) { edges { node { index values } } pageInfo { hasNextPage } totalCount } } }`, { id: createDataset.id });
    expect(dataset.rows.totalCount).toBe(100);
    expect(dataset.rows.edges[0].node).toEqual({ index: 0, values: { Date: '1995-05-01', Close: 533.4 } });
  });

  it('understands quoted fields, CRLF, empty values and categories', async () => {
    const csv = 'id,city,note,score\r\n1,"Paris, FR","said ""hi""",\r\n2,Oslo,"two\nlines",3.5\r\n3,Oslo,,4\r\n4,Paris,x,1\r\n';
    const { createDataset } = await server.query(CREATE, { input: { name: 'quoted', csv } });
    const byName = Object.fromEntries(createDataset.columns.map((c: { name: string }) => [c.name, c]));
    expect(createDataset.rowCount).toBe(4);
    expect(byName.score).toMatchObject({ type: 'NUMBER', nullCount: 1, min: 1, max: 4 });
    expect(byName.note.nullCount).toBe(1);
    const { dataset } = await server.query(`query($id: ID!) { dataset(id: $id) { rows(first: 2) { edges { node { values } } } } }`, { id: createDataset.id });
    expect(dataset.rows.edges[0].node.values).toEqual({ id: 1, city: 'Paris, FR', note: 'said "hi"', score: null });
    expect(dataset.rows.edges[1].node.values.note).toBe('two\nlines');
  });
});

describe('rows paging', () => {
  it('walks every row once with first/after, in file order', async () => {
    const amounts = numericColumn(readDataset('GermanCredit.csv'), 'AMOUNT');
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const { dataset }: any = await server.query(`query($id: ID!, $after: String) { dataset(id: $id) { rows(first: 100, after: $after) { edges { node { index values } } pageInfo { hasNextPage endCursor } } } }`, { id: germanCreditId, after });
      seen.push(...dataset.rows.edges.map((e: any) => e.node.values.AMOUNT));
      expect(dataset.rows.edges[0].node.index).toBe(page * 100);
      after = dataset.rows.pageInfo.endCursor;
      if (!dataset.rows.pageInfo.hasNextPage) break;
    }
    expect(seen).toEqual(amounts);
  });

  it('rejects a page larger than MAX_PAGE_SIZE and a forged cursor', async () => {
    const big = await server.request(`query($id: ID!) { dataset(id: $id) { rows(first: 101) { totalCount } } }`, { id: germanCreditId });
    expect(big.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const forged = await server.request(`query($id: ID!) { dataset(id: $id) { rows(first: 1, after: "nonsense") { totalCount } } }`, { id: germanCreditId });
    expect(forged.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('appendDatasetRows', () => {
  it('makes version 2 from JSON rows and CSV, leaving version 1 as it was', async () => {
    const { createDataset } = await server.query(CREATE, { input: { name: 'prices', csv: 'day,price,side\n2024-01-02,10,buy\n2024-01-03,12,sell\n' } });
    const v2 = await server.query(APPEND, { input: { datasetId: createDataset.id, rows: [{ day: '2024-01-04', price: 14, side: 'buy' }] } });
    expect(v2.appendDatasetRows).toMatchObject({ version: 2, rowCount: 3, source: 'APPEND', parent: { version: 1, rowCount: 2 } });
    const price = v2.appendDatasetRows.columns.find((c: { name: string }) => c.name === 'price');
    expect(price).toMatchObject({ min: 10, max: 14, mean: 12 });
    const v3 = await server.query(APPEND, { input: { datasetId: createDataset.id, csv: 'side,price,day\nsell,20,2024-01-05\n' } });
    expect(v3.appendDatasetRows).toMatchObject({ version: 3, rowCount: 4 });
    const { dataset } = await server.query(`query($id: ID!) {
      dataset(id: $id) { latestVersion rowCount v1: rows(version: 1) { totalCount } all: rows { edges { node { values } } }
        versions { totalCount edges { node { version rowCount } } } }
    }`, { id: createDataset.id });
    expect(dataset.latestVersion).toBe(3);
    expect(dataset.v1.totalCount).toBe(2);
    expect(dataset.all.edges.map((e: any) => e.node.values)).toEqual([
      { day: '2024-01-02', price: 10, side: 'buy' },
      { day: '2024-01-03', price: 12, side: 'sell' },
      { day: '2024-01-04', price: 14, side: 'buy' },
      { day: '2024-01-05', price: 20, side: 'sell' },
    ]);
    expect(dataset.versions.totalCount).toBe(3);
    expect(dataset.versions.edges.map((e: any) => e.node.version)).toEqual([3, 2, 1]);
  });

  it('rejects rows with a missing, unknown or mistyped column and writes nothing', async () => {
    const missing = await expectRejected(APPEND, { input: { datasetId: germanCreditId, rows: [{ AMOUNT: 100 }] } }, 'BAD_USER_INPUT', /missing column/);
    expect(missing.message).toMatch(/rows\[0\]/);
    await expectRejected(APPEND, { input: { datasetId: germanCreditId, csv: 'AMOUNT\n100\n' } }, 'BAD_USER_INPUT', /missing column/);
    const csv = readDataset('GermanCredit.csv').split('\n');
    const bad = csv[1].split(',');
    bad[10] = 'lots';
    const mistyped = await expectRejected(APPEND, { input: { datasetId: germanCreditId, csv: `${csv[0]}\n${csv[1]}\n${bad.join(',')}\n` } }, 'BAD_USER_INPUT', /AMOUNT/);
    expect(mistyped.message).toMatch(/line 3/);
    await expectRejected(APPEND, { input: { datasetId: germanCreditId, rows: [{ ...Object.fromEntries(csv[0].trim().split(',').map((c) => [c, 1])), EXTRA: 1 }] } }, 'BAD_USER_INPUT', /unknown column "EXTRA"/);
  });

  it('answers NOT_FOUND for an unknown dataset', async () => {
    await expectRejected(APPEND, { input: { datasetId: 'ds_01JZZZZZZZZZZZZZZZZZZZZZZZ', rows: [{ a: 1 }] } }, 'NOT_FOUND');
  });
});

describe('bad CSV is refused with a clear error and leaves nothing behind', () => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/i],
    ['header only', 'a,b,c\n', /no data rows/i],
    ['ragged rows', 'a,b\n1,2\n3,4,5\n', /line 3/],
    ['duplicate column names', 'a,b,a\n1,2,3\n', /"?a"?/],
    ['unclosed quote', 'a,b\n1,"2\n3,4\n', /quote|line/i],
  ];
  for (const [label, csv, message] of cases) {
    it(label, async () => {
      await expectRejected(CREATE, { input: { name: `bad-${label}`, csv } }, 'BAD_USER_INPUT', message);
    });
  }

  it('non-UTF-8 bytes', async () => {
    const before = await writtenRows();
    // "Müller" in Latin-1: 0xFC is not valid UTF-8.
    const [head, tail] = JSON.stringify({ query: CREATE, variables: { input: { name: 'latin1', csv: 'name,x\n@@,1\n' } } }).split('@@');
    const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]), Buffer.from(tail)]);
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: server.adminAuth }, body: bytes });
    const json: any = await res.json();
    expect(json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(json.errors[0].message).toMatch(/UTF-8/);
    expect(await writtenRows()).toEqual(before);
  });

  it('a duplicate name is a CONFLICT', async () => {
    await expectRejected(CREATE, { input: { name: 'german-credit', csv: 'a\n1\n' } }, 'CONFLICT');
  });

  it('a name over 200 characters', async () => {
    await expectRejected(CREATE, { input: { name: 'x'.repeat(201), csv: 'a\n1\n' } }, 'BAD_USER_INPUT', /name/);
  });

  it('a 50 MB CSV over MAX_UPLOAD_BYTES', async () => {
    const line = '1,2,3,4,5,6,7,8,9,10\n';
    const csv = 'a,b,c,d,e,f,g,h,i,j\n' + line.repeat(Math.ceil((50 * 1024 * 1024) / line.length));
    const before = await writtenRows();
    const res = await server.request(CREATE, { input: { name: 'huge', csv } });
    expect(res.status).toBe(413);
    expect(res.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await writtenRows()).toEqual(before);
  });

  it('an unknown dataset id is NOT_FOUND', async () => {
    const res = await server.request(`{ dataset(id: "ds_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }`);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('datasets list', () => {
  it('filters by name, kind and creation time, and pages with cursors', async () => {
    const all = await server.query(`{ datasets(first: 100) { totalCount edges { node { name createdAt } } } }`);
    expect(all.datasets.totalCount).toBeGreaterThanOrEqual(4);
    const created = all.datasets.edges.map((e: any) => e.node.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const named = await server.query(`{ datasets(filter: { nameContains: "GERMAN" }) { edges { node { name } } } }`);
    expect(named.datasets.edges.map((e: any) => e.node.name)).toEqual(['german-credit']);
    const future = await server.query(`{ datasets(filter: { createdAfter: "2999-01-01T00:00:00Z" }) { totalCount } }`);
    expect(future.datasets.totalCount).toBe(0);
    const streaming = await server.query(`{ datasets(filter: { kind: STREAMING }) { totalCount } }`);
    expect(streaming.datasets.totalCount).toBe(0);
    const page1 = await server.query(`{ datasets(first: 2, orderBy: { field: NAME, direction: ASC }) { edges { node { name } } pageInfo { endCursor hasNextPage } } }`);
    const page2 = await server.query(`query($after: String) { datasets(first: 2, after: $after, orderBy: { field: NAME, direction: ASC }) { edges { node { name } } } }`, { after: page1.datasets.pageInfo.endCursor });
    const names = [...page1.datasets.edges, ...page2.datasets.edges].map((e: any) => e.node.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(4);
  });

  it('treats SQL in a filter as text', async () => {
    for (const attack of ["' OR 1=1 --", '%', '_', "german'; DROP TABLE dataset; --", '!']) {
      const res = await server.query(`query($q: String) { datasets(filter: { nameContains: $q }) { totalCount } }`, { q: attack });
      expect(res.datasets.totalCount).toBe(0);
    }
    expect((await server.query(`{ datasets { totalCount } }`)).datasets.totalCount).toBeGreaterThan(0);
  });
});
