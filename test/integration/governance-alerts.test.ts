import { afterAll, beforeAll, expect, it } from 'vitest';
import { CREDIT_FEATURES, creditCsv, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';
import { Receiver } from '../support/webhook-receiver';

/**
 * Periodic revalidation: a finding past its due date and an approval past its tier's period each
 * open an alert, sent to a real webhook receiver; each resolves when dealt with. The clock is
 * moved by moving the stored times back (due date, conclusion), as a fake clock would.
 */
let server: TestServer;
let receiver: Receiver;
let modelId: string;
let validationId: string;
let findingId: string;
let validator: string;
const sql = (text: string, params: unknown[] = []) => server.services.db.dataSource.query(text, params);
const monthsAgo = (months: number) => server.services.db.sqlDate(new Date(Date.now() - months * 31 * 86_400_000));
const alerts = async () => (await server.query(`query($m: ID) { alerts(first: 20, filter: { modelId: $m }) { edges { node { id metric state message } } } }`, { m: modelId })).alerts.edges.map((e: any) => e.node);
const opened = (metric: string) => receiver.of('ALERT_OPENED').filter((r) => r.json.data.metric === metric);

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.start();
  server = await startTestServer({ env: { DRIFT_CHECK_INTERVAL_SECONDS: '1', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '50', WEBHOOK_RETRY_BASE_MS: '20' } });
  validator = `Bearer ${await server.createKey('VALIDATOR', undefined, 'val@bank.example')}`;
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-governed', csv: creditCsv() } });
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-governed', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  }));
  await server.query('mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }', { input: { url: `${receiver.url}/governance`, events: ['ALERT_OPENED', 'ALERT_RESOLVED'], modelId } });
  const versionId = await trainVersion(server, modelId, createDataset.id, 1);
  const as = { authorization: validator };
  ({ data: { openValidation: { id: validationId } } } = await server.request('mutation($v: ID!) { openValidation(input: { modelVersionId: $v, scope: "annual" }) { id } }', { v: versionId }, as));
  ({ data: { addValidationFinding: { id: findingId } } } = await server.request(`mutation($id: ID!, $due: DateTimeISO!) { addValidationFinding(input: { validationId: $id, severity: MEDIUM, description: "thin data for ages over 70", owner: "sam", dueAt: $due }) { id } }`,
    { id: validationId, due: new Date(Date.now() + 86_400_000).toISOString() }, as));
  const concluded = await server.request('mutation($id: ID!) { concludeValidation(input: { validationId: $id, conclusion: APPROVED_WITH_CONDITIONS, statement: "fit, with the finding fixed by its date" }) { state } }', { id: validationId }, as);
  expect(concluded.errors).toBeUndefined();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

it('opens an alert, by webhook too, when a finding passes its due date, and resolves it once closed', async () => {
  // Checked every second; a finding not yet due opens nothing.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect((await alerts()).filter((a: any) => a.metric === 'FINDINGS_OVERDUE')).toEqual([]);
  await sql('UPDATE validation_finding SET due_at = ? WHERE id = ?', [monthsAgo(1), findingId]);
  await until(async () => opened('FINDINGS_OVERDUE').length, (n) => n === 1, 20_000);
  expect(opened('FINDINGS_OVERDUE')[0].json.data).toMatchObject({ state: 'OPEN', severity: 'WARNING', metric: 'FINDINGS_OVERDUE' });
  expect((await alerts()).find((a: any) => a.metric === 'FINDINGS_OVERDUE')).toMatchObject({ state: 'OPEN', message: expect.stringContaining('credit-governed') });
  // The admin trained the version: the validator closes the finding.
  const closed = await server.request('mutation($id: ID!) { resolveValidationFinding(input: { findingId: $id, status: REMEDIATED, note: "more data added" }) { status } }', { id: findingId }, { authorization: validator });
  expect(closed.errors).toBeUndefined();
  await until(alerts, (list: any[]) => list.some((a) => a.metric === 'FINDINGS_OVERDUE' && a.state === 'RESOLVED'), 20_000);
});

it('turns the model EXPIRED and opens an alert, by webhook too, once the tier\'s period has passed', async () => {
  expect(opened('VALIDATION_OVERDUE_DAYS')).toEqual([]);
  // MEDIUM tier: 24 months.
  await sql('UPDATE validation SET concluded_at = ? WHERE id = ?', [monthsAgo(25), validationId]);
  expect((await server.query('query($id: ID) { model(id: $id) { validationStatus } }', { id: modelId })).model.validationStatus).toBe('EXPIRED');
  await until(async () => opened('VALIDATION_OVERDUE_DAYS').length, (n) => n === 1, 20_000);
  expect(opened('VALIDATION_OVERDUE_DAYS')[0].json.data).toMatchObject({ state: 'OPEN', metric: 'VALIDATION_OVERDUE_DAYS' });
});
