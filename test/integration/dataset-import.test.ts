import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
const CREATE = 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id latestVersion } }';
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const count = async () => (await server.query('{ datasets(first: 100) { totalCount } }')).datasets.totalCount as number;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('imports a user controls', () => {
  it('columnTypes makes coded columns categories, checked on every value', async () => {
    const { createDataset } = await server.query(CREATE, { input: { name: 'german-coded', csv: readDataset('GermanCredit.csv'), columnTypes: [{ name: 'CHK_ACCT', type: 'CATEGORY' }, { name: 'HISTORY', type: 'CATEGORY' }] } });
    const { dataset } = await server.query('query($id: ID!) { dataset(id: $id) { columns { name type distinctCount topValues { value } } } }', { id: createDataset.id });
    const column = (name: string) => dataset.columns.find((c: any) => c.name === name);
    expect(column('CHK_ACCT')).toMatchObject({ type: 'CATEGORY', distinctCount: 4 });
    expect(column('CHK_ACCT').topValues.map((v: any) => v.value).sort()).toEqual(['0', '1', '2', '3']);
    expect(column('HISTORY').type).toBe('CATEGORY');
    expect(column('DURATION').type).toBe('NUMBER');
    // A model on the coded column one-hot encodes it: its signature lists the categories.
    const { createModel } = await server.query('mutation { createModel(input: { name: "coded", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION, featureColumns: ["CHK_ACCT", "DURATION"], targetColumn: "RESPONSE" }) { id } }');
    const { startTrainingRun } = await server.query('mutation($m: ID!, $d: ID!) { startTrainingRun(input: { modelId: $m, datasetId: $d, seed: 1 }) { id } }', { m: createModel.id, d: createDataset.id });
    let version: any = null;
    for (let i = 0; i < 200 && !version; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ({ trainingRun: { modelVersion: version } } = await server.query('query($id: ID!) { trainingRun(id: $id) { modelVersion { signature { features { name type categories } } } } }', { id: startTrainingRun.id }));
    }
    expect(version.signature.features[0]).toEqual({ name: 'CHK_ACCT', type: 'CATEGORY', categories: ['0', '1', '2', '3'] });

    const before = await count();
    const bad = await server.request(CREATE, { input: { name: 'bad-types', csv: 'a,b\n1,x\n2,y\n', columnTypes: [{ name: 'b', type: 'NUMBER' }] } });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].message).toMatch(/column "b": "x" is not a valid NUMBER/);
    expect(bad.errors![0].extensions).toMatchObject({ line: 2 });
    const unknown = await server.request(CREATE, { input: { name: 'bad-types', csv: 'a,b\n1,x\n', columnTypes: [{ name: 'c', type: 'NUMBER' }] } });
    expect(unknown.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.columnTypes' });
    const twice = await server.request(CREATE, { input: { name: 'bad-types', csv: 'a,b\n1,x\n', columnTypes: [{ name: 'a', type: 'NUMBER' }, { name: 'a', type: 'TEXT' }] } });
    expect(codeOf(twice)).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(before);
  }, 60_000);

  it('warns about a numeric column made TEXT by a few stray values, with examples', async () => {
    const lines = ['id,amount,clean'];
    for (let i = 0; i < 120; i++) lines.push(`${i},${i % 7 === 3 && i < 30 ? 'n/a' : (i * 13.7).toFixed(1)},${i}`);
    const { createDataset } = await server.query(CREATE, { input: { name: 'strays', csv: lines.join('\n') } });
    const { dataset } = await server.query('query($id: ID!) { dataset(id: $id) { versions(first: 1) { edges { node { columns { name type } warnings { column message examples } } } } } }', { id: createDataset.id });
    const version = dataset.versions.edges[0].node;
    expect(version.columns.find((c: any) => c.name === 'amount').type).toBe('TEXT');
    expect(version.warnings).toEqual([{ column: 'amount', message: expect.stringMatching(/^4 of 120 values are not numbers, so the column is TEXT/), examples: ['n/a'] }]);
    // Declared, the strays are refused, naming the line.
    const refused = await server.request(CREATE, { input: { name: 'strays-typed', csv: lines.join('\n'), columnTypes: [{ name: 'amount', type: 'NUMBER' }] } });
    expect(refused.errors![0].message).toMatch(/column "amount": "n\/a" is not a valid NUMBER/);
  });
});
