import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readDataset } from '../support/csv';
import { DEPLOY, trainVersion } from '../support/serving';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
let modelId: string;
let v1: string;
let v2: string;
let runIds: string[];
/** Secrets by person: dana trains and asks (and also holds an APPROVER key), erin approves, vic only looks. */
const keys = {} as Record<'scientist' | 'danaApprover' | 'approver' | 'viewer', string>;

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

async function createKey(name: string, role: string, principal: string): Promise<string> {
  const { createApiKey } = await server.query('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', { input: { name, role, principal } });
  return createApiKey.secret;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  keys.scientist = await createKey('dana-scientist', 'DATA_SCIENTIST', 'dana');
  keys.danaApprover = await createKey('dana-approver', 'APPROVER', 'dana');
  keys.approver = await createKey('erin-approver', 'APPROVER', 'erin');
  keys.viewer = await createKey('vic-viewer', 'VIEWER', 'vic');
  const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit", csv: $csv }) { id } }', { csv: readDataset('GermanCredit.csv') });
  ({ createModel: { id: modelId } } = await server.query(`mutation { createModel(input: { name: "credit-console", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION,
    featureColumns: ["AMOUNT", "DURATION", "AGE", "CHK_ACCT", "HISTORY"], targetColumn: "RESPONSE" }) { id } }`));
  // The scientist trains both versions (so maker-checker keeps all of dana's keys from approving them).
  [v1, v2] = await Promise.all([1, 2].map((seed) => trainVersion(server, modelId, createDataset.id, seed, `Bearer ${keys.scientist}`)));
  const { model } = await server.query('query($id: ID!) { model(id: $id) { trainingRuns { edges { node { id } } } } }', { id: modelId });
  runIds = model.trainingRuns.edges.map((e: { node: { id: string } }) => e.node.id);
  const gate = await server.request('mutation($m: ID!) { setModelControls(input: { modelId: $m, promotionGate: { metric: "auc", threshold: 0.5 } }) { id } }', { m: modelId }, bearer(keys.approver));
  expect(gate.errors).toBeUndefined();
  // PREVIEW has served two versions, so it has something to roll back to.
  for (const version of [v2, v1]) {
    const res = await server.request(DEPLOY, { input: { modelVersionId: version, environment: 'PREVIEW', reason: 'preview' } }, bearer(keys.scientist));
    expect(res.data?.deployModelVersion.__typename).toBe('Deployment');
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The row of a requests table for one request. */
const requestRow = (page: Page, requestId: string) => page.locator(`tr[data-request="${requestId}"]`);
const environment = (page: Page, name: string) => page.locator(`section[data-environment="${name}"]`);

describe('the console: models, deployments and approvals', () => {
  it('an APPROVER approves a PRODUCTION request in the console; the model page shows it live with the approver, and the request cannot be approved again', async () => {
    const asked = await server.request(DEPLOY, { input: { modelVersionId: v1, environment: 'PRODUCTION', reason: 'quarterly refresh' } }, bearer(keys.scientist));
    expect(asked.data.deployModelVersion).toMatchObject({ __typename: 'DeploymentRequest', status: 'PENDING', gate: { passed: true } });
    const requestId = asked.data.deployModelVersion.id;

    // A VIEWER watches the model page while the request is decided elsewhere; an ADMIN watches the approvals.
    const viewer = await openConsole(browser, server, keys.viewer, `models/${modelId}`);
    await requestRow(viewer.page, requestId).getByText('awaiting an APPROVER').waitFor();
    expect(await viewer.page.getByTestId('live-PRODUCTION').textContent()).toContain('Nothing deployed');
    const admin = await openConsole(browser, server, TEST_ADMIN_KEY, 'approvals');
    await requestRow(admin.page, requestId).waitFor();

    const erin = await openConsole(browser, server, keys.approver, 'approvals');
    const row = requestRow(erin.page, requestId);
    await row.waitFor();
    const text = await row.textContent();
    for (const expected of ['credit-console', 'v1', 'PRODUCTION', 'LIVE', 'dana-scientist', 'quarterly refresh', 'PASSED', 'auc', 'PENDING']) expect(text).toContain(expected);
    expect(await erin.page.getByRole('link', { name: 'Approvals' }).getAttribute('aria-current')).toBe('page');
    await screenshot(erin.page, 'approvals');
    expect(await seriousAxeViolations(erin.page)).toEqual([]);

    await row.getByLabel(/Comment/).fill('gate passed, ROC checked');
    await row.getByRole('button', { name: 'Approve' }).click();
    await erin.page.getByRole('status').filter({ hasText: 'Approved: credit-console v1 is live in PRODUCTION' }).waitFor();
    await erin.page.getByText('No pending approvals').waitFor();
    expect(await seriousAxeViolations(erin.page)).toEqual([]);

    // Live: the ADMIN's list drops the request, and the VIEWER's model page shows v1 in PRODUCTION, both without a reload.
    await requestRow(admin.page, requestId).waitFor({ state: 'detached', timeout: 10_000 });
    await admin.page.getByText('No pending approvals').waitFor();
    await expect.poll(() => viewer.page.getByTestId('live-PRODUCTION').textContent(), { timeout: 10_000 }).toContain('v1');
    const viewerHistory = await environment(viewer.page, 'PRODUCTION').locator('table.history tbody tr').first().textContent();
    expect(viewerHistory).toContain('approved by erin-approver');
    expect(await requestRow(viewer.page, requestId).textContent()).toContain('APPROVED');

    // The approver's model page: v1 live in PRODUCTION, who asked, who approved and the comment.
    await erin.open(`models/${modelId}`);
    await expect.poll(() => erin.page.getByTestId('live-PRODUCTION').textContent()).toContain('v1');
    const history = await environment(erin.page, 'PRODUCTION').locator('table.history tbody tr').first().textContent();
    for (const expected of ['DEPLOY', 'v1', 'erin-approver', 'Requested by dana-scientist', 'quarterly refresh', 'approved by erin-approver', 'gate passed, ROC checked']) expect(history).toContain(expected);
    // The decided request offers no decision any more, and the server refuses a second approval.
    expect(await requestRow(erin.page, requestId).getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const again = await server.request('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id }) { status } }', { id: requestId });
    expect(codeOf(again)).toBe('CONFLICT');

    for (const tab of [viewer, admin, erin]) {
      expect(tab.external).toEqual([]);
      await tab.context.close();
    }
  });

  it('a DATA_SCIENTIST deploys to TEST, asks for PRODUCTION, starts a challenger and rolls back in the console; its maker cannot approve its own request', async () => {
    const dana = await openConsole(browser, server, keys.scientist, `models/${modelId}`);
    const { page } = dana;
    await page.getByRole('heading', { name: /credit-console/ }).waitFor();
    const facts = await page.locator('dl.facts').textContent();
    for (const expected of ['BINARY_CLASSIFICATION', 'LOGISTIC_REGRESSION', 'AMOUNT, DURATION, AGE, CHK_ACCT, HISTORY', 'RESPONSE', 'Yes', 'auc ≥ 0.5']) expect(facts).toContain(expected);
    // Both versions, each with its run and a key metric.
    const versions = page.locator('section[aria-labelledby="section-versions"] tbody tr');
    expect(await versions.count()).toBe(2);
    expect(await versions.first().textContent()).toMatch(/auc \d/);

    // Deploy v1 to TEST: the answer is a Deployment.
    await page.getByRole('button', { name: 'Deploy a version…' }).click();
    await page.getByLabel('Version', { exact: true }).selectOption(v1);
    await page.getByLabel('Environment', { exact: true }).selectOption('TEST');
    await page.getByLabel('Reason', { exact: true }).fill('smoke test');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    expect(await page.locator('[data-outcome="Deployment"]').textContent()).toContain('v1 is live in TEST');
    await expect.poll(() => page.getByTestId('live-TEST').textContent()).toContain('v1');
    const testHistory = await environment(page, 'TEST').locator('table.history tbody tr').first().textContent();
    for (const expected of ['DEPLOY', 'v1', 'dana-scientist', 'smoke test', 'no approval needed']) expect(testHistory).toContain(expected);

    // Ask for v2 in PRODUCTION: the answer is a request pending approval, with the gate's check.
    await page.getByRole('button', { name: 'Deploy a version…' }).click();
    await page.getByLabel('Version', { exact: true }).selectOption(v2);
    await page.getByLabel('Environment', { exact: true }).selectOption('PRODUCTION');
    await page.getByLabel('Reason', { exact: true }).fill('v2 is better');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const pending = page.locator('[data-outcome="DeploymentRequest"]');
    await pending.waitFor();
    expect(await pending.textContent()).toMatch(/Pending approval: v2 for PRODUCTION waits for an APPROVER.*Gate check: PASSED auc 0\.\d+/s);
    const requestId = (await pending.locator('code').textContent())!;
    await requestRow(page, requestId).getByText('awaiting an APPROVER').waitFor();
    expect(await page.getByTestId('live-PRODUCTION').textContent()).toContain('v1');

    // A SHADOW challenger of v2 beside v1 in TEST, with promote and end for this role.
    await page.getByRole('button', { name: 'Start challenger…' }).click();
    await page.getByLabel('Version', { exact: true }).selectOption(v2);
    await page.getByLabel('Environment', { exact: true }).selectOption('TEST');
    await page.getByLabel('Mode', { exact: true }).selectOption('SHADOW');
    await page.getByRole('button', { name: 'Start challenger', exact: true }).click();
    expect(await page.locator('[data-outcome="Challenger"]').textContent()).toContain('v2 runs beside the live version in TEST as SHADOW');
    const challenger = page.getByTestId('challenger-TEST');
    await challenger.waitFor();
    expect(await challenger.textContent()).toMatch(/Challenger v2 in SHADOW.*against v1/s);
    await challenger.getByRole('button', { name: 'Promote challenger' }).waitFor();
    await challenger.getByRole('button', { name: 'End challenger' }).waitFor();

    // Roll back PREVIEW (v2, then v1): v2 serves again, recorded as a ROLLBACK with the reason.
    await page.getByRole('button', { name: 'Roll back PREVIEW…' }).click();
    await page.getByLabel('Reason for the rollback').fill('v1 misbehaves in preview');
    await page.getByRole('button', { name: 'Confirm roll back' }).click();
    await expect.poll(() => page.getByTestId('live-PREVIEW').textContent()).toContain('v2');
    const rollback = await environment(page, 'PREVIEW').locator('table.history tbody tr').first().textContent();
    for (const expected of ['ROLLBACK', 'v2', 'dana-scientist', 'v1 misbehaves in preview']) expect(rollback).toContain(expected);

    // Pick both runs: the Compare link names them.
    for (const runId of runIds) await page.getByLabel(`Compare run ${runId}`).check();
    const compare = page.getByRole('link', { name: 'Compare 2 runs' });
    const target = new URL((await compare.getAttribute('href'))!.replace('#', 'http://x'), 'http://x');
    expect(target.pathname).toBe('/compare');
    expect(target.searchParams.get('runs')!.split(',').sort()).toEqual([...runIds].sort());

    await screenshot(page, 'model');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // dana's own APPROVER key: the server refuses (maker-checker) and the console shows its code.
    const maker = await openConsole(browser, server, keys.danaApprover, 'approvals');
    const row = requestRow(maker.page, requestId);
    await row.getByLabel(/Comment/).fill('looks fine to me');
    await row.getByRole('button', { name: 'Approve' }).click();
    const alert = row.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^FORBIDDEN maker-checker: "dana"/);
    expect(await row.textContent()).toContain('PENDING');
    expect(await seriousAxeViolations(maker.page)).toEqual([]);

    for (const tab of [dana, maker]) {
      expect(tab.external).toEqual([]);
      await tab.context.close();
    }
  });

  it('a VIEWER sees the deployments, the challenger and the pending request, but no deploy, roll back, approve or challenger button', async () => {
    const vic = await openConsole(browser, server, keys.viewer, `models/${modelId}`);
    const { page } = vic;
    await expect.poll(() => page.getByTestId('live-PRODUCTION').textContent()).toContain('v1');
    await page.getByTestId('challenger-TEST').waitFor();
    await page.locator('tr[data-request]', { hasText: 'PENDING' }).getByText('awaiting an APPROVER').waitFor();
    expect(await page.getByTestId('live-PREVIEW').textContent()).toContain('v2');
    expect(await page.getByRole('button', { name: /deploy|roll back|approve|reject|challenger/i }).count()).toBe(0);
    expect(await page.getByRole('textbox').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The VIEWER may still open the approvals, without decisions.
    await vic.open('approvals');
    await page.locator('tr[data-request]').first().waitFor();
    expect(await page.getByRole('button', { name: /approve|reject/i }).count()).toBe(0);
    expect(vic.external).toEqual([]);
    await vic.context.close();
  });
});
