import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { creditCsv } from '../support/serving';
import { START_RUN, waitForRun } from '../support/training';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
let viewerKey: string;
/** The classifier's version and the evaluation training made of it. */
let versionId: string;
let evaluation: { id: string; rowCount: number; confusionMatrix: number[][] };
let regressionEvaluationId: string;

const VERSION = `query($id: ID!) { trainingRun(id: $id) { modelVersion { id evaluation { id rowCount confusionMatrix } } } }`;
const EVALUATE = `mutation($v: ID!, $d: ID!) { evaluateModelVersion(input: { modelVersionId: $v, datasetId: $d }) { id rowCount confusionMatrix } }`;

/** Trains a model to the end and returns its version's id and evaluation (evaluated over the API when training made none). */
async function train(model: Record<string, unknown>, datasetId: string): Promise<{ versionId: string; evaluation: typeof evaluation }> {
  const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', { input: model });
  const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: createModel.id, datasetId, seed: 5 } });
  const ended = await waitForRun(server, run.id, (r) => !['QUEUED', 'RUNNING'].includes(r.status));
  expect(ended.status).toBe('SUCCEEDED');
  const { trainingRun: { modelVersion } } = await server.query(VERSION, { id: run.id });
  const made = modelVersion.evaluation ?? (await server.query(EVALUATE, { v: modelVersion.id, d: datasetId })).evaluateModelVersion;
  return { versionId: modelVersion.id, evaluation: made };
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  ({ createApiKey: { secret: viewerKey } } = await server.query('mutation { createApiKey(input: { name: "vic", role: VIEWER, principal: "vic" }) { secret } }'));
  const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit", csv: $csv }) { id } }', { csv: creditCsv() });
  const [classifier, regressor] = await Promise.all([
    train({ name: 'credit-logit', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', targetColumn: 'RESPONSE',
      featureColumns: ['CHK_ACCT', 'DURATION', 'HISTORY', 'AMOUNT', 'SAV_ACCT', 'AGE', 'HOUSING'] }, createDataset.id),
    train({ name: 'amount-linear', task: 'REGRESSION', architecture: 'LINEAR_REGRESSION', targetColumn: 'AMOUNT', featureColumns: ['DURATION', 'AGE', 'INSTALL_RATE'] }, createDataset.id),
  ]);
  ({ versionId, evaluation } = classifier);
  regressionEvaluationId = regressor.evaluation.id;
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The confusion matrix as the page shows it, [actual][predicted]. */
async function matrix(page: Page): Promise<number[][]> {
  const cell = async (i: number, j: number) => Number(await page.getByTestId(`cell-${i}-${j}`).textContent());
  return [[await cell(0, 0), await cell(0, 1)], [await cell(1, 0), await cell(1, 1)]];
}
/** The most points of any SVG path in a chart (an ECharts line is one path with a point per vertex). */
async function longestPath(page: Page, testId: string): Promise<number> {
  const counts = await page.getByTestId(testId).locator('svg path').evaluateAll((paths) => paths.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).length - 1));
  return Math.max(0, ...counts);
}
const total = (m: number[][]) => m.flat().reduce((a, b) => a + b, 0);
const rowSums = (m: number[][]) => m.map((row) => row[0] + row[1]);

describe('the console: a version and its evaluation', () => {
  it('draws the ROC curve; the threshold slider changes the confusion matrix, which keeps the row count; the what-if panel draws predictSensitivity; a robustness report is made', async () => {
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `versions/${versionId}`);
    const { page } = tab;
    await page.getByRole('heading', { name: 'Classification' }).waitFor();

    // The ROC curve: an SVG path with many points, next to the diagonal.
    const roc = page.getByTestId('roc');
    await expect.poll(() => longestPath(page, 'roc')).toBeGreaterThan(20);
    expect(await roc.locator('figcaption').textContent()).toMatch(/ROC curve: \d+ points, AUC 0\.\d+/);

    // The matrix at the stored threshold holds every evaluated row, split as the stored matrix is.
    const before = await matrix(page);
    expect(total(before)).toBe(evaluation.rowCount);
    expect(rowSums(before)).toEqual(rowSums(evaluation.confusionMatrix));
    expect(await page.getByTestId('threshold-value').textContent()).toBe('0.50');

    // Down to 0.30 from the keyboard: more rows called positive, the same rows in all.
    const slider = page.getByLabel('Decision threshold');
    await slider.focus();
    for (let i = 0; i < 20; i++) await slider.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('threshold-value').textContent()).toBe('0.30');
    const after = await matrix(page);
    expect(after).not.toEqual(before);
    expect(total(after)).toBe(evaluation.rowCount);
    expect(rowSums(after)).toEqual(rowSums(before));
    expect(after[0][1] + after[1][1]).toBeGreaterThan(before[0][1] + before[1][1]); // predicted positive
    const recall = after[1][1] / (after[1][0] + after[1][1]);
    expect(await page.getByTestId('confusion').locator('.facts').textContent()).toContain(`Recall (TPR)${Number(recall.toPrecision(3))}`);

    // Feature importance: permutation and the logistic regression's own, as bars.
    await expect.poll(() => page.getByTestId('permutation-importance').locator('svg path').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('native-importance').locator('svg path').count()).toBeGreaterThan(0);

    // What-if: a curve of 41 answers along AMOUNT from this version (not deployed anywhere).
    const answer = page.getByTestId('whatif-answer');
    await expect.poll(() => answer.getAttribute('data-points'), { timeout: 20_000 }).toBe('41');
    await page.getByLabel('Slide along').selectOption('AMOUNT');
    await expect.poll(() => answer.textContent(), { timeout: 20_000 }).toMatch(/At AMOUNT =/);
    await expect.poll(() => longestPath(page, 'whatif-chart')).toBeGreaterThanOrEqual(41);
    const first = await answer.textContent();
    expect(first).toMatch(/At AMOUNT = [\d,.]+ this version answers 0\.\d+/);
    // Another row (the longest duration) moves the answer.
    await page.getByLabel('DURATION value').fill('72');
    await page.getByLabel('DURATION value').press('Tab');
    await expect.poll(() => answer.textContent(), { timeout: 20_000 }).not.toBe(first);
    // Along another feature.
    await page.getByLabel('Slide along').selectOption('AGE');
    await expect.poll(() => longestPath(page, 'whatif-chart')).toBeGreaterThanOrEqual(41);
    await expect.poll(() => answer.textContent(), { timeout: 20_000 }).toMatch(/At AGE = [\d.]+ this version answers/);

    // A robustness report, made on the server from the console and shown at once.
    expect(await page.getByTestId('robustness-report').count()).toBe(0);
    await page.getByRole('button', { name: 'Create robustness report' }).click();
    await page.getByTestId('robustness-report').first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('robustness-report').first().textContent()).toMatch(/auc 0\.\d+ on [\d,]+ rows[\s\S]*noise 1 sd/);
    const { modelVersion } = await server.query('query($id: ID!) { modelVersion(id: $id) { robustnessReports { id } } }', { id: versionId });
    expect(modelVersion.robustnessReports).toHaveLength(1);

    await screenshot(page, 'evaluation');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('a VIEWER sees the same evaluation at #/evaluations/<id>, with no robustness button; a regression evaluation shows its metrics and no ROC', async () => {
    const tab = await openConsole(browser, server, viewerKey, `evaluations/${evaluation.id}`);
    const { page } = tab;
    await expect.poll(() => longestPath(page, 'roc')).toBeGreaterThan(20);
    expect(total(await matrix(page))).toBe(evaluation.rowCount);
    await page.getByRole('heading', { name: 'Robustness' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create robustness report' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await tab.open(`evaluations/${regressionEvaluationId}`);
    await page.getByRole('heading', { level: 1, name: /amount-linear/ }).waitFor();
    const metrics = page.getByTestId('key-metrics');
    expect(await metrics.textContent()).toMatch(/RMSE[\d,.]+MAE[\d,.]+/);
    expect(await page.getByTestId('roc').count()).toBe(0);
    expect(await page.getByTestId('confusion').count()).toBe(0);
    await expect.poll(() => page.getByTestId('whatif-answer').getAttribute('data-points'), { timeout: 20_000 }).toBe('41');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await tab.open('evaluations/ev_doesnotexist');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('NOT_FOUND');
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });
});
