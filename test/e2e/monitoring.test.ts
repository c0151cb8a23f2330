import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CREDIT_FEATURES, DEPLOY, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
let modelId: string;
const rows = creditRows();

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startConsoleServer({ env: { HEALTH_INTERVAL_SECONDS: '1', HEALTH_WINDOW_SECONDS: '5', HEALTH_PERSIST_SECONDS: '1', DRIFT_MIN_ROWS: '50' } }),
    launchBrowser(),
  ]);
  const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit", csv: $csv }) { id } }', { csv: creditCsv(rows) });
  ({ createModel: { id: modelId } } = await server.query('mutation($f: [String!]!) { createModel(input: { name: "credit-watched", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION, featureColumns: $f, targetColumn: "RESPONSE" }) { id } }', { f: CREDIT_FEATURES }));
  const versionId = await trainVersion(server, modelId, createDataset.id, 1);
  await server.query('mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: modelId });
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'PRODUCTION' } });
  // 300 served rows whose AMOUNT is tripled (drift), with what happened to them (outcomes).
  const served = rows.slice(0, 300);
  const { predict } = await server.query('mutation($rows: [JSONObject!]!) { predict(input: { model: "credit-watched", environment: PRODUCTION, rows: $rows }) { predictions { id } } }', {
    rows: served.map((row) => featuresOf({ ...row, AMOUNT: (row.AMOUNT as number) * 3 })),
  });
  await server.query('mutation($input: RecordOutcomesInput!) { recordOutcomes(input: $input) { recorded } }', {
    input: { modelId, outcomes: predict.predictions.map((p: { id: string }, i: number) => ({ predictionId: p.id, actual: String(served[i].RESPONSE) })) },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const ALERTS_OF_RULE = 'query($r: ID) { alerts(filter: { ruleId: $r }) { edges { node { id state severity acknowledgedBy } } } }';
const createRule = async (name: string) => (await server.query(`mutation($name: String!) { createAlertRule(input: { name: $name, metric: WEBSOCKET_CONNECTIONS, comparator: GTE, threshold: 1, cooldownSeconds: 0, severity: CRITICAL }) { id } }`, { name })).createAlertRule.id as string;

describe('the monitoring page', () => {
  it('grows the health charts live, shows an alert the moment it fires, acknowledges it, and shows the model\'s drift and outcomes as the API reports them', async () => {
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `monitoring?model=${modelId}&environment=PRODUCTION`);
    const { page } = tab;
    await page.getByRole('heading', { name: 'Monitoring', level: 1 }).waitFor();

    // Health: the stored history first, then a point per snapshot.
    const memory = page.locator('figure.chart', { hasText: 'Memory (MB)' });
    const points = async () => Number(await memory.getAttribute('data-points'));
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(0);
    const before = await points();
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(before + 1);
    for (const title of ['Latency of all operations (ms)', 'Error rate (%)', 'CPU (% of one core)', 'Event-loop lag, p99 (ms)']) {
      expect(Number(await page.locator('figure.chart', { hasText: title }).getAttribute('data-points'))).toBeGreaterThan(0);
    }

    // An alert fires for real (the page's own WebSocket crosses the threshold) and appears without a reload.
    await page.evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true; });
    const ruleId = await createRule('console: websockets open');
    const row = page.getByTestId('alert-feed').locator('tr', { hasText: 'console: websockets open' });
    await row.waitFor({ timeout: 15_000 });
    const { alerts } = await server.query(ALERTS_OF_RULE, { r: ruleId });
    expect(alerts.edges).toHaveLength(1);
    const alert = alerts.edges[0].node;
    expect(alert).toMatchObject({ state: 'OPEN', severity: 'CRITICAL' });
    expect(await row.getAttribute('data-alert-id')).toBe(alert.id);
    expect(await row.locator('.badge').allTextContents()).toEqual(['CRITICAL', 'OPEN']);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    await row.getByRole('button', { name: /^Acknowledge/ }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('ACKNOWLEDGED');
    expect(await row.locator('.badge').allTextContents()).toEqual(['CRITICAL', 'ACKNOWLEDGED']);
    expect(await row.getByRole('button', { name: /^Acknowledge/ }).count()).toBe(0);
    const after = (await server.query(ALERTS_OF_RULE, { r: ruleId })).alerts.edges[0].node;
    expect(after).toMatchObject({ id: alert.id, state: 'ACKNOWLEDGED', acknowledgedBy: expect.any(String) });
    expect(await row.textContent()).toContain(`by ${after.acknowledgedBy}`);

    // The model's reports: each feature's drift status as the API gives it, AMOUNT significant.
    const { driftReport } = await server.query('query($m: String!) { driftReport(model: $m) { status rowCount features { feature status } } }', { m: modelId });
    const drift = page.getByTestId('drift-report');
    await drift.locator('table').waitFor();
    for (const feature of driftReport.features) {
      expect(await drift.locator('tr', { has: page.getByRole('button', { name: feature.feature, exact: true }) }).locator('.badge').textContent(), feature.feature).toBe(feature.status);
    }
    expect(driftReport.features.find((f: { feature: string }) => f.feature === 'AMOUNT').status).toBe('SIGNIFICANT');
    expect(await drift.locator('.status-line').textContent()).toContain(`${driftReport.rowCount} served rows`);
    expect(await drift.getByTestId('psi-chart').locator('svg').count()).toBe(1);
    await drift.getByLabel('Feature').selectOption('HOUSING');
    await drift.getByTestId('drift-histogram').locator('figcaption', { hasText: 'HOUSING' }).waitFor();

    const { outcomeReport } = await server.query('query($m: ID!) { outcomeReport(modelId: $m) { total { predictions outcomes } calibration { count } } }', { m: modelId });
    expect(outcomeReport.total).toEqual({ predictions: 300, outcomes: 300 });
    const outcomes = page.getByTestId('outcome-report');
    await outcomes.getByText('300 predictions from').waitFor();
    expect(outcomeReport.calibration.length).toBeGreaterThan(0);
    expect(await outcomes.getByTestId('calibration-chart').locator('svg').count()).toBe(1);
    await page.getByTestId('challenger-report').getByText('No challenger in PRODUCTION').waitFor();

    await screenshot(page, 'monitoring');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('shows a VIEWER the live feed without an Acknowledge button', async () => {
    const viewer = await server.createKey('VIEWER');
    const tab = await openConsole(browser, server, viewer, 'monitoring');
    const { page } = tab;
    await page.getByTestId('alert-feed').waitFor();
    await createRule('console: websockets for the viewer');
    const row = page.getByTestId('alert-feed').locator('tr', { hasText: 'console: websockets for the viewer' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-state')).toBe('OPEN');
    expect(await page.getByRole('button', { name: /^Acknowledge/ }).count()).toBe(0);
    await page.getByText('Choose a model above').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });
});
