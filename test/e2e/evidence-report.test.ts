import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CREDIT_FEATURES, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import type { TestServer } from '../support/test-server';
import { until } from '../support/until';
import { launchBrowser, screenshot, startConsoleServer } from './support/browser';

/** The decision evidence report renders in Chromium on its own: every request it tries to make is recorded and refused. */
let server: TestServer;
let browser: Browser;
let predictionId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit-report", csv: $csv }) { id } }', { csv: creditCsv() });
  const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-report', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  });
  const versionId = await trainVersion(server, createModel.id, createDataset.id, 3);
  await server.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v: versionId });
  const { predict } = await server.query('mutation($input: PredictInput!) { predict(input: $input) { predictions { id } } }',
    { input: { model: 'credit-report', environment: 'TEST', rows: creditRows().slice(0, 1).map(featuresOf), explain: true } });
  predictionId = predict.predictions[0].id;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('renders the HTML report with its charts and makes no network request', async () => {
  // TEST's prediction log is written asynchronously: wait for the row.
  const res = await until(() => fetch(`${new URL(server.url).origin}/exports/evidence/${predictionId}.html`, { headers: { authorization: server.adminAuth } }), (r) => r.status !== 404, 10_000);
  expect(res.status).toBe(200);
  const html = await res.text();
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  await page.setContent(html, { waitUntil: 'load' });
  expect(await page.title()).toBe(`Decision evidence ${predictionId}`);
  expect(await page.locator('h2').allTextContents()).toEqual(expect.arrayContaining(['Decision', 'Deployment in force', 'Training', 'Validation', 'Audit trail cited']));
  // The contribution bars and the ROC curve are drawn inline.
  expect(await page.locator('svg[aria-label="Feature contributions"] rect').count()).toBe(CREDIT_FEATURES.length);
  expect(await page.locator('svg[aria-label="ROC curve"] path').count()).toBe(1);
  const box = await page.locator('svg[aria-label="Feature contributions"]').boundingBox();
  expect(box!.width).toBeGreaterThan(100);
  await screenshot(page, 'evidence-report');
  expect(requests).toEqual([]);
  await context.close();
});
