import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthSnapshotData } from '../../src/engines/telemetry/health-snapshot';
import { AlertComparator, AlertMetric, AlertSeverity, AlertState } from '../../src/modules/monitoring/alert-enums';
import type { AlertRule } from '../../src/modules/monitoring/alert-rule.entity';
import { caller, codeOf, creditDatasetAndModel } from '../support/service-fixtures';
import { startTestServices, type TestServices } from '../support/test-services';

// Alert rules and the alert engine on a real database, fed hand-made health snapshots with their
// own clock, so "held for 60 s" takes no time.
let t: TestServices;
let modelId: string;

beforeAll(async () => {
  t = await startTestServices({ start: false });
  modelId = (await creditDatasetAndModel(t.services, 'alerting')).model.id;
});
afterAll(() => t?.close());

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
function snapshot(secondsAfterT0: number, values: Partial<HealthSnapshotData> = {}): HealthSnapshotData {
  const none = { p50: null, p95: null, p99: null };
  return {
    at: new Date(T0 + secondsAfterT0 * 1000), windowSeconds: 60, requestRate: 0, errorRate: 0, latencyMs: none, cpuPercent: 1, rssMb: 100, heapUsedMb: 50,
    eventLoopLagMs: 1, trainingsQueued: 0, trainingsRunning: 0, trainingsFailed: 0, predictions: [], ...values,
  };
}

const rule = (input: Partial<AlertRule> & { metric: AlertMetric; threshold: number }) => t.services.alerts.createRule({
  name: `rule ${input.metric}`, comparator: AlertComparator.GT, forSeconds: 0, cooldownSeconds: 0, severity: AlertSeverity.WARNING, enabled: true, ...input,
} as never);
const alertsOf = async (ruleId: string) => (await t.services.alerts.list({ ruleId }, { first: 50 }, null)).items;

describe('alert rules', () => {
  it('has the built-in rules, which can be switched off but not deleted (CONFLICT)', async () => {
    const builtIns = (await t.services.alerts.rules()).filter((r) => r.builtIn);
    expect(builtIns.map((r) => r.builtIn).sort()).toEqual(['disk-free', 'drift', 'error-rate', 'finding-overdue', 'latency-p95', 'revalidation-overdue', 'rss', 'training-failed', 'worker-lost']);
    expect(await codeOf(t.services.alerts.deleteRule(builtIns[0].id))).toBe('CONFLICT');
    const off = await t.services.alerts.updateRule({ id: builtIns[0].id, enabled: false } as never);
    expect(off.enabled).toBe(false);
    await t.services.alerts.updateRule({ id: builtIns[0].id, enabled: true } as never);
  });

  it('refuses a model on a process-wide metric (BAD_USER_INPUT), an unknown model (NOT_FOUND) and a non-finite threshold', async () => {
    expect(await codeOf(rule({ metric: AlertMetric.CPU_PERCENT, threshold: 90, modelId }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(rule({ metric: AlertMetric.PREDICT_ERROR_RATE, threshold: 0.1, modelId: 'mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ' }))).toBe('NOT_FOUND');
    expect(await codeOf(rule({ metric: AlertMetric.CPU_PERCENT, threshold: Number.POSITIVE_INFINITY }))).toBe('BAD_USER_INPUT');
    const perModel = await rule({ metric: AlertMetric.PREDICT_ERROR_RATE, threshold: 0.1, modelId });
    expect(perModel.modelId).toBe(modelId);
    await t.services.alerts.deleteRule(perModel.id);
  });
});

describe('the alert engine', () => {
  it('opens one alert once the condition has held forSeconds, de-duplicates, and resolves it when it clears', async () => {
    const { alertEngine } = t.services;
    const r = await rule({ metric: AlertMetric.REQUEST_RATE, threshold: 100, forSeconds: 60 });
    await alertEngine.onSnapshot(snapshot(0, { requestRate: 150 }), []);
    await alertEngine.onSnapshot(snapshot(30, { requestRate: 150 }), []);
    expect(await alertsOf(r.id)).toHaveLength(0);
    await alertEngine.onSnapshot(snapshot(61, { requestRate: 180 }), []);
    await alertEngine.onSnapshot(snapshot(90, { requestRate: 190 }), []);
    const [open] = await alertsOf(r.id);
    expect(await alertsOf(r.id)).toHaveLength(1);
    expect(open).toMatchObject({ state: AlertState.OPEN, value: 180, threshold: 100, severity: AlertSeverity.WARNING });
    expect(open.createdAt.getTime()).toBe(T0 + 61_000);
    await alertEngine.onSnapshot(snapshot(120, { requestRate: 20 }), []);
    const [resolved] = await alertsOf(r.id);
    expect(resolved).toMatchObject({ id: open.id, state: AlertState.RESOLVED });
    expect(resolved.resolvedAt!.getTime()).toBe(T0 + 120_000);
    await t.services.alerts.deleteRule(r.id);
  });

  it('resolves a rule\'s open alert when the rule changes, and lets an acknowledgement through only once', async () => {
    const { alertEngine, alerts } = t.services;
    const r = await rule({ metric: AlertMetric.CPU_PERCENT, threshold: 50 });
    await alertEngine.onSnapshot(snapshot(200, { cpuPercent: 95 }), []);
    const [open] = await alertsOf(r.id);
    expect(open.state).toBe(AlertState.OPEN);
    const acknowledged = await alerts.acknowledge(open.id, caller('on-call'));
    expect(acknowledged).toMatchObject({ state: AlertState.ACKNOWLEDGED, acknowledgedBy: 'on-call' });
    expect(await codeOf(alerts.acknowledge(open.id, caller('on-call')))).toBe('CONFLICT');
    await alerts.updateRule({ id: r.id, threshold: 99 } as never);
    expect((await alertsOf(r.id))[0].state).toBe(AlertState.RESOLVED);
    await alerts.deleteRule(r.id);
  });

  it('opens a TRAINING_FAILED alert per failed run, naming the model, and resolves it once the run leaves the window', async () => {
    const { alertEngine } = t.services;
    const builtIn = (await t.services.alerts.rules()).find((r) => r.builtIn === 'training-failed')!;
    const failed = [{ runId: 'run_01JZZZZZZZZZZZZZZZZZZZZZZA', modelId }];
    await alertEngine.onSnapshot(snapshot(300), failed);
    const [open] = await alertsOf(builtIn.id);
    expect(open).toMatchObject({ state: AlertState.OPEN, runId: failed[0].runId, modelId });
    expect(open.message).toContain('alerting');
    await alertEngine.onSnapshot(snapshot(305), []);
    expect((await alertsOf(builtIn.id))[0].state).toBe(AlertState.RESOLVED);
  });
});
