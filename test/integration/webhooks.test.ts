import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, DEPLOY, PREDICT, creditCsv, creditRows, featuresOf } from '../support/serving';
import { START_RUN, waitForRun } from '../support/training';
import { startTestServer, type TestServer } from '../support/test-server';
import { Receiver } from '../support/webhook-receiver';

/** The README's verification recipe, written independently of the server's code. */
function verified(secret: string, body: string, header: string): boolean {
  const { t, v1 } = Object.fromEntries(header.split(',').map((p) => p.split('='))) as { t: string; v1: string };
  const fresh = Math.abs(Date.now() / 1000 - Number(t)) < 300;
  return fresh && createHmac('sha256', secret).update(`${t}.${body}`).digest('hex') === v1;
}

let server: TestServer;
let receiver: Receiver;
/** A real SMTP sink on 127.0.0.1: every message the server sends, as received. */
const mails: { to: string[]; raw: string }[] = [];
let smtp: SMTPServer;
let modelId: string;
let datasetId: string;
let versionId: string;
let otherVersionId: string;
const SECRET = 'test-secret-0123456789abcdef';
/** Polls `check` every 50 ms until it holds; fails after `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${check.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function trainVersion(seed: number): Promise<string> {
  const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed } });
  await waitForRun(server, run.id, (r) => r.status === 'SUCCEEDED');
  return (await server.query('query($id: ID!) { trainingRun(id: $id) { modelVersion { id } } }', { id: run.id })).trainingRun.modelVersion.id;
}

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const CREATE = 'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events model { name } } } }';
const DELIVERIES = 'query($w: ID) { webhookDeliveries(webhookId: $w, first: 50) { totalCount edges { node { id event status attempts attemptLog { attempt statusCode error } payload } } } }';

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.start();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (chunk) => { raw += chunk; });
      stream.on('end', () => { mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw }); done(); });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  server = await startTestServer({ env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ALERT_EMAIL_TO: 'ops@bank.example, risk@bank.example', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_POLL_MS: '50', WEBHOOK_MAX_ATTEMPTS: '4', WEBHOOK_TIMEOUT_MS: '1500', HEALTH_INTERVAL_SECONDS: '1' } });
  ({ createDataset: { id: datasetId } } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-hooks', csv: creditCsv(creditRows()) } }));
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-hooks', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  }));
  await server.query('mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: modelId });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('webhooks', () => {
  it('tells a finished training run and a deploy, each delivery signed, with the model by name', async () => {
    const { createWebhook } = await server.query(CREATE, { input: { url: `${receiver.url}/ops`, events: ['TRAINING_FINISHED', 'DEPLOYED'], modelId: 'credit-hooks', secret: SECRET } });
    expect(createWebhook).toMatchObject({ secret: SECRET, webhook: { url: `${receiver.url}/ops`, events: ['TRAINING_FINISHED', 'DEPLOYED'], model: { name: 'credit-hooks' } } });
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 1 } });
    await waitForRun(server, run.id, (r) => r.status === 'SUCCEEDED');
    await until(() => receiver.of('TRAINING_FINISHED').length === 1);
    const [finished] = receiver.of('TRAINING_FINISHED');
    expect(verified(SECRET, finished.body, String(finished.headers['aimass-signature']))).toBe(true);
    expect(verified('another-secret-0123456789', finished.body, String(finished.headers['aimass-signature']))).toBe(false);
    expect(finished.json).toMatchObject({ event: 'TRAINING_FINISHED', model: { id: modelId, name: 'credit-hooks' }, data: { runId: run.id, status: 'SUCCEEDED' } });
    expect(finished.json.id).toBe(finished.headers['aimass-delivery']);
    versionId = finished.json.data.modelVersionId;

    await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'TEST' } });
    await until(() => receiver.of('DEPLOYED').length === 1);
    expect(receiver.of('DEPLOYED')[0].json.data).toMatchObject({ environment: 'TEST', modelVersionId: versionId, action: 'DEPLOY' });
    const { webhookDeliveries } = await server.query(DELIVERIES, { w: createWebhook.webhook.id });
    expect(webhookDeliveries.totalCount).toBe(2);
    for (const { node } of webhookDeliveries.edges) expect(node).toMatchObject({ status: 'SUCCEEDED', attempts: 1, attemptLog: [{ attempt: 1, statusCode: 200, error: null }] });
  }, 60_000);

  it('sees an alert open and resolve, by webhook and by e-mail to the administrators', async () => {
    await server.query(CREATE, { input: { url: `${receiver.url}/alerts`, events: ['ALERT_OPENED', 'ALERT_RESOLVED'], modelId, secret: SECRET } });
    const { createAlertRule: rule } = await server.query('mutation($m: ID) { createAlertRule(input: { name: "hooked latency", metric: PREDICT_LATENCY_P95_MS, threshold: 0, forSeconds: 0, cooldownSeconds: 0, severity: WARNING, modelId: $m }) { id } }', { m: modelId });
    const rows = creditRows();
    for (let i = 0; i < 10 && receiver.of('ALERT_OPENED').length === 0; i++) {
      await server.request(PREDICT, { input: { model: 'credit-hooks', environment: 'TEST', rows: rows.slice(i * 5, i * 5 + 5).map(featuresOf) } });
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    await until(() => receiver.of('ALERT_OPENED').length === 1);
    await server.query('mutation($id: ID!) { updateAlertRule(input: { id: $id, threshold: 100000 }) { threshold } }', { id: rule.id });
    await until(() => receiver.of('ALERT_RESOLVED').length === 1, 15_000);
    const [opened] = receiver.of('ALERT_OPENED');
    const [resolved] = receiver.of('ALERT_RESOLVED');
    expect(opened.json.data).toMatchObject({ state: 'OPEN', metric: 'PREDICT_LATENCY_P95_MS', severity: 'WARNING' });
    expect(resolved.json.data).toMatchObject({ alertId: opened.json.data.alertId, state: 'RESOLVED' });
    for (const r of [opened, resolved]) expect(verified(SECRET, r.body, String(r.headers['aimass-signature']))).toBe(true);
    // The same alert, e-mailed as it opened and as it resolved.
    const about = () => mails.filter((m) => m.raw.includes(opened.json.data.alertId));
    await until(() => about().length === 2);
    const [openMail, resolvedMail] = about();
    expect(openMail.to).toEqual(['ops@bank.example', 'risk@bank.example']);
    expect(openMail.raw).toMatch(/Subject: \[aimass\] WARNING alert opened: hooked latency/);
    expect(resolvedMail.raw).toMatch(/Subject: \[aimass\] WARNING alert resolved:/);
    expect(openMail.raw).toMatch(/Model: credit-hooks/);
  }, 60_000);

  it('retries a failing receiver with growing delays, in order, then dead-letters, and redelivers', async () => {
    otherVersionId = await trainVersion(2);
    const { createWebhook: { webhook } } = await server.query(CREATE, { input: { url: `${receiver.url}/flaky`, events: ['DEPLOYED'], modelId } });
    const page = async (status?: string) => (await server.query('query($w: ID, $s: WebhookDeliveryStatus) { webhookDeliveries(webhookId: $w, status: $s) { totalCount edges { node { id attempts attemptLog { attempt statusCode } } } } }', { w: webhook.id, s: status ?? null })).webhookDeliveries;
    // The /ops webhook answers too: script enough failures for /flaky only by sending /ops none (it is for DEPLOYED as well, so delete it first).
    const { webhooks } = await server.query('{ webhooks(first: 100) { edges { node { id url } } } }');
    for (const { node } of webhooks.edges) if (node.url.endsWith('/ops')) await server.query('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: node.id });
    receiver.script = [503, 503, 503];
    await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'PREVIEW' } });
    await until(async () => (await page('SUCCEEDED')).totalCount === 1);
    const [{ node: delivery }] = (await page()).edges;
    expect(delivery.attemptLog.map((a: any) => [a.attempt, a.statusCode])).toEqual([[1, 503], [2, 503], [3, 503], [4, 200]]);
    const arrivals = receiver.requests.filter((r) => r.headers['aimass-delivery'] === delivery.id);
    expect(arrivals.map((r) => r.headers['aimass-attempt'])).toEqual(['1', '2', '3', '4']);
    // The same body every time, each time signed afresh.
    expect(new Set(arrivals.map((r) => r.body)).size).toBe(1);

    // Every attempt fails: DEAD after WEBHOOK_MAX_ATTEMPTS (4); fixed, redelivered: attempt 5 succeeds.
    receiver.script = [500, 500, 500, 500];
    await server.query(DEPLOY, { input: { modelVersionId: otherVersionId, environment: 'PREVIEW' } });
    await until(async () => (await page('DEAD')).totalCount === 1);
    const [{ node: dead }] = (await page('DEAD')).edges;
    expect(dead.attempts).toBe(4);
    expect(dead.attemptLog.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 500]);
    const { redeliverWebhook } = await server.query('mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { status } }', { d: dead.id });
    expect(redeliverWebhook.status).toBe('PENDING');
    await until(async () => (await page('SUCCEEDED')).totalCount === 2);
    const again = receiver.requests.filter((r) => r.headers['aimass-delivery'] === dead.id);
    expect(again.map((r) => r.headers['aimass-attempt'])).toEqual(['1', '2', '3', '4', '5']);
    expect(codeOf(await server.request('mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { status } }', { d: 'whd_none' }))).toBe('NOT_FOUND');
  }, 60_000);

  it('a receiver that never answers does not hold up another webhook\'s delivery', async () => {
    receiver.hang.add('/hung');
    await server.query(CREATE, { input: { url: `${receiver.url}/hung`, events: ['DEPLOYED'], modelId } });
    const { createWebhook: { webhook: fast } } = await server.query(CREATE, { input: { url: `${receiver.url}/fast`, events: ['DEPLOYED'], modelId } });
    const started = Date.now();
    await server.query(DEPLOY, { input: { modelVersionId: otherVersionId, environment: 'TEST' } });
    await until(async () => (await server.query('query($w: ID) { webhookDeliveries(webhookId: $w, status: SUCCEEDED) { totalCount } }', { w: fast.id })).webhookDeliveries.totalCount === 1);
    // Well inside the hung receiver's 1.5 s timeout.
    expect(Date.now() - started).toBeLessThan(1500);
  }, 30_000);

  it('scopes a PARTNER key to webhooks of its models, and refuses bad input without writing', async () => {
    const { createModel: other } = await server.query('mutation { createModel(input: { name: "hooks-other", task: REGRESSION, architecture: LINEAR_REGRESSION, featureColumns: ["AGE"], targetColumn: "AMOUNT" }) { id } }');
    const partner = { authorization: `Bearer ${await server.createKey('PARTNER', [modelId])}` };
    const asPartner = (query: string, variables: Record<string, unknown>) => server.request(query, variables, partner);
    const before = (await server.query('{ webhooks(first: 100) { totalCount } }')).webhooks.totalCount;
    expect(codeOf(await asPartner(CREATE, { input: { url: `${receiver.url}/p`, events: ['DEPLOYED'] } }))).toBe('FORBIDDEN');
    expect(codeOf(await asPartner(CREATE, { input: { url: `${receiver.url}/p`, events: ['DEPLOYED'], modelId: other.id } }))).toBe('FORBIDDEN');
    const own = await asPartner(CREATE, { input: { url: `${receiver.url}/p`, events: ['ALERT_OPENED'], modelId } });
    expect(own.errors).toBeUndefined();
    const { createWebhook: theirs } = await server.query(CREATE, { input: { url: `${receiver.url}/q`, events: ['DEPLOYED'], modelId: other.id } });
    const listed = await asPartner('{ webhooks(first: 100) { edges { node { id model { id } } } } }', {});
    expect(listed.data.webhooks.edges.every((e: any) => e.node.model.id === modelId)).toBe(true);
    expect(codeOf(await asPartner('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: theirs.webhook.id }))).toBe('FORBIDDEN');
    expect(codeOf(await asPartner(DELIVERIES, { w: theirs.webhook.id }))).toBe('FORBIDDEN');

    for (const [input, field] of [
      [{ url: 'ftp://example.com/x', events: ['DEPLOYED'] }, 'input.url'],
      [{ url: 'not a url', events: ['DEPLOYED'] }, 'input.url'],
      [{ url: `${receiver.url}/x`, events: ['DEPLOYED', 'DEPLOYED'] }, 'input.events'],
      [{ url: `${receiver.url}/x`, events: ['DEPLOYED'], secret: 'short' }, ''],
    ] as const) {
      const res = await server.request(CREATE, { input });
      expect(codeOf(res), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      if (field) expect(res.errors![0].extensions!.field).toBe(field);
    }
    expect((await server.query('{ webhooks(first: 100) { totalCount } }')).webhooks.totalCount).toBe(before + 2);
    // The secret never reaches the audit log.
    const { auditLog } = await server.query('{ auditLog(first: 20) { edges { node { operation arguments } } } }');
    const created = auditLog.edges.map((e: any) => e.node).filter((n: any) => n.operation === 'createWebhook');
    expect(created.length).toBeGreaterThan(0);
    expect(JSON.stringify(created)).not.toContain(SECRET);
  });
});
