import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Architecture, ModelTask } from '../../src/modules/models/model-enums';
import { startTestServer, type TestServer } from '../support/test-server';

const CREATE = `mutation($input: CreateModelInput!) {
  createModel(input: $input) { id name task architecture featureColumns targetColumn archived hyperparameters { epochs batchSize learningRate hiddenUnits activation windowSize } }
}`;
const credit = (name: string, extra: Record<string, unknown> = {}) => ({
  name, task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: ['AMOUNT', 'DURATION', 'AGE'], targetColumn: 'RESPONSE', ...extra,
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function modelRows() {
  return Number((await server.services.db.dataSource.query('SELECT COUNT(*) AS n FROM model'))[0].n);
}

describe('createModel', () => {
  it('stores the definition with the architecture\'s default hyper-parameters, overridable', async () => {
    const { createModel } = await server.query(CREATE, { input: credit('scorecard', { hyperparameters: { epochs: 5, hiddenUnits: [8] } }) });
    expect(createModel).toMatchObject({ name: 'scorecard', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', archived: false, targetColumn: 'RESPONSE' });
    expect(createModel.hyperparameters).toMatchObject({ epochs: 5, hiddenUnits: [8], batchSize: 32, learningRate: 0.001, activation: 'RELU' });
    const byName = await server.query(`{ model(name: "scorecard") { id featureColumns versions { totalCount } latestVersion { id } } }`);
    expect(byName.model).toEqual({ id: createModel.id, featureColumns: ['AMOUNT', 'DURATION', 'AGE'], versions: { totalCount: 0 }, latestVersion: null });
  });

  const rejected: [string, Record<string, unknown>, string, RegExp][] = [
    ['the target among the features', credit('t1', { featureColumns: ['AMOUNT', 'RESPONSE'] }), 'BAD_USER_INPUT', /target/],
    ['logistic regression for regression', credit('t2', { task: 'REGRESSION', architecture: 'LOGISTIC_REGRESSION' }), 'BAD_USER_INPUT', /LOGISTIC_REGRESSION/],
    ['an LSTM on a classification task', credit('t3', { architecture: 'LSTM' }), 'BAD_USER_INPUT', /LSTM/],
    ['no features for classification', credit('t4', { featureColumns: [] }), 'BAD_USER_INPUT', /featureColumns/],
    ['a feature listed twice', credit('t5', { featureColumns: ['AGE', 'AGE'] }), 'BAD_USER_INPUT', /twice/],
    ['a name over 200 characters', credit('x'.repeat(201)), 'BAD_USER_INPUT', /name/],
    ['epochs 0', credit('t6', { hyperparameters: { epochs: 0 } }), 'BAD_USER_INPUT', /epochs/],
    ['a negative learning rate', credit('t7', { hyperparameters: { learningRate: -0.1 } }), 'BAD_USER_INPUT', /learningRate/],
    ['a duplicate name', credit('scorecard'), 'CONFLICT', /scorecard/],
  ];
  for (const [label, input, code, message] of rejected) {
    it(`refuses ${label}`, async () => {
      const before = await modelRows();
      const res = await server.request(CREATE, { input });
      expect(res.errors?.[0].extensions?.code, JSON.stringify(res.errors)).toBe(code);
      expect(res.errors?.[0].message).toMatch(message);
      expect(await modelRows()).toBe(before);
    });
  }
});

describe('updateModel and archiveModel', () => {
  it('renames, merges hyper-parameters, archives and hides archived models from lists', async () => {
    const { createModel } = await server.query(CREATE, { input: credit('to-archive', { hyperparameters: { epochs: 7 } }) });
    const { updateModel } = await server.query(`mutation($input: UpdateModelInput!) { updateModel(input: $input) { name description hyperparameters { epochs batchSize } } }`, {
      input: { id: createModel.id, name: 'renamed', description: 'new words', hyperparameters: { batchSize: 64 } },
    });
    expect(updateModel).toEqual({ name: 'renamed', description: 'new words', hyperparameters: { epochs: 7, batchSize: 64 } });
    await server.query(`mutation($id: ID!) { archiveModel(id: $id) { archived } }`, { id: createModel.id });
    const visible = await server.query(`{ models(first: 100) { edges { node { name } } } }`);
    expect(visible.models.edges.map((e: any) => e.node.name)).not.toContain('renamed');
    const all = await server.query(`{ models(first: 100, filter: { includeArchived: true }) { edges { node { name archived } } } }`);
    expect(all.models.edges.map((e: any) => e.node)).toContainEqual({ name: 'renamed', archived: true });
  });

  it('answers NOT_FOUND for unknown ids and names', async () => {
    for (const query of [
      `{ model(id: "mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }`,
      `{ model(name: "nope") { id } }`,
      `mutation { archiveModel(id: "mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }`,
      `mutation { updateModel(input: { id: "nope", name: "x" }) { id } }`,
      `{ modelVersion(id: "mv_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }`,
    ]) {
      const res = await server.request(query);
      expect(res.errors?.[0].extensions?.code, query).toBe('NOT_FOUND');
    }
  });
});

describe('nested lists use a constant number of SQL statements', () => {
  it('models(first: 50) { versions(first: 5) } over 200 models with 5 versions each issues at most 4', async () => {
    const { models, modelVersions } = server.services;
    for (let i = 0; i < 200; i++) {
      const model = await models.create({
        name: `bulk-${String(i).padStart(3, '0')}`, task: ModelTask.REGRESSION, architecture: Architecture.LINEAR_REGRESSION,
        featureColumns: ['x'], targetColumn: 'y',
      });
      for (let v = 0; v < 5; v++) await modelVersions.create({ modelId: model.id, metrics: { rmse: v } });
    }
    for (const [first, inner] of [[50, 5], [100, 1], [10, 20]]) {
      const counter = server.services.db.counter;
      // The key's lookup is cached for a while; on MariaDB the setup above can outlast it. Count
      // the nested query's statements alone, not a lookup that expiry happens to put in front.
      await server.query('{ systemInfo { version } }');
      const before = counter.count;
      const res = await server.query(`{ models(first: ${first}, filter: { nameContains: "bulk-" }) { edges { node { name versions(first: ${inner}) { totalCount edges { node { version model { name } } } } } } } }`);
      const statements = counter.count - before;
      expect(res.models.edges).toHaveLength(first);
      for (const edge of res.models.edges) {
        expect(edge.node.versions.edges.map((e: any) => e.node.version)).toEqual([5, 4, 3, 2, 1].slice(0, inner));
        expect(edge.node.versions.totalCount).toBe(5);
        expect(edge.node.versions.edges[0].node.model.name).toBe(edge.node.name);
      }
      expect(statements, `first ${first}, versions(first: ${inner})`).toBeLessThanOrEqual(4);
    }
  });

  it('node and nodes resolve any id, one statement per type', async () => {
    const { models } = await server.query(`{ models(first: 3, filter: { nameContains: "bulk-" }) { edges { node { id versions(first: 1) { edges { node { id } } } } } } }`);
    const ids = models.edges.flatMap((e: any) => [e.node.id, e.node.versions.edges[0].node.id]);
    const before = server.services.db.counter.count;
    const { nodes } = await server.query(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids: [...ids, 'mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ', 'garbage'] });
    expect(server.services.db.counter.count - before).toBe(2);
    expect(nodes.slice(0, ids.length).map((n: any) => n.id)).toEqual(ids);
    expect(nodes.slice(0, 2).map((n: any) => n.__typename)).toEqual(['Model', 'ModelVersion']);
    expect(nodes.slice(ids.length)).toEqual([null, null]);
    const single = await server.query(`query($id: ID!) { node(id: $id) { ... on Model { name } } }`, { id: ids[0] });
    expect(single.node.name).toMatch(/^bulk-/);
  });
});
