import { Listeners } from '../shared/listeners';
import { Not } from 'typeorm';
import type { Database } from '../../engines/db/database';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import { AlertStateMachine, type AlertTransition, type Observation } from './alert-state';
import type { HealthSnapshotData } from '../../engines/telemetry/health-snapshot';
import type { EventBus } from '../shared/topics';
import type { ModelService } from '../models/model.service';
import { AlertMetric, AlertState, PER_MODEL_METRICS } from './alert-enums';
import { Alert } from './alert.entity';
import { AlertRule } from './alert-rule.entity';

const SYMBOL = { GT: '>', GTE: '≥', LT: '<', LTE: '≤' } as const;

/** Process-wide metrics read straight off a snapshot. */
const PROCESS_VALUE: Partial<Record<AlertMetric, (s: HealthSnapshotData, maxRssMb: number) => number | null>> = {
  REQUEST_RATE: (s) => s.requestRate,
  ERROR_RATE: (s) => s.errorRate,
  CLIENT_ERROR_RATE: (s) => s.clientErrorRate,
  LATENCY_P50_MS: (s) => s.latencyMs.p50,
  LATENCY_P95_MS: (s) => s.latencyMs.p95,
  LATENCY_P99_MS: (s) => s.latencyMs.p99,
  CPU_PERCENT: (s) => s.cpuPercent,
  RSS_MB: (s) => s.rssMb,
  RSS_PERCENT_OF_MAX: (s, max) => (s.rssMb / max) * 100,
  HEAP_USED_MB: (s) => s.heapUsedMb,
  EVENT_LOOP_LAG_MS: (s) => s.eventLoopLagMs,
  TRAININGS_QUEUED: (s) => s.trainingsQueued,
  WORKERS_LOST: (s) => s.workersLost,
  TRAININGS_RUNNING: (s) => s.trainingsRunning,
  DATABASE_SIZE_MB: (s) => s.databaseSizeMb,
  DISK_FREE_MB: (s) => s.diskFreeMb,
  DISK_FREE_PERCENT: (s) => s.diskFreePercent,
  NETWORK_IN_BYTES_PER_SECOND: (s) => s.networkInBytesPerSecond,
  NETWORK_OUT_BYTES_PER_SECOND: (s) => s.networkOutBytesPerSecond,
  HTTP_CONNECTIONS: (s) => s.httpConnections,
  WEBSOCKET_CONNECTIONS: (s) => s.webSocketConnections,
};

/** Per-model serving metrics read off a snapshot's predictions. */
const MODEL_VALUE: Partial<Record<AlertMetric, (p: HealthSnapshotData['predictions'][number]) => number | null>> = {
  PREDICT_LATENCY_P95_MS: (p) => p.latencyMs.p95,
  PREDICT_LATENCY_P99_MS: (p) => p.latencyMs.p99,
  PREDICT_ERROR_RATE: (p) => p.errorRate,
  PREDICT_CLIENT_ERROR_RATE: (p) => p.clientErrorRate,
  PREDICTION_ROW_RATE: (p) => p.rowRate,
};

/**
 * Evaluates every enabled rule on each health snapshot and on each drift check, through the
 * alert state machine (open once, de-duplicate, resolve, cool down), and stores and publishes
 * what changes. State lives in this process; open alerts are restored from the database at start.
 */
export class AlertEngine {
  private readonly openedListeners: ((alert: Alert) => Promise<void>)[] = [];

  /** Later modules (retrain policies on DRIFT) follow alerts as they open, where they open: on the one process that evaluates rules. */
  onOpened(listener: (alert: Alert) => Promise<void>): void {
    this.openedListeners.push(listener);
  }

  /** Alerts as they resolve (notifications), on the process that evaluates rules. */
  readonly resolved = new Listeners<Alert>();

  private readonly machine = new AlertStateMachine();
  /** Training runs seen failing, per rule: a run that leaves the window resolves its alert. */
  private readonly failedSeen = new Map<string, Set<string>>();

  constructor(private readonly deps: { db: Database; events: EventBus; log: Logger; maxRssMb: number; models: Pick<ModelService, 'namesOf'> }) {}

  /**
   * Picks up the open alerts as the database has them: at start (left by the previous process),
   * and on taking over the scheduler lease (another process evaluated meanwhile).
   */
  async restore(): Promise<void> {
    this.machine.reset();
    this.failedSeen.clear();
    for (const alert of await this.deps.db.manager.findBy(Alert, { state: Not(AlertState.RESOLVED) })) {
      this.machine.restoreOpen(alert.ruleId, alert.subject, alert.createdAt.getTime());
      // A failed run that left the window while the server was down must still resolve.
      if (alert.metric === AlertMetric.TRAINING_FAILED) this.failedSeen.set(alert.ruleId, (this.failedSeen.get(alert.ruleId) ?? new Set()).add(alert.subject));
    }
  }

  /** Open alerts, for /metrics. */
  openCount(): number {
    return this.machine.openCount();
  }

  /**
   * Evaluations run one at a time: an open still being written must be visible to the resolve
   * that follows it (on SQLite writes queue behind a lock), or the alert would stay OPEN.
   */
  private turn: Promise<unknown> = Promise.resolve();
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.catch(() => undefined).then(work);
    this.turn = run;
    return run;
  }

  onSnapshot(snapshot: HealthSnapshotData, failedRuns: { runId: string; modelId: string }[]): Promise<void> {
    return this.serially(() => this.evaluateSnapshot(snapshot, failedRuns));
  }

  private async evaluateSnapshot(snapshot: HealthSnapshotData, failedRuns: { runId: string; modelId: string }[]): Promise<void> {
    const at = snapshot.at.getTime();
    const rules = await this.enabledRules();
    const work: [AlertRule, Observation, { modelId?: string | null; runId?: string | null }][] = [];
    for (const rule of rules) {
      const process = PROCESS_VALUE[rule.metric];
      const perModel = MODEL_VALUE[rule.metric];
      if (process) work.push([rule, { ruleId: rule.id, subject: '', value: process(snapshot, this.deps.maxRssMb), at }, {}]);
      else if (perModel) {
        for (const p of snapshot.predictions) {
          if (rule.modelId && rule.modelId !== p.modelId) continue;
          work.push([rule, { ruleId: rule.id, subject: p.modelId, value: perModel(p), at }, { modelId: p.modelId }]);
        }
      } else if (rule.metric === AlertMetric.TRAINING_FAILED) {
        const seen = this.failedSeen.get(rule.id) ?? new Set<string>();
        const now = new Set(failedRuns.map((r) => r.runId));
        for (const run of failedRuns) work.push([rule, { ruleId: rule.id, subject: run.runId, value: 1, at }, { modelId: run.modelId, runId: run.runId }]);
        // A failure that left the window counts 0 now, which resolves its alert.
        for (const runId of seen) if (!now.has(runId)) work.push([rule, { ruleId: rule.id, subject: runId, value: 0, at }, { runId }]);
        this.failedSeen.set(rule.id, now);
      }
    }
    await this.apply(work);
  }

  /** Drift check results: the largest feature PSI of each model's live version in an environment. */
  onDrift(results: { modelId: string; environment: string; maxPsi: number | null }[], at = Date.now()): Promise<void> {
    return this.onModelFigures(AlertMetric.DRIFT_PSI, results.map((r) => ({ modelId: r.modelId, environment: r.environment, value: r.maxPsi })), at);
  }

  /** Per-model figures computed on a schedule (drift, realised AUC), for the rules of `metric`. */
  onModelFigures(metric: AlertMetric, results: { modelId: string; environment: string; value: number | null }[], at = Date.now()): Promise<void> {
    return this.serially(() => this.evaluateModelFigures(metric, results, at));
  }

  private async evaluateModelFigures(metric: AlertMetric, results: { modelId: string; environment: string; value: number | null }[], at: number): Promise<void> {
    const rules = (await this.enabledRules()).filter((r) => r.metric === metric);
    const work: [AlertRule, Observation, { modelId?: string | null }][] = [];
    for (const rule of rules) {
      for (const result of results) {
        if ((rule.environment && rule.environment !== result.environment) || (rule.modelId && rule.modelId !== result.modelId)) continue;
        work.push([rule, { ruleId: rule.id, subject: result.modelId, value: result.value, at }, { modelId: result.modelId }]);
      }
    }
    await this.apply(work);
  }

  /** A rule changed or went: its open alerts resolve now and it starts afresh. */
  forgetRule(ruleId: string): Promise<void> {
    return this.serially(() => this.dropRule(ruleId));
  }

  private async dropRule(ruleId: string): Promise<void> {
    const rule = await this.deps.db.manager.findOneBy(AlertRule, { id: ruleId });
    for (const transition of this.machine.dropRule(ruleId, Date.now())) await this.persist(rule, transition, {});
    this.failedSeen.delete(ruleId);
  }

  private enabledRules(): Promise<AlertRule[]> {
    return this.deps.db.manager.find(AlertRule, { where: { enabled: true } });
  }

  private async apply(work: [AlertRule, Observation, { modelId?: string | null; runId?: string | null }][]): Promise<void> {
    const transitions = work.map(([rule, observation, refs]) => [rule, this.machine.observe(rule, observation), refs] as const).filter(([, t]) => t !== null);
    if (!transitions.length) return;
    const modelIds = [...new Set(transitions.map(([, , refs]) => refs.modelId).filter((id): id is string => !!id))];
    const names = await this.deps.models.namesOf(modelIds);
    for (const [rule, transition, refs] of transitions) await this.persist(rule, transition!, refs, names);
  }

  private async persist(rule: AlertRule | null, transition: AlertTransition, refs: { modelId?: string | null; runId?: string | null }, names = new Map<string, string>()): Promise<void> {
    const { db, events } = this.deps;
    if (transition.kind === 'open' && rule) {
      const alert = Object.assign(new Alert(), {
        id: newId(Alert), ruleId: rule.id, ruleName: rule.name, metric: rule.metric, severity: rule.severity, state: AlertState.OPEN, subject: transition.subject,
        modelId: refs.modelId ?? null, runId: refs.runId ?? null, value: transition.value, threshold: rule.threshold, comparator: rule.comparator,
        message: describe(rule, transition.value, refs, names), createdAt: new Date(transition.at), acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null,
      });
      await db.transaction((m) => m.insert(Alert, alert));
      events.publish('HEALTH_ALERTS', 'all', { alertId: alert.id, modelId: alert.modelId, severity: alert.severity });
      for (const listener of this.openedListeners) void listener(alert).catch(() => undefined);
      return;
    }
    const open = await db.manager.findOneBy(Alert, { ruleId: transition.ruleId, subject: transition.subject, state: Not(AlertState.RESOLVED) });
    if (!open) return;
    await db.transaction((m) => m.update(Alert, { id: open.id }, { state: AlertState.RESOLVED, resolvedAt: new Date(transition.at) }));
    Object.assign(open, { state: AlertState.RESOLVED, resolvedAt: new Date(transition.at) });
    events.publish('HEALTH_ALERTS', 'all', { alertId: open.id, modelId: open.modelId, severity: open.severity });
    this.resolved.emit(open);
  }
}

/** "p95 predict latency of credit-mlp is 1,240 ms (> 1,000)". */
function describe(rule: AlertRule, value: number, refs: { modelId?: string | null; runId?: string | null }, names: Map<string, string>): string {
  const fmt = (n: number) => Number(n.toPrecision(4)).toLocaleString('en-US');
  if (rule.metric === AlertMetric.TRAINING_FAILED) return `training run ${refs.runId} failed${refs.modelId ? ` (model ${names.get(refs.modelId) ?? refs.modelId})` : ''}`;
  const what = rule.metric.toLowerCase().replace(/_/g, ' ');
  const of = refs.modelId && PER_MODEL_METRICS.has(rule.metric) ? ` of ${names.get(refs.modelId) ?? refs.modelId}` : '';
  return `${rule.name}: ${what}${of} is ${fmt(value)} (${SYMBOL[rule.comparator]} ${fmt(rule.threshold)})`;
}
