import { afterAll, beforeAll, expect, it } from 'vitest';
import { numericColumn, readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';

// Fields the web console draws from: a NUMBER column's histogram, and when a key was last used.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

it('a NUMBER column carries a histogram of every row; other types none', async () => {
  const csv = readDataset('GermanCredit.csv');
  const { createDataset } = await server.query(`mutation($csv: String!) { createDataset(input: { name: "hist", csv: $csv, columnTypes: [{ name: "HISTORY", type: CATEGORY }] }) {
    rowCount columns { name type min max histogram { edges counts } } } }`, { csv });
  const amount = createDataset.columns.find((c: { name: string }) => c.name === 'AMOUNT');
  const { edges, counts } = amount.histogram;
  expect(counts.length).toBeGreaterThan(4);
  expect(counts.length).toBeLessThanOrEqual(20);
  expect(edges[0]).toBeLessThanOrEqual(amount.min);
  expect(edges[edges.length - 1]).toBeGreaterThan(amount.max);
  const values = numericColumn(csv, 'AMOUNT');
  expect(counts).toEqual(edges.slice(0, -1).map((lo: number, i: number) => values.filter((x) => x >= lo && x < edges[i + 1]).length));
  expect(createDataset.columns.find((c: { name: string }) => c.name === 'HISTORY').histogram).toBeNull();
});

it('apiKeys shows when each key was last used', async () => {
  const secret = await server.createKey('VIEWER');
  const listed = async () => (await server.query('{ apiKeys(first: 100) { edges { node { prefix lastUsedAt } } } }')).apiKeys.edges.map((e: { node: { prefix: string; lastUsedAt: string | null } }) => e.node);
  const prefix = /^aim_([a-z0-9]{12})_/.exec(secret)![1];
  expect((await listed()).find((k: { prefix: string }) => k.prefix === prefix).lastUsedAt).toBeNull();
  const before = Date.now();
  expect((await server.request('{ viewer { role } }', {}, { authorization: `Bearer ${secret}` })).data.viewer.role).toBe('VIEWER');
  const used = Date.parse((await listed()).find((k: { prefix: string }) => k.prefix === prefix).lastUsedAt);
  expect(used).toBeGreaterThanOrEqual(before - 1000);
  expect(used).toBeLessThanOrEqual(Date.now());
});
