import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/core/config';
import { packageRoot } from '../src/core/package-root';
import { startServer } from '../src/server/start-server';

/**
 * `npm run build && node dist/scripts/evidence-example.js [dir]` (default docs/examples): makes the
 * README's example decision-evidence report. It plays the whole governed flow on GermanCredit
 * against a throw-away server: a scientist trains a HIGH-tier credit model, an independent
 * validator validates it, an approver sets its decision policy and approves its PRODUCTION
 * deploy, and a declined application is scored with adverse-action reasons. The pack of that
 * decision is written as HTML and sealed JSON.
 */
const ADMIN_KEY = 'aim_example_admin_key_0123456789abcdefghijklmnop';
const FEATURES = ['CHK_ACCT', 'DURATION', 'HISTORY', 'AMOUNT', 'SAV_ACCT', 'EMPLOYMENT', 'INSTALL_RATE', 'AGE', 'NUM_CREDITS'];

async function main() {
  const out = path.resolve(process.argv[2] ?? path.join(packageRoot(), 'docs/examples'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-evidence-'));
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'warn', SEED_DEMO: 'false', AIMASS_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, DATABASE_URL: `sqlite:${path.join(dir, 'example.sqlite')}` });
  const server = await startServer(config);
  const call = async (query: string, variables: Record<string, unknown> = {}, key = ADMIN_KEY) => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
    const body = await res.json() as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const key = async (role: string, principal: string) => (await call('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', { input: { name: principal, role, principal } })).createApiKey.secret as string;
  try {
    const [scientist, validator, approver] = [await key('DATA_SCIENTIST', 'dana@bank.example'), await key('VALIDATOR', 'vera@bank.example'), await key('APPROVER', 'alex@bank.example')];
    const csv = fs.readFileSync(path.join(packageRoot(), 'test/fixtures/data/GermanCredit.csv'), 'utf8');
    const { createDataset } = await call('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'german-credit', csv } }, scientist);
    const { createModel } = await call('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
      input: {
        name: 'retail-credit-scorecard', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: FEATURES, targetColumn: 'RESPONSE',
        intendedUse: 'Approve or decline retail credit applications up to 20,000 DM.', knownLimitations: 'Trained on 1,000 applications from one lender; not for business lending.',
        businessLine: 'Retail lending', regulations: ['ECOA', 'Reg B', 'SR 11-7'],
      },
    }, scientist);
    await call('mutation($id: ID!) { setModelControls(input: { modelId: $id, riskTier: HIGH }) { id } }', { id: createModel.id }, approver);
    const { startTrainingRun: run } = await call('mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id } }', { input: { modelId: createModel.id, datasetId: createDataset.id, seed: 42 } }, scientist);
    let versionId: string | null = null;
    for (let i = 0; i < 600 && !versionId; i++) {
      const { trainingRun } = await call('query($id: ID!) { trainingRun(id: $id) { status error modelVersion { id } } }', { id: run.id });
      if (['FAILED', 'CANCELLED'].includes(trainingRun.status)) throw new Error(`training ${trainingRun.status}: ${trainingRun.error}`);
      versionId = trainingRun.status === 'SUCCEEDED' ? trainingRun.modelVersion.id : null;
      if (!versionId) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { openValidation } = await call('mutation($v: ID!) { openValidation(input: { modelVersionId: $v, scope: "Data, methodology, discrimination and calibration on the held-out split" }) { id } }', { v: versionId }, validator);
    await call(`mutation($id: ID!, $due: DateTimeISO!) { addValidationFinding(input: { validationId: $id, severity: LOW, description: "Few applicants over 70 in the training data", owner: "dana@bank.example", dueAt: $due }) { id } }`,
      { id: openValidation.id, due: new Date(Date.now() + 90 * 86_400_000).toISOString() }, validator);
    await call('mutation($id: ID!) { concludeValidation(input: { validationId: $id, conclusion: APPROVED_WITH_CONDITIONS, statement: "Fit for retail credit decisions; the finding is to be remediated within 90 days." }) { id } }', { id: openValidation.id }, validator);
    const reasons = [
      ['CHK_ACCT', 'R01', 'Checking account balance'], ['DURATION', 'R02', 'Length of the loan requested'], ['HISTORY', 'R03', 'Credit history'],
      ['AMOUNT', 'R04', 'Amount of credit requested'], ['SAV_ACCT', 'R05', 'Savings on deposit'], ['EMPLOYMENT', 'R06', 'Length of employment'],
      ['INSTALL_RATE', 'R07', 'Installment as a share of income'], ['AGE', 'R08', 'Length of credit experience'], ['NUM_CREDITS', 'R09', 'Number of existing credits'],
    ].map(([feature, code, text]) => ({ feature, code, text }));
    await call('mutation($input: SetDecisionPolicyInput!) { setDecisionPolicy(input: $input) { updatedAt } }', { input: { modelId: createModel.id, thresholds: [{ environment: 'PRODUCTION', threshold: 0.6 }], reasons } }, approver);
    const { deployModelVersion: request } = await call('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: PRODUCTION, reason: "Validated; replaces the manual scorecard" }) { ... on DeploymentRequest { id } } }', { v: versionId }, scientist);
    await call('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id, comment: "Validation concluded; gate passed" }) { status } }', { id: request.id }, approver);
    const rows = csv.trim().split(/\r?\n/).slice(1, 41).map((line) => {
      const cells = line.split(',');
      const header = csv.split(/\r?\n/)[0].replace(/^\uFEFF/, '').split(',');
      return Object.fromEntries(FEATURES.map((feature) => [feature, Number(cells[header.indexOf(feature)])]));
    });
    const { predict } = await call('mutation($input: PredictInput!) { predict(input: $input) { predictions { id decision } } }', { input: { model: 'retail-credit-scorecard', rows, adverseActionReasons: 4, routingKey: 'application-2026-1187' } }, scientist);
    const declined = predict.predictions.find((p: { decision: string }) => p.decision === 'DECLINE');
    if (!declined) throw new Error('no application among the first 40 was declined');
    fs.mkdirSync(out, { recursive: true });
    for (const format of ['html', 'json']) {
      const res = await fetch(`${new URL(server.url).origin}/exports/evidence/${declined.id}.${format}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      if (res.status !== 200) throw new Error(`evidence ${format}: HTTP ${res.status}`);
      fs.writeFileSync(path.join(out, `evidence-report.${format}`), await res.text());
    }
    console.log(`wrote ${path.join(out, 'evidence-report.html')} and .json for ${declined.id}`);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
