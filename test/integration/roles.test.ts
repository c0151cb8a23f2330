import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Architecture, ModelTask } from '../../src/modules/models/model-enums';
import { startTestServer, type TestServer } from '../support/test-server';
import { wsClient, wsSubscribeOutcome } from '../support/ws-client';

/**
 * Who may call what: the policy, written out independently of the code. Every root field of the
 * schema must appear here, so a new operation without an entry fails this test.
 */
type RoleName = 'VIEWER' | 'DATA_SCIENTIST' | 'APPROVER' | 'VALIDATOR' | 'ADMIN' | 'PARTNER';
const READERS: RoleName[] = ['VIEWER', 'DATA_SCIENTIST', 'APPROVER', 'VALIDATOR', 'ADMIN'];
const BUILDERS: RoleName[] = ['DATA_SCIENTIST', 'ADMIN'];
const ALL: RoleName[] = [...READERS, 'PARTNER'];
const AUDITORS: RoleName[] = ['APPROVER', 'ADMIN'];
const AUDIT_READERS: RoleName[] = ['APPROVER', 'VALIDATOR', 'ADMIN'];
const VALIDATORS: RoleName[] = ['VALIDATOR', 'ADMIN'];
const DEPLOYERS: RoleName[] = ['DATA_SCIENTIST', 'APPROVER', 'ADMIN'];
/** Well-formed ids that name nothing: an allowed caller gets NOT_FOUND, a refused one FORBIDDEN. */
const NO_REQUEST = 'dreq_01JZZZZZZZZZZZZZZZZZZZZZZZ';
const NO_JOB = 'bpj_01JZZZZZZZZZZZZZZZZZZZZZZZ';
const NO_SWEEP = 'swp_01JZZZZZZZZZZZZZZZZZZZZZZZ';
const NO_BACKTEST = 'bt_01JZZZZZZZZZZZZZZZZZZZZZZZ';
const NO_FEED = 'feed_01JZZZZZZZZZZZZZZZZZZZZZZZ';
const NO_SESSION = 'pts_01JZZZZZZZZZZZZZZZZZZZZZZZ';

interface Fixture { datasetId: string; modelId: string; versionId: string; runId: string; n: number; newModelId(): Promise<string>; newKeyId(): Promise<string>; newRunId(): Promise<string>; newRuleId(): Promise<string> }
type Call = (f: Fixture) => Promise<{ query: string; variables?: Record<string, unknown> }> | { query: string; variables?: Record<string, unknown> };

const POLICY: Record<string, { allowed: RoleName[]; call: Call; subscription?: boolean }> = {
  'Query.viewer': { allowed: ALL, call: () => ({ query: '{ viewer { role } }' }) },
  'Query.apiKeys': { allowed: ['ADMIN'], call: () => ({ query: '{ apiKeys { totalCount } }' }) },
  'Query.auditLog': { allowed: AUDIT_READERS, call: () => ({ query: '{ auditLog(first: 1) { totalCount } }' }) },
  'Query.validations': { allowed: READERS, call: () => ({ query: '{ validations { totalCount } }' }) },
  'Mutation.openValidation': { allowed: VALIDATORS, call: () => ({ query: 'mutation { openValidation(input: { modelVersionId: "mv_01JZZZZZZZZZZZZZZZZZZZZZZZ", scope: "x" }) { id } }' }) },
  'Mutation.addValidationFinding': { allowed: VALIDATORS, call: () => ({ query: 'mutation { addValidationFinding(input: { validationId: "val_01JZZZZZZZZZZZZZZZZZZZZZZZ", severity: LOW, description: "x", owner: "x", dueAt: "2999-01-01T00:00:00Z" }) { id } }' }) },
  'Mutation.resolveValidationFinding': { allowed: VALIDATORS, call: () => ({ query: 'mutation { resolveValidationFinding(input: { findingId: "vfd_01JZZZZZZZZZZZZZZZZZZZZZZZ", status: ACCEPTED, note: "x" }) { id } }' }) },
  'Mutation.concludeValidation': { allowed: VALIDATORS, call: () => ({ query: 'mutation { concludeValidation(input: { validationId: "val_01JZZZZZZZZZZZZZZZZZZZZZZZ", conclusion: REJECTED, statement: "x" }) { id } }' }) },
  'Query.decisionEvidence': { allowed: READERS, call: () => ({ query: '{ decisionEvidence(predictionId: "pred_01JZZZZZZZZZZZZZZZZZZZZZZZ") { asOf } }' }) },
  'Mutation.setDecisionPolicy': { allowed: AUDITORS, call: () => ({ query: 'mutation { setDecisionPolicy(input: { modelId: "mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ", reasons: [] }) { updatedAt } }' }) },
  'Query.modelInventory': { allowed: READERS, call: () => ({ query: '{ modelInventory(first: 1) { totalCount } }' }) },
  'Query.verifyAuditLog': { allowed: AUDIT_READERS, call: () => ({ query: '{ verifyAuditLog { ok } }' }) },
  'Query.node': { allowed: READERS, call: (f) => ({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: f.modelId } }) },
  'Query.nodes': { allowed: READERS, call: (f) => ({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: [f.modelId] } }) },
  'Query.datasets': { allowed: READERS, call: () => ({ query: '{ datasets { totalCount } }' }) },
  'Query.dataset': { allowed: READERS, call: (f) => ({ query: 'query($id: ID!) { dataset(id: $id) { name } }', variables: { id: f.datasetId } }) },
  'Query.models': { allowed: READERS, call: () => ({ query: '{ models { totalCount } }' }) },
  'Query.model': { allowed: ALL, call: (f) => ({ query: 'query($id: ID) { model(id: $id) { name } }', variables: { id: f.modelId } }) },
  'Query.modelVersion': { allowed: ALL, call: (f) => ({ query: 'query($id: ID!) { modelVersion(id: $id) { version } }', variables: { id: f.versionId } }) },
  'Query.systemInfo': { allowed: READERS, call: () => ({ query: '{ systemInfo { version } }' }) },
  'Mutation.createApiKey': { allowed: ['ADMIN'], call: (f) => ({ query: 'mutation($name: String!) { createApiKey(input: { name: $name, role: VIEWER }) { secret } }', variables: { name: `k${f.n}` } }) },
  'Mutation.revokeApiKey': { allowed: ['ADMIN'], call: async (f) => ({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', variables: { id: await f.newKeyId() } }) },
  'Mutation.createDataset': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($name: String!) { createDataset(input: { name: $name, csv: "a,b\\n1,2\\n" }) { id } }', variables: { name: `ds${f.n}` } }) },
  'Mutation.appendDatasetRows': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($id: ID!) { appendDatasetRows(input: { datasetId: $id, rows: [{ x: 1, y: 2 }] }) { version } }', variables: { id: f.datasetId } }) },
  'Mutation.createModel': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($name: String!) { createModel(input: { name: $name, task: REGRESSION, architecture: MLP, featureColumns: ["x"], targetColumn: "y" }) { id } }', variables: { name: `m${f.n}` } }) },
  'Mutation.updateModel': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($id: ID!) { updateModel(input: { id: $id, description: "changed" }) { id } }', variables: { id: f.modelId } }) },
  'Mutation.archiveModel': { allowed: BUILDERS, call: async (f) => ({ query: 'mutation($id: ID!) { archiveModel(id: $id) { id } }', variables: { id: await f.newModelId() } }) },
  'Query.trainingRun': { allowed: READERS, call: (f) => ({ query: 'query($id: ID!) { trainingRun(id: $id) { status } }', variables: { id: f.runId } }) },
  'Query.trainingRuns': { allowed: READERS, call: () => ({ query: '{ trainingRuns { totalCount } }' }) },
  'Mutation.startTrainingRun': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($m: ID!, $d: ID!) { startTrainingRun(input: { modelId: $m, datasetId: $d, hyperparameters: { epochs: 1 } }) { id } }', variables: { m: f.modelId, d: f.datasetId } }) },
  'Mutation.cancelTrainingRun': { allowed: BUILDERS, call: async (f) => ({ query: 'mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', variables: { id: await f.newRunId() } }) },
  'Subscription.trainingMetrics': { allowed: ALL, subscription: true, call: (f) => ({ query: 'subscription($id: ID!) { trainingMetrics(runId: $id) { value } }', variables: { id: f.runId } }) },
  'Subscription.trainingRunUpdated': { allowed: ALL, subscription: true, call: (f) => ({ query: 'subscription($id: ID!) { trainingRunUpdated(modelId: $id) { status } }', variables: { id: f.modelId } }) },
  'Query.sweep': { allowed: READERS, call: () => ({ query: 'query($id: ID!) { sweep(id: $id) { status } }', variables: { id: NO_SWEEP } }) },
  'Query.sweeps': { allowed: READERS, call: () => ({ query: '{ sweeps { totalCount } }' }) },
  'Mutation.startSweep': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($m: ID!, $d: ID!) { startSweep(input: { modelId: $m, datasetId: $d, method: GRID, maxRuns: 1, parameters: [{ name: "learningRate", values: [0.01] }], hyperparameters: { epochs: 1 } }) { id } }', variables: { m: f.modelId, d: f.datasetId } }) },
  'Mutation.cancelSweep': { allowed: BUILDERS, call: () => ({ query: 'mutation($id: ID!) { cancelSweep(id: $id) { id } }', variables: { id: NO_SWEEP } }) },
  'Subscription.sweepUpdated': { allowed: READERS, subscription: true, call: () => ({ query: 'subscription($id: ID!) { sweepUpdated(sweepId: $id) { status } }', variables: { id: NO_SWEEP } }) },
  'Query.evaluations': { allowed: READERS, call: () => ({ query: '{ evaluations { totalCount } }' }) },
  'Query.compareModelVersions': { allowed: READERS, call: (f) => ({ query: 'query($ids: [ID!]!) { compareModelVersions(input: { ids: $ids }) { metric } }', variables: { ids: [f.versionId, f.versionId] } }) },
  'Mutation.evaluateModelVersion': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($v: ID!, $d: ID!) { evaluateModelVersion(input: { modelVersionId: $v, datasetId: $d }) { id } }', variables: { v: f.versionId, d: f.datasetId } }) },
  'Mutation.deployModelVersion': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', variables: { v: f.versionId } }) },
  'Mutation.rollbackDeployment': { allowed: DEPLOYERS, call: (f) => ({ query: 'mutation($m: ID!) { rollbackDeployment(input: { modelId: $m, environment: TEST }) { id } }', variables: { m: f.modelId } }) },
  'Mutation.approveDeploymentRequest': { allowed: AUDITORS, call: () => ({ query: 'mutation($id: ID!) { approveDeploymentRequest(input: { id: $id }) { id } }', variables: { id: NO_REQUEST } }) },
  'Mutation.rejectDeploymentRequest': { allowed: AUDITORS, call: () => ({ query: 'mutation($id: ID!) { rejectDeploymentRequest(input: { id: $id, reason: "no" }) { id } }', variables: { id: NO_REQUEST } }) },
  'Mutation.setModelControls': { allowed: AUDITORS, call: (f) => ({ query: 'mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: true }) { requiresApproval } }', variables: { m: f.modelId } }) },
  'Query.deployment': { allowed: READERS, call: () => ({ query: '{ deployment(id: "dep_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }' }) },
  'Query.deploymentHistory': { allowed: READERS, call: (f) => ({ query: 'query($m: ID!) { deploymentHistory(modelId: $m, environment: PRODUCTION) { totalCount } }', variables: { m: f.modelId } }) },
  'Query.deploymentRequests': { allowed: READERS, call: () => ({ query: '{ deploymentRequests { totalCount } }' }) },
  'Subscription.deploymentRequestUpdated': { allowed: READERS, subscription: true, call: (f) => ({ query: 'subscription($m: ID) { deploymentRequestUpdated(modelId: $m) { status } }', variables: { m: f.modelId } }) },
  'Mutation.promoteChallenger': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($m: ID!) { promoteChallenger(input: { modelId: $m, environment: TEST }) { __typename } }', variables: { m: f.modelId } }) },
  'Mutation.endChallenger': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($m: ID!) { endChallenger(input: { modelId: $m, environment: TEST }) { id } }', variables: { m: f.modelId } }) },
  'Query.challengerReport': { allowed: READERS, call: (f) => ({ query: 'query($m: ID!) { challengerReport(modelId: $m, environment: TEST) { liveRows } }', variables: { m: f.modelId } }) },
  'Subscription.challengerUpdated': { allowed: READERS, subscription: true, call: (f) => ({ query: 'subscription($m: ID!) { challengerUpdated(modelId: $m, environment: TEST) { liveRows } }', variables: { m: f.modelId } }) },
  'Query.retrainPolicy': { allowed: READERS, call: (f) => ({ query: 'query($m: ID!) { retrainPolicy(modelId: $m) { id } }', variables: { m: f.modelId } }) },
  'Query.retrainEvents': { allowed: READERS, call: (f) => ({ query: 'query($m: ID!) { retrainEvents(modelId: $m) { totalCount } }', variables: { m: f.modelId } }) },
  'Mutation.setRetrainPolicy': { allowed: AUDITORS, call: (f) => ({ query: 'mutation($m: ID!, $d: ID!) { setRetrainPolicy(input: { modelId: $m, datasetId: $d, trigger: NEW_DATA, promoteTo: PREVIEW, gate: { metric: "auc" } }) { id } }', variables: { m: f.modelId, d: f.datasetId } }) },
  'Mutation.deleteRetrainPolicy': { allowed: AUDITORS, call: (f) => ({ query: 'mutation($m: ID!) { deleteRetrainPolicy(modelId: $m) { id } }', variables: { m: f.modelId } }) },
  'Mutation.fireRetrainPolicy': { allowed: AUDITORS, call: (f) => ({ query: 'mutation($m: ID!) { fireRetrainPolicy(modelId: $m) { id } }', variables: { m: f.modelId } }) },
  'Subscription.retrainEventUpdated': { allowed: READERS, subscription: true, call: (f) => ({ query: 'subscription($m: ID!) { retrainEventUpdated(modelId: $m) { status } }', variables: { m: f.modelId } }) },
  'Mutation.runBacktest': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($v: ID!, $d: ID!) { runBacktest(input: { modelVersionId: $v, datasetId: $d, strategy: CREDIT_APPROVAL, profitPerGood: 1, lossPerBad: 1 }) { id } }', variables: { v: f.versionId, d: f.datasetId } }) },
  'Query.backtest': { allowed: READERS, call: () => ({ query: 'query($id: ID!) { backtest(id: $id) { status } }', variables: { id: NO_BACKTEST } }) },
  'Query.backtests': { allowed: READERS, call: () => ({ query: '{ backtests { totalCount } }' }) },
  'Subscription.backtestUpdated': { allowed: READERS, subscription: true, call: () => ({ query: 'subscription($id: ID!) { backtestUpdated(backtestId: $id) { status } }', variables: { id: NO_BACKTEST } }) },
  'Mutation.recordOutcomes': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($m: ID!) { recordOutcomes(input: { modelId: $m, outcomes: [{ predictionId: "pred_01JZZZZZZZZZZZZZZZZZZZZZZZ", actual: "1" }] }) { recorded } }', variables: { m: f.modelId } }) },
  'Query.outcomeReport': { allowed: READERS, call: (f) => ({ query: 'query($m: ID!) { outcomeReport(modelId: $m) { total { predictions } } }', variables: { m: f.modelId } }) },
  'Mutation.createRobustnessReport': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($v: ID!, $d: ID!) { createRobustnessReport(input: { modelVersionId: $v, datasetId: $d, scenarios: [{ name: "n", kind: NOISE, scale: 0 }] }) { id } }', variables: { v: f.versionId, d: f.datasetId } }) },
  'Query.predictSensitivity': { allowed: ALL, call: () => ({ query: 'query { predictSensitivity(input: { model: "policy-model", environment: TEST, row: { x: 1 }, feature: "x", from: 0, to: 1 }) { value } }' }) },
  'Mutation.createFeed': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($d: ID!, $n: String!) { createFeed(input: { name: $n, datasetId: $d, kind: HTTP_PUSH }) { id } }', variables: { d: f.datasetId, n: `feed${f.n}` } }) },
  'Mutation.pushTicks': { allowed: ['DATA_SCIENTIST', 'ADMIN', 'PARTNER'], call: () => ({ query: 'mutation($f: ID!) { pushTicks(input: { feedId: $f, ticks: [{ row: { a: 1 } }] }) { accepted } }', variables: { f: NO_FEED } }) },
  'Query.feedDeadLetters': { allowed: READERS, call: () => ({ query: 'query($f: ID!) { feedDeadLetters(feedId: $f) { reason } }', variables: { f: NO_FEED } }) },
  'Mutation.startPaperTrading': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($m: ID!) { startPaperTrading(input: { modelId: $m, feedId: "feed_01JZZZZZZZZZZZZZZZZZZZZZZZ", strategy: LONG_ONLY }) { id } }', variables: { m: f.modelId } }) },
  'Mutation.stopPaperTrading': { allowed: BUILDERS, call: () => ({ query: 'mutation($id: ID!) { stopPaperTrading(id: $id) { id } }', variables: { id: NO_SESSION } }) },
  'Query.paperTradingSession': { allowed: READERS, call: () => ({ query: 'query($id: ID!) { paperTradingSession(id: $id) { status } }', variables: { id: NO_SESSION } }) },
  'Subscription.paperTradingUpdated': { allowed: READERS, subscription: true, call: () => ({ query: 'subscription($id: ID!) { paperTradingUpdated(sessionId: $id) { seq } }', variables: { id: NO_SESSION } }) },
  'Mutation.predict': { allowed: ALL, call: () => ({ query: 'mutation { predict(input: { model: "policy-model", environment: TEST, rows: [{ x: 1 }] }) { latencyMs } }' }) },
  'Query.predictions': { allowed: READERS, call: () => ({ query: '{ predictions(first: 1) { totalCount } }' }) },
  'Query.driftReport': { allowed: READERS, call: () => ({ query: '{ driftReport(model: "policy-model") { rowCount status message } }' }) },
  'Mutation.startBatchPrediction': { allowed: BUILDERS, call: (f) => ({ query: 'mutation($v: ID!, $d: ID!) { startBatchPrediction(input: { modelVersionId: $v, datasetId: $d }) { id } }', variables: { v: f.versionId, d: f.datasetId } }) },
  'Query.batchPrediction': { allowed: READERS, call: () => ({ query: 'query($id: ID!) { batchPrediction(id: $id) { status } }', variables: { id: NO_JOB } }) },
  'Subscription.batchPredictionUpdated': { allowed: READERS, subscription: true, call: () => ({ query: 'subscription($id: ID!) { batchPredictionUpdated(jobId: $id) { status } }', variables: { id: NO_JOB } }) },
  'Query.health': { allowed: READERS, call: () => ({ query: '{ health { at requestRate } }' }) },
  'Query.healthHistory': { allowed: READERS, call: () => ({ query: '{ healthHistory(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", resolutionSeconds: 3600) { at } }' }) },
  'Subscription.healthSnapshots': { allowed: READERS, subscription: true, call: () => ({ query: 'subscription { healthSnapshots { at } }' }) },
  'Query.alertRules': { allowed: READERS, call: () => ({ query: '{ alertRules { id } }' }) },
  'Mutation.createWebhook': { allowed: ['ADMIN', 'PARTNER'], call: (f) => ({ query: 'mutation($m: ID) { createWebhook(input: { url: "http://203.0.113.7/hook", events: [DEPLOYED], modelId: $m }) { secret } }', variables: { m: f.modelId } }) },
  'Mutation.deleteWebhook': { allowed: ['ADMIN', 'PARTNER'], call: () => ({ query: 'mutation { deleteWebhook(id: "whk_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }' }) },
  'Mutation.redeliverWebhook': { allowed: ['ADMIN', 'PARTNER'], call: () => ({ query: 'mutation { redeliverWebhook(deliveryId: "whd_01JZZZZZZZZZZZZZZZZZZZZZZZ") { status } }' }) },
  'Query.webhooks': { allowed: ['ADMIN', 'PARTNER'], call: () => ({ query: '{ webhooks { totalCount } }' }) },
  'Query.webhookDeliveries': { allowed: ['ADMIN', 'PARTNER'], call: () => ({ query: '{ webhookDeliveries { totalCount } }' }) },
  'Mutation.createAlertRule': { allowed: ['ADMIN'], call: (f) => ({ query: 'mutation($name: String!) { createAlertRule(input: { name: $name, metric: CPU_PERCENT, threshold: 1000, enabled: false }) { id } }', variables: { name: `r${f.n}` } }) },
  'Mutation.updateAlertRule': { allowed: ['ADMIN'], call: async (f) => ({ query: 'mutation($id: ID!) { updateAlertRule(input: { id: $id, threshold: 2000 }) { id } }', variables: { id: await f.newRuleId() } }) },
  'Mutation.deleteAlertRule': { allowed: ['ADMIN'], call: async (f) => ({ query: 'mutation($id: ID!) { deleteAlertRule(id: $id) { id } }', variables: { id: await f.newRuleId() } }) },
  'Query.alerts': { allowed: ALL, call: () => ({ query: '{ alerts(first: 1) { totalCount } }' }) },
  'Mutation.acknowledgeAlert': { allowed: DEPLOYERS, call: () => ({ query: 'mutation { acknowledgeAlert(id: "alr_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }' }) },
  'Subscription.healthAlerts': { allowed: ALL, subscription: true, call: () => ({ query: 'subscription { healthAlerts(minSeverity: WARNING) { id } }' }) },
  'Subscription.datasetVersionCreated': { allowed: READERS, subscription: true, call: (f) => ({ query: 'subscription($id: ID!) { datasetVersionCreated(datasetId: $id) { version } }', variables: { id: f.datasetId } }) },
};

let server: TestServer;
let fixture: Fixture;
const keys = {} as Record<RoleName, string>;

beforeAll(async () => {
  server = await startTestServer();
  const { services } = server;
  const dataset = await services.datasets.create({ name: 'policy-data', csv: 'x,y\n' + Array.from({ length: 60 }, (_, i) => `${i},${i * 2}`).join('\n'), kind: 'STATIC' as never });
  const model = await services.models.create({ name: 'policy-model', task: ModelTask.REGRESSION, architecture: Architecture.MLP, featureColumns: ['x'], targetColumn: 'y' });
  const version = await services.modelVersions.create({ modelId: model.id });
  const newRunId = async () => {
    const run = await services.training.start({ modelId: model.id, datasetId: dataset.id, priority: -100, batchMetrics: false, hyperparameters: { epochs: 1 } } as never, null);
    return run.id;
  };
  let n = 0;
  fixture = {
    datasetId: dataset.id, modelId: model.id, versionId: version.id, runId: await newRunId(), newRunId,
    get n() { return ++n; },
    newModelId: async () => (await services.models.create({ name: `throwaway-${++n}`, task: ModelTask.REGRESSION, architecture: Architecture.MLP, featureColumns: ['x'], targetColumn: 'y' })).id,
    newKeyId: async () => (await services.apiKeys.create({ name: `throwaway-${++n}`, role: 'VIEWER' as never }, null)).apiKey.id,
    newRuleId: async () => (await services.alerts.createRule({ name: `throwaway-${++n}`, metric: 'CPU_PERCENT', comparator: 'GT', threshold: 1000, forSeconds: 0, cooldownSeconds: 0, severity: 'INFO', enabled: false } as never)).id,
  };
  for (const role of ALL) keys[role] = await server.createKey(role, role === 'PARTNER' ? ['policy-model'] : undefined);
});
afterAll(() => server?.close());

const AUTH_CODES = ['UNAUTHENTICATED', 'FORBIDDEN'];

async function run(operation: string, authorization: string) {
  const { query, variables } = await POLICY[operation].call(fixture);
  if (POLICY[operation].subscription) {
    const client = wsClient(server.wsUrl, authorization || undefined);
    try {
      const outcome = await wsSubscribeOutcome(client, query, variables);
      outcome.dispose();
      return { errors: outcome.errors, open: outcome.open, closeCode: outcome.closeCode };
    } finally {
      await client.dispose();
    }
  }
  return server.request(query, variables, { authorization });
}

describe('role-by-operation policy', () => {
  it('covers every operation in the schema, and nothing else', async () => {
    const { __schema } = await server.query(`{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }`);
    const operations = [
      ...__schema.queryType.fields.map((f: { name: string }) => `Query.${f.name}`),
      ...__schema.mutationType.fields.map((f: { name: string }) => `Mutation.${f.name}`),
      ...(__schema.subscriptionType?.fields ?? []).map((f: { name: string }) => `Subscription.${f.name}`),
    ];
    expect(operations.filter((op) => !POLICY[op]), 'operations without a policy entry').toEqual([]);
    expect(Object.keys(POLICY).filter((op) => !operations.includes(op)), 'policy entries for operations that do not exist').toEqual([]);
  });

  for (const operation of Object.keys(POLICY)) {
    it(`${operation}: allowed for ${POLICY[operation].allowed.join(', ')}; FORBIDDEN for the rest; UNAUTHENTICATED without a key`, async () => {
      for (const role of ALL) {
        const res = await run(operation, `Bearer ${keys[role]}`);
        const code = res.errors?.[0]?.extensions?.code;
        if (POLICY[operation].allowed.includes(role)) {
          // Allowed means past the role check; a call may still fail on its input (e.g. an untrained version).
          expect(AUTH_CODES, `${role} should be allowed: ${JSON.stringify(res.errors)}`).not.toContain(code);
        } else {
          expect(code, `${role} should be refused`).toBe('FORBIDDEN');
        }
      }
      const anonymous = await run(operation, '');
      // Over HTTP a 401 UNAUTHENTICATED; a WebSocket without a key is closed at connection_init (4403).
      if (POLICY[operation].subscription) expect(anonymous.closeCode).toBe(4403);
      else expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  }
});

describe('partner scope on subscriptions', () => {
  it('refuses a PARTNER subscribing to the runs of a model outside its scope', async () => {
    const { services } = server;
    const other = await services.models.create({ name: 'not-for-partners', task: ModelTask.REGRESSION, architecture: Architecture.MLP, featureColumns: ['x'], targetColumn: 'y' });
    const run = await services.training.start({ modelId: other.id, datasetId: fixture.datasetId, priority: -100, batchMetrics: false, hyperparameters: { epochs: 1 } } as never, null);
    const client = wsClient(server.wsUrl, `Bearer ${keys.PARTNER}`);
    try {
      for (const [query, variables] of [
        ['subscription($id: ID!) { trainingMetrics(runId: $id) { value } }', { id: run.id }],
        ['subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', { id: run.id }],
        ['subscription($id: ID!) { trainingRunUpdated(modelId: $id) { status } }', { id: other.id }],
      ] as const) {
        const outcome = await wsSubscribeOutcome(client, query, variables);
        outcome.dispose();
        expect(outcome.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
      }
      const own = await wsSubscribeOutcome(client, 'subscription($id: ID!) { trainingMetrics(runId: $id) { value } }', { id: fixture.runId });
      own.dispose();
      expect(own.open || !own.errors).toBe(true);
    } finally {
      await client.dispose();
    }
  });
});

describe('audit log', () => {
  it('records every mutation call with actor, redacted arguments and outcome', async () => {
    const scientist = `Bearer ${await server.createKey('DATA_SCIENTIST')}`;
    const csv = 'a,b\n' + '1,2\n'.repeat(500);
    const ok = await server.request('mutation($csv: String!) { createDataset(input: { name: "audited", csv: $csv }) { id } }', { csv }, { authorization: scientist, 'x-request-id': 'req-audit-1' });
    expect(ok.errors).toBeUndefined();
    const denied = await server.request('mutation { createApiKey(input: { name: "sneaky", role: ADMIN }) { secret } }', {}, { authorization: scientist });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await server.request('mutation { createModel(input: { name: "bad", task: REGRESSION, architecture: LSTM, featureColumns: ["x"], targetColumn: "y" }) { id } }', {}, { authorization: scientist });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const { viewer } = (await server.request('{ viewer { keyId name } }', {}, { authorization: scientist })).data;
    const { auditLog } = await server.query(`query($actor: String) { auditLog(first: 10, filter: { actor: $actor }) { totalCount edges { node { actorKeyId actorName actorRole operation arguments outcome errorMessage clientAddress requestId createdAt } } } }`, { actor: viewer.keyId });
    const rows = auditLog.edges.map((e: any) => e.node);
    expect(rows.map((r: any) => [r.operation, r.outcome])).toEqual([['createModel', 'BAD_USER_INPUT'], ['createApiKey', 'FORBIDDEN'], ['createDataset', 'ok']]);
    const created = rows[2];
    expect(created).toMatchObject({ actorKeyId: viewer.keyId, actorName: viewer.name, actorRole: 'DATA_SCIENTIST', requestId: 'req-audit-1' });
    expect(created.clientAddress).toMatch(/127\.0\.0\.1/);
    const { createHash } = await import('node:crypto');
    expect(created.arguments.input.csv).toEqual({ bytes: Buffer.byteLength(csv), sha256: createHash('sha256').update(csv).digest('hex') });
    expect(created.arguments.input.name).toBe('audited');
    expect(rows[1].errorMessage).toMatch(/ADMIN/);

    const byName = await server.query(`query($actor: String) { auditLog(filter: { actor: $actor, operation: "createDataset", outcome: "ok" }) { totalCount } }`, { actor: viewer.name });
    expect(byName.auditLog.totalCount).toBe(1);
    const future = await server.query(`{ auditLog(filter: { from: "2999-01-01T00:00:00Z" }) { totalCount } }`);
    expect(future.auditLog.totalCount).toBe(0);
  });

  it('records mutations sent over graphql-ws too', async () => {
    const client = wsClient(server.wsUrl, `Bearer ${keys.DATA_SCIENTIST}`);
    const { wsRequest } = await import('../support/ws-client');
    const res = await wsRequest(client, 'mutation { createModel(input: { name: "over-ws", task: REGRESSION, architecture: MLP, featureColumns: ["x"], targetColumn: "y" }) { id } }');
    await client.dispose();
    expect(res.errors).toBeUndefined();
    const { auditLog } = await server.query(`{ auditLog(first: 1, filter: { operation: "createModel", outcome: "ok" }) { edges { node { arguments requestId } } } }`);
    expect(auditLog.edges[0].node.arguments.input.name).toBe('over-ws');
    expect(auditLog.edges[0].node.requestId).toMatch(/^ws:/);
  });
});
