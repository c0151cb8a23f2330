import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentAction, type Deployment } from '../../src/modules/deployments/deployment.entity';
import { DeploymentRequest, DeploymentRequestStatus } from '../../src/modules/deployments/deployment-request.entity';
import { Environment } from '../../src/modules/deployments/environment';
import type { ModelVersion } from '../../src/modules/models/model-version.entity';
import { Role } from '../../src/modules/shared/role';
import { caller, codeOf, creditDatasetAndModel, trainVersion } from '../support/service-fixtures';
import { startTestServices, type TestServices } from '../support/test-services';

// Maker-checker, the promotion gate and rollback, on DeploymentService itself over a real
// database, with real trained versions (three, trained once for the whole file).
let t: TestServices;
let modelId: string;
let versions: ModelVersion[];
const trainer = caller('trainer');
const maker = caller('maker');
const checker = caller('checker', Role.APPROVER);
const secondChecker = caller('checker-2', Role.APPROVER);

beforeAll(async () => {
  t = await startTestServices();
  const { dataset, model } = await creditDatasetAndModel(t.services, 'deploy-rules');
  modelId = model.id;
  versions = [];
  for (const seed of [1, 2, 3]) versions.push(await trainVersion(t.services, model.id, dataset.id, trainer, seed));
});
afterAll(() => t?.close());

const deploy = (version: ModelVersion, environment: Environment, who = maker, extra: Record<string, unknown> = {}) =>
  t.services.deployments.deploy({ modelVersionId: version.id, environment, ...extra }, who);
const liveVersionId = async (environment: Environment) => (await t.services.deployments.live(modelId, environment))?.modelVersionId ?? null;

describe('maker-checker for PRODUCTION', () => {
  let request: DeploymentRequest;

  it('answers a PRODUCTION deploy with a PENDING request and leaves PRODUCTION as it was', async () => {
    const outcome = await deploy(versions[0], Environment.PRODUCTION);
    expect(outcome).toBeInstanceOf(DeploymentRequest);
    request = outcome as DeploymentRequest;
    expect(request).toMatchObject({ status: DeploymentRequestStatus.PENDING, requestedById: maker.keyId, modelVersionId: versions[0].id });
    expect(await liveVersionId(Environment.PRODUCTION)).toBeNull();
  });

  it('refuses a second pending request for the same version (CONFLICT)', async () => {
    expect(await codeOf(deploy(versions[0], Environment.PRODUCTION, secondChecker))).toBe('CONFLICT');
  });

  it('refuses approval by the key that asked, and by the key that trained the version (FORBIDDEN)', async () => {
    expect(await codeOf(t.services.deployments.approve(request.id, null, maker))).toBe('FORBIDDEN');
    expect(await codeOf(t.services.deployments.approve(request.id, null, trainer))).toBe('FORBIDDEN');
    expect((await t.services.deployments.getRequest(request.id)).status).toBe(DeploymentRequestStatus.PENDING);
    expect(await liveVersionId(Environment.PRODUCTION)).toBeNull();
  });

  it('puts the version live when a second person approves, once: approving or rejecting again is a CONFLICT', async () => {
    const approved = await t.services.deployments.approve(request.id, 'checked the evaluation', checker);
    expect(approved).toMatchObject({ status: DeploymentRequestStatus.APPROVED, decidedById: checker.keyId, decisionComment: 'checked the evaluation' });
    expect(await liveVersionId(Environment.PRODUCTION)).toBe(versions[0].id);
    const deployment = await t.services.deployments.getDeployment(approved.deploymentId!);
    expect(deployment).toMatchObject({ requestId: request.id, deployedById: checker.keyId, action: DeploymentAction.DEPLOY });
    expect(await codeOf(t.services.deployments.approve(request.id, null, secondChecker))).toBe('CONFLICT');
    expect(await codeOf(t.services.deployments.reject(request.id, 'too late', secondChecker))).toBe('CONFLICT');
  });

  it('records a rejection with its reason and changes nothing live', async () => {
    const pending = (await deploy(versions[1], Environment.PRODUCTION)) as DeploymentRequest;
    const rejected = await t.services.deployments.reject(pending.id, 'wait for the quarterly review', checker);
    expect(rejected).toMatchObject({ status: DeploymentRequestStatus.REJECTED, decisionComment: 'wait for the quarterly review', deploymentId: null });
    expect(await liveVersionId(Environment.PRODUCTION)).toBe(versions[0].id);
  });

  it('goes live at once without a request when the model waives approval', async () => {
    await t.services.models.setControls({ modelId, requiresApproval: false, clearPromotionGate: false });
    try {
      const outcome = (await deploy(versions[1], Environment.PRODUCTION)) as Deployment;
      expect(outcome.modelVersionId).toBe(versions[1].id);
      expect(await liveVersionId(Environment.PRODUCTION)).toBe(versions[1].id);
    } finally {
      await t.services.models.setControls({ modelId, requiresApproval: true, clearPromotionGate: false });
    }
  });
});

describe('maker-checker between people', () => {
  it('refuses a second key of the requester\'s principal, such as an APPROVER key it minted itself, and takes another person\'s', async () => {
    const { apiKey: aliceKey } = await t.services.apiKeys.create({ name: 'alice-ds', role: Role.DATA_SCIENTIST, principal: 'alice' }, null);
    // Minted by alice's key without naming anyone: it is alice's too.
    const { apiKey: aliceApprover } = await t.services.apiKeys.create({ name: 'alice-approver', role: Role.APPROVER }, { keyId: aliceKey.id, principal: 'alice' });
    expect(aliceApprover.principal).toBe('alice');
    const { apiKey: bobApprover } = await t.services.apiKeys.create({ name: 'bob-approver', role: Role.APPROVER, principal: 'bob' }, { keyId: aliceKey.id, principal: 'alice' });
    const asKey = (key: typeof aliceKey) => ({ keyId: key.id, keyName: key.name, principal: key.principal, role: key.role, modelScope: null });
    const request = (await deploy(versions[2], Environment.PRODUCTION, asKey(aliceKey))) as DeploymentRequest;
    const refused = await t.services.deployments.approve(request.id, null, asKey(aliceApprover)).catch((e) => e);
    expect(refused.extensions.code).toBe('FORBIDDEN');
    expect(refused.message).toMatch(/"alice" made this request/);
    const approved = await t.services.deployments.approve(request.id, 'four eyes', asKey(bobApprover));
    expect(approved.status).toBe(DeploymentRequestStatus.APPROVED);
    // Back to the version the tests below expect live.
    await t.services.deployments.rollback(modelId, Environment.PRODUCTION, 'restore', maker);
  });
});

describe('the promotion gate', () => {
  const gate = (promotionGate: { metric: string; threshold?: number | null; mustBeatCurrent: boolean }) =>
    t.services.models.setControls({ modelId, promotionGate, clearPromotionGate: false });
  afterAll(() => t.services.models.setControls({ modelId, clearPromotionGate: true }));

  it('refuses a version below the threshold with the numbers (CONFLICT), and passes one above it', async () => {
    const candidate = versions[2];
    const auc = candidate.metrics.auc;
    await gate({ metric: 'auc', threshold: auc + 0.001, mustBeatCurrent: false });
    const refusal = await deploy(candidate, Environment.PRODUCTION).catch((error) => error);
    expect(refusal.extensions).toMatchObject({ code: 'CONFLICT', gate: { metric: 'auc', candidate: auc, passed: false } });
    await gate({ metric: 'auc', threshold: auc - 0.001, mustBeatCurrent: false });
    const request = (await deploy(candidate, Environment.PRODUCTION)) as DeploymentRequest;
    expect(request.gate).toMatchObject({ metric: 'auc', passed: true });
    await t.services.deployments.reject(request.id, 'gate test', checker);
  });

  it('with mustBeatCurrent, refuses a version worse than the one live, and checks again at approval', async () => {
    const live = versions.find((v) => v.id === versions[1].id)!;
    const worse = versions.filter((v) => v.id !== live.id).find((v) => v.metrics.logLoss > live.metrics.logLoss);
    const better = versions.filter((v) => v.id !== live.id).find((v) => v.metrics.logLoss < live.metrics.logLoss);
    await gate({ metric: 'logLoss', mustBeatCurrent: true });
    if (worse) expect(await codeOf(deploy(worse, Environment.PRODUCTION))).toBe('CONFLICT');
    if (better) {
      const request = (await deploy(better, Environment.PRODUCTION)) as DeploymentRequest;
      // Meanwhile the gate is tightened past the candidate: approval re-checks and refuses.
      await gate({ metric: 'logLoss', threshold: better.metrics.logLoss - 0.01, mustBeatCurrent: true });
      expect(await codeOf(t.services.deployments.approve(request.id, null, checker))).toBe('CONFLICT');
      expect(await liveVersionId(Environment.PRODUCTION)).toBe(live.id);
      await t.services.deployments.reject(request.id, 'gate test', checker);
    }
    expect(worse ?? better, 'three versions with the same log loss').toBeDefined();
  });
});

describe('rollback', () => {
  it('puts back the version that served before, walking further back each time, until there is none (CONFLICT)', async () => {
    for (const version of versions) await deploy(version, Environment.TEST);
    expect(await liveVersionId(Environment.TEST)).toBe(versions[2].id);
    const first = await t.services.deployments.rollback(modelId, Environment.TEST, 'bad outputs', maker);
    expect(first).toMatchObject({ action: DeploymentAction.ROLLBACK, modelVersionId: versions[1].id, reason: 'bad outputs' });
    expect(await liveVersionId(Environment.TEST)).toBe(versions[1].id);
    const second = await t.services.deployments.rollback(modelId, Environment.TEST, null, maker);
    expect(second.modelVersionId).toBe(versions[0].id);
    expect(await liveVersionId(Environment.TEST)).toBe(versions[0].id);
    expect(await codeOf(t.services.deployments.rollback(modelId, Environment.TEST, null, maker))).toBe('CONFLICT');
    expect(await codeOf(t.services.deployments.rollback(modelId, Environment.PREVIEW, null, maker))).toBe('CONFLICT');
  });

  it('refuses to deploy the version already live (CONFLICT), and keeps every event in the history', async () => {
    expect(await codeOf(deploy(versions[0], Environment.TEST))).toBe('CONFLICT');
    const history = await t.services.deployments.history(modelId, Environment.TEST, null, { first: 10 });
    expect(history.items.map((d) => [d.action, d.modelVersionId])).toEqual([
      [DeploymentAction.ROLLBACK, versions[0].id],
      [DeploymentAction.ROLLBACK, versions[1].id],
      [DeploymentAction.DEPLOY, versions[2].id],
      [DeploymentAction.DEPLOY, versions[1].id],
      [DeploymentAction.DEPLOY, versions[0].id],
    ]);
  });
});
