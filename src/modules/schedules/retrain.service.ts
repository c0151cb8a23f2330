import { GraphQLError } from 'graphql';
import { LessThanOrEqual } from 'typeorm';
import type { Config } from '../../core/config';
import { badInput, conflict, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { Lease } from '../../engines/cluster/lease';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import type { DatasetVersion } from '../datasets/dataset-version.entity';
import type { DatasetService } from '../datasets/dataset.service';
import { DeploymentRequest } from '../deployments/deployment-request.entity';
import { Challenger, DeploymentMode } from '../deployments/challenger.entity';
import type { DeploymentService } from '../deployments/deployment.service';
import type { EvaluationService } from '../evaluations/evaluation.service';
import type { ModelService } from '../models/model.service';
import { checkGate } from '../models/promotion-gate';
import type { Alert } from '../monitoring/alert.entity';
import { AlertMetric } from '../monitoring/alert-enums';
import type { EventBus } from '../shared/topics';
import { SplitStrategy, TrainingRun, TrainingStatus } from '../training/training-run.entity';
import type { TrainingRunService } from '../training/training-run.service';
import type { ChallengerReports } from '../predictions/challenger-report';
import type { Sweep } from '../sweeps/sweep.entity';
import { epochMetrics, plannedRuns, searchSpace } from '../sweeps/sweep-space';
import { isSweepOver, type SweepService } from '../sweeps/sweep.service';
import type { StartSweepInput } from '../sweeps/sweep.inputs';
import { checkDue, cronOf } from './cron-schedule';
import { RetrainDecision, RetrainEvent, RetrainPolicy, RetrainStatus, RetrainTrigger } from './retrain.entities';
import type { SetRetrainPolicyInput } from './retrain.inputs';

export interface RetrainDeps {
  db: Database;
  config: Pick<Config, 'maxPageSize' | 'retrainCheckSeconds'>;
  log: Logger;
  events: EventBus;
  schedulerLease: Lease;
  models: ModelService;
  datasets: DatasetService;
  training: TrainingRunService;
  sweeps: SweepService;
  evaluations: EvaluationService;
  deployments: DeploymentService;
  /** The shadow's agreement with the champion, for the decision's reason. */
  challengerReports: ChallengerReports;
}

/**
 * Retrain policies: when one fires, a challenger is trained on the newest version of its dataset
 * (the newest testPercent of the rows held out: a TIME_ORDERED split), the champion (live in
 * promoteTo) is measured on exactly those rows, and the challenger is promoted only through the
 * policy's gate, then the ordinary deploy (the model's own gate, and approval where required).
 * Every firing is a RetrainEvent. A trigger fires a policy once across a cluster: schedules on
 * the scheduler lease's holder, new data where the version was made, drift where the alert
 * opened; each claims the policy with a conditional update first.
 */
export class RetrainService {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: RetrainDeps) {}

  async setPolicy(input: SetRetrainPolicyInput, createdBy: string | null): Promise<RetrainPolicy> {
    const { db, models, datasets, deployments } = this.deps;
    const model = await models.byRef(input.modelId, 'input.modelId');
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
    const cron = input.trigger === RetrainTrigger.SCHEDULE ? input.cron : null;
    if (input.trigger === RetrainTrigger.MANUAL) throw badInput('MANUAL is how fireRetrainPolicy fires a policy; a policy\'s trigger is SCHEDULE, NEW_DATA or DRIFT', { field: 'input.trigger' });
    if (input.trigger === RetrainTrigger.SCHEDULE && !input.cron) throw badInput('a SCHEDULE policy needs a cron expression', { field: 'input.cron' });
    if (input.trigger !== RetrainTrigger.SCHEDULE && input.cron) throw badInput(`cron is for SCHEDULE policies; ${input.trigger} fires on its own event`, { field: 'input.cron' });
    const schedule = cronOf(cron ?? '0 0 * * *', input.timezone); // the time zone is checked for every trigger
    if (!(await deployments.live(model.id, input.promoteTo))) {
      throw conflict(`model ${JSON.stringify(model.name)} has nothing live in ${input.promoteTo}: a policy compares its challengers with the live version there; deploy one first`, { field: 'input.promoteTo' });
    }
    if (input.sweep) {
      const metrics = epochMetrics(model.task);
      if (!metrics.includes(input.sweep.metric)) throw badInput(`sweep metric must be one of ${metrics.join(', ')}`, { field: 'input.sweep.metric' });
      const asSweep = { ...input.sweep, hyperparameters: input.hyperparameters } as unknown as StartSweepInput;
      plannedRuns(asSweep, searchSpace(asSweep));
    }
    const now = new Date();
    const fields = {
      modelId: model.id, trigger: input.trigger, cron, timezone: input.timezone, datasetId: dataset.id,
      hyperparameters: input.hyperparameters ?? null, sweep: input.sweep ? { ...input.sweep } : null, promoteTo: input.promoteTo,
      gate: { metric: input.gate.metric, threshold: input.gate.threshold ?? null, mustBeatCurrent: input.gate.mustBeatCurrent },
      testPercent: input.testPercent, shadowSeconds: input.shadowSeconds ?? null, nextRunAt: cron ? schedule.nextRun(now) : null,
      // Only versions made from now on are new data; only alerts opened from now on fire.
      lastDataVersion: dataset.latestVersion, lastAlertId: null, updatedAt: now,
    };
    const existing = await db.manager.findOneBy(RetrainPolicy, { modelId: model.id });
    if (existing) {
      await db.transaction((m) => m.update(RetrainPolicy, { id: existing.id }, fields as never));
      return this.policyById(existing.id);
    }
    const policy = Object.assign(new RetrainPolicy(), { id: newId(RetrainPolicy), ...fields, createdBy, createdAt: now });
    await db.transaction((m) => m.insert(RetrainPolicy, policy as never));
    return policy;
  }

  async deletePolicy(modelRef: string): Promise<RetrainPolicy> {
    const policy = await this.policyOf(modelRef);
    await this.deps.db.transaction((m) => m.delete(RetrainPolicy, { id: policy.id }));
    return policy;
  }

  async policyOf(modelRef: string): Promise<RetrainPolicy> {
    const model = await this.deps.models.byRef(modelRef, 'modelId');
    const policy = await this.deps.db.manager.findOneBy(RetrainPolicy, { modelId: model.id });
    if (!policy) throw notFound('RetrainPolicy', model.name, `model ${JSON.stringify(model.name)} has no retrain policy`);
    return policy;
  }

  async findPolicy(modelId: string): Promise<RetrainPolicy | null> {
    return this.deps.db.manager.findOneBy(RetrainPolicy, { modelId });
  }

  private async policyById(id: string): Promise<RetrainPolicy> {
    const policy = await this.deps.db.manager.findOneBy(RetrainPolicy, { id });
    if (!policy) throw notFound('RetrainPolicy', id);
    return policy;
  }

  async event(id: string): Promise<RetrainEvent> {
    const found = await this.deps.db.manager.findOneBy(RetrainEvent, { id });
    if (!found) throw notFound('RetrainEvent', id);
    return found;
  }

  events(modelId: string, page: PageArgs): Promise<Page<RetrainEvent>> {
    const qb = this.deps.db.manager.createQueryBuilder(RetrainEvent, 'e').where('e.model_id = :modelId', { modelId });
    return paginate(qb, 'e', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }

  /** fireRetrainPolicy: the policy fires now, whatever its trigger. */
  async fireNow(modelRef: string): Promise<RetrainEvent> {
    return this.fire(await this.policyOf(modelRef), RetrainTrigger.MANUAL, { firedAt: new Date().toISOString() });
  }

  // ── Triggers ──────────────────────────────────────────────────────────────────────────────

  /** A new version of a dataset, in the process that made it: NEW_DATA policies on it fire, each once. */
  async onDatasetVersion(version: DatasetVersion): Promise<void> {
    const { db } = this.deps;
    const policies = await db.manager.findBy(RetrainPolicy, { datasetId: version.datasetId, trigger: RetrainTrigger.NEW_DATA });
    for (const policy of policies) {
      const claimed = await this.claim(policy.id, { lastDataVersion: version.version }, '(last_data_version IS NULL OR last_data_version < :v)', { v: version.version });
      if (claimed) await this.fire(policy, RetrainTrigger.NEW_DATA, { datasetVersion: version.version, datasetVersionId: version.id });
    }
  }

  /** A drift alert opened on a model (on the process evaluating rules): its DRIFT policy fires once. */
  async onAlert(alert: Alert): Promise<void> {
    if (alert.metric !== AlertMetric.DRIFT_PSI || !alert.modelId) return;
    const { db } = this.deps;
    const policy = await db.manager.findOneBy(RetrainPolicy, { modelId: alert.modelId, trigger: RetrainTrigger.DRIFT });
    if (!policy) return;
    const claimed = await this.claim(policy.id, { lastAlertId: alert.id }, '(last_alert_id IS NULL OR last_alert_id <> :alert)', { alert: alert.id });
    if (claimed) await this.fire(policy, RetrainTrigger.DRIFT, { alertId: alert.id, psi: alert.value, message: alert.message });
  }

  /**
   * Claims a policy for one firing: a conditional update, true when this process made it. In a
   * transaction of its own, as every write is: sent outside one on SQLite's single connection, it
   * could run inside another request's open transaction and be undone by that one's rollback,
   * after this process had fired.
   */
  private async claim(id: string, set: Partial<RetrainPolicy>, condition: string, parameters: Record<string, unknown>): Promise<boolean> {
    const result = await this.deps.db.transaction((m) => m.createQueryBuilder().update(RetrainPolicy).set(set as never).where(`id = :id AND ${condition}`, { id, ...parameters }).execute());
    return Boolean(result.affected);
  }

  /** Starts the schedule check (it runs where the scheduler lease is held); a first check now fires missed schedules once. */
  start(): void {
    const tick = () => void this.checkSchedules().catch((error) => this.deps.log.error({ err: error }, 'retrain schedule check failed'));
    this.timer = setInterval(tick, this.deps.config.retrainCheckSeconds * 1000);
    this.timer.unref();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Due SCHEDULE policies fire (once, however many ticks were missed); shadows whose time is up are promoted; events stuck in TRAINING move on. */
  async checkSchedules(now = new Date()): Promise<void> {
    if (!this.deps.schedulerLease.held) return;
    const { db } = this.deps;
    const due = await db.manager.findBy(RetrainPolicy, { trigger: RetrainTrigger.SCHEDULE, nextRunAt: LessThanOrEqual(now) });
    for (const policy of due) {
      const check = checkDue(cronOf(policy.cron!, policy.timezone), policy.nextRunAt!, now);
      if (!check.fire) continue;
      // Conditional on the due time read: another holder (a lease hand-over) cannot fire it too.
      const claimed = await this.claim(policy.id, { nextRunAt: check.next }, 'next_run_at = :due', { due: db.sqlDate(policy.nextRunAt!) });
      if (claimed) await this.fire(policy, RetrainTrigger.SCHEDULE, { dueAt: policy.nextRunAt!.toISOString(), nextRunAt: check.next.toISOString() });
    }
    await this.promoteShadows(now);
    await this.recoverStuck();
  }

  /** An event whose challenger ended while nobody was there to notice (a restart) is advanced now. */
  private async recoverStuck(): Promise<void> {
    const stuck = await this.deps.db.manager.findBy(RetrainEvent, { status: RetrainStatus.TRAINING });
    for (const event of stuck) {
      if (event.runId) {
        const run = await this.deps.db.manager.findOneBy(TrainingRun, { id: event.runId });
        if (run && [TrainingStatus.SUCCEEDED, TrainingStatus.FAILED, TrainingStatus.CANCELLED, TrainingStatus.STOPPED_EARLY].includes(run.status)) await this.advance(event);
      } else if (event.sweepId) {
        const sweep = await this.deps.sweeps.get(event.sweepId).catch(() => null);
        if (sweep && isSweepOver(sweep.status)) await this.advance(event);
      }
    }
  }

  // ── A firing, from trigger to decision ────────────────────────────────────────────────────

  private async fire(policy: RetrainPolicy, trigger: RetrainTrigger, detail: Record<string, unknown>): Promise<RetrainEvent> {
    const { db, datasets, deployments, training, sweeps, log } = this.deps;
    const event = Object.assign(new RetrainEvent(), {
      id: newId(RetrainEvent), policyId: policy.id, modelId: policy.modelId, trigger, detail, status: RetrainStatus.TRAINING,
      datasetVersionId: null, runId: null, sweepId: null, challengerVersionId: null, championVersionId: null, metric: policy.gate.metric,
      challengerValue: null, championValue: null, comparedRows: null, decision: null, reason: null, deploymentId: null, requestId: null,
      createdAt: new Date(), decidedAt: null,
    });
    await db.transaction((m) => m.insert(RetrainEvent, event as never));
    log.info({ policyId: policy.id, modelId: policy.modelId, trigger, eventId: event.id }, 'retrain policy fired');
    try {
      const dataset = await datasets.get(policy.datasetId);
      const version = await datasets.version(dataset.id, dataset.latestVersion);
      const champion = await deployments.live(policy.modelId, policy.promoteTo);
      if (!champion) throw conflict(`nothing is live in ${policy.promoteTo} to compare with`);
      const split = { validation: 0.15, test: policy.testPercent / 100, strategy: SplitStrategy.TIME_ORDERED };
      const started: Partial<RetrainEvent> = { datasetVersionId: version.id, championVersionId: champion.modelVersionId };
      if (policy.sweep) {
        const sweep = await sweeps.start({
          ...policy.sweep, modelId: policy.modelId, datasetId: dataset.id, datasetVersion: version.version, hyperparameters: policy.hyperparameters, split, priority: 0,
        } as unknown as StartSweepInput, policy.createdBy);
        started.sweepId = sweep.id;
      } else {
        const run = await training.start({ modelId: policy.modelId, datasetId: dataset.id, datasetVersion: version.version, hyperparameters: policy.hyperparameters, split, priority: 0, batchMetrics: false } as never, policy.createdBy);
        started.runId = run.id;
      }
      await db.transaction((m) => m.update(RetrainEvent, { id: event.id }, started as never));
      Object.assign(event, started);
    } catch (error) {
      await this.finishEvent(event, { status: RetrainStatus.FAILED, reason: `could not start the challenger: ${messageOf(error)}` });
      return event;
    }
    this.announce(event);
    return event;
  }

  /** A run ended where this process is: its firing, if it was one's challenger, moves on. */
  async onRunFinished(run: TrainingRun): Promise<void> {
    const event = await this.deps.db.manager.findOneBy(RetrainEvent, { runId: run.id, status: RetrainStatus.TRAINING });
    if (event) await this.advance(event);
  }

  async onSweepFinished(sweep: Sweep): Promise<void> {
    const event = await this.deps.db.manager.findOneBy(RetrainEvent, { sweepId: sweep.id, status: RetrainStatus.TRAINING });
    if (event) await this.advance(event);
  }

  /**
   * The challenger is trained: it and the champion are measured on the same newest rows (the
   * challenger's TIME_ORDERED test split; the champion is evaluated on exactly those rows), the
   * policy's gate decides, and a passing challenger is deployed the ordinary way.
   */
  private async advance(event: RetrainEvent): Promise<void> {
    const { db, evaluations, deployments, models } = this.deps;
    // Claimed, so a second process noticing the same end does nothing.
    const claimed = await db.transaction((m) => m.update(RetrainEvent, { id: event.id, status: RetrainStatus.TRAINING }, { status: RetrainStatus.EVALUATING }));
    if (!claimed.affected) return;
    event.status = RetrainStatus.EVALUATING;
    this.announce(event);
    const policy = await this.policyById(event.policyId).catch(() => null);
    try {
      if (!policy) throw new Error('its policy was deleted meanwhile');
      const challengerRun = await this.challengerRun(event);
      if (!challengerRun?.modelVersionId) throw new Error(challengerRun ? `the challenger run ended ${challengerRun.status}${challengerRun.error ? `: ${challengerRun.error}` : ''}` : 'no challenger run succeeded');
      const challengerVersionId = challengerRun.modelVersionId;
      const tested = (await evaluations.list({ modelVersionId: challengerVersionId }, { first: 10 })).items.find((e) => e.split === 'TEST');
      if (!tested) throw new Error('the challenger has no test evaluation');
      const datasetVersion = await this.deps.datasets.getVersion(event.datasetVersionId!);
      const champion = await evaluations.evaluate({ modelVersionId: event.championVersionId!, datasetId: datasetVersion.datasetId, datasetVersion: datasetVersion.version, lastRows: tested.rowCount });
      const challengerMetrics = tested.metrics as unknown as Record<string, number | null>;
      const championMetrics = champion.metrics as unknown as Record<string, number | null>;
      const gate = checkGate(policy.gate, challengerMetrics, championMetrics);
      const numbers = {
        challengerVersionId, comparedRows: tested.rowCount,
        challengerValue: finite(challengerMetrics[policy.gate.metric]), championValue: finite(championMetrics[policy.gate.metric]),
      };
      const figures = `${policy.gate.metric} ${show(numbers.challengerValue)} (challenger) vs ${show(numbers.championValue)} (champion) on the newest ${tested.rowCount} rows`;
      if (!gate.passed) {
        await this.finishEvent(event, { ...numbers, status: RetrainStatus.DECIDED, decision: RetrainDecision.KEPT_CHAMPION, reason: `kept the champion: ${gate.summary}; ${figures}` });
        return;
      }
      const model = await models.get(event.modelId);
      try {
        if (policy.shadowSeconds) {
          const shadow = await deployments.deploy({ modelVersionId: challengerVersionId, environment: policy.promoteTo, mode: DeploymentMode.SHADOW, reason: `retrain policy (${event.trigger}): ${figures}` }, null);
          const shadowUntil = new Date(Date.now() + policy.shadowSeconds * 1000);
          await this.update(event, {
            ...numbers, status: RetrainStatus.SHADOWING, challengerId: (shadow as Challenger).id, shadowUntil,
            reason: `passed the policy's gate (${gate.summary}); ${figures}; shadowing beside the champion until ${shadowUntil.toISOString()}`,
          });
          return;
        }
        const outcome = await deployments.deploy({ modelVersionId: challengerVersionId, environment: policy.promoteTo, reason: `retrain policy (${event.trigger}): ${figures}` }, null);
        const requested = outcome instanceof DeploymentRequest;
        await this.finishEvent(event, {
          ...numbers, status: RetrainStatus.DECIDED, decision: requested ? RetrainDecision.APPROVAL_REQUESTED : RetrainDecision.PROMOTED,
          ...(requested ? { requestId: outcome.id } : { deploymentId: outcome.id }),
          reason: requested
            ? `passed the policy's gate (${gate.summary}); ${model.name} needs approval for ${policy.promoteTo}: request ${outcome.id} carries ${figures}`
            : `promoted to ${policy.promoteTo}: ${gate.summary}; ${figures}`,
        });
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        await this.finishEvent(event, { ...numbers, status: RetrainStatus.DECIDED, decision: RetrainDecision.REFUSED, reason: `passed the policy's gate (${gate.summary}) but the deploy was refused: ${error.message}` });
      }
    } catch (error) {
      await this.finishEvent(event, { status: RetrainStatus.FAILED, reason: messageOf(error) });
    }
  }

  private async challengerRun(event: RetrainEvent): Promise<TrainingRun | null> {
    const { db, sweeps } = this.deps;
    if (event.runId) return db.manager.findOneBy(TrainingRun, { id: event.runId });
    const sweep = await sweeps.get(event.sweepId!);
    return sweep.bestRunId ? db.manager.findOneBy(TrainingRun, { id: sweep.bestRunId }) : null;
  }

  private async finishEvent(event: RetrainEvent, changes: Partial<RetrainEvent>): Promise<void> {
    await this.update(event, { ...changes, decidedAt: new Date() });
    this.deps.log.info({ eventId: event.id, status: event.status, decision: event.decision, reason: event.reason }, 'retrain event decided');
  }

  private async update(event: RetrainEvent, changes: Partial<RetrainEvent>): Promise<void> {
    await this.deps.db.transaction((m) => m.update(RetrainEvent, { id: event.id }, changes as never));
    Object.assign(event, changes);
    this.announce(event);
  }

  /**
   * Shadows whose time is up ask for promotion through the ordinary path, with what the shadow
   * showed (agreement with the champion on the same requests) in the reason. A shadow someone
   * ended meanwhile keeps the champion.
   */
  private async promoteShadows(now: Date): Promise<void> {
    const { db, deployments, challengerReports } = this.deps;
    const due = await db.manager.findBy(RetrainEvent, { status: RetrainStatus.SHADOWING, shadowUntil: LessThanOrEqual(now) });
    for (const event of due) {
      const claimed = await db.transaction((m) => m.update(RetrainEvent, { id: event.id, status: RetrainStatus.SHADOWING }, { status: RetrainStatus.EVALUATING }));
      if (!claimed.affected) continue;
      const policy = await this.policyById(event.policyId).catch(() => null);
      const challenger = event.challengerId ? await db.manager.findOneBy(Challenger, { id: event.challengerId }) : null;
      if (!policy || !challenger || challenger.endedAt) {
        await this.finishEvent(event, { status: RetrainStatus.DECIDED, decision: RetrainDecision.KEPT_CHAMPION, reason: `${event.reason}; the shadow was ended before its time was up` });
        continue;
      }
      const report = await challengerReports.report(challenger, challenger.startedAt, now);
      const shadowed = report.agreement !== null ? `agreed with the champion on ${show(report.agreement * 100)} % of ${report.comparedRows} requests' rows` : `compared on ${report.comparedRows} rows`;
      try {
        const outcome = await deployments.promoteChallenger(event.modelId, policy.promoteTo, `retrain policy after ${policy.shadowSeconds} s in shadow: ${shadowed}`, null);
        const requested = outcome instanceof DeploymentRequest;
        await this.finishEvent(event, {
          status: RetrainStatus.DECIDED, decision: requested ? RetrainDecision.APPROVAL_REQUESTED : RetrainDecision.PROMOTED,
          ...(requested ? { requestId: outcome.id } : { deploymentId: outcome.id }),
          reason: `${event.reason}; in shadow it ${shadowed}; ${requested ? `promotion requested (${outcome.id})` : 'promoted'}`,
        });
      } catch (error) {
        await this.finishEvent(event, { status: RetrainStatus.DECIDED, decision: RetrainDecision.REFUSED, reason: `${event.reason}; its promotion was refused: ${messageOf(error)}` });
      }
    }
  }

  private announce(event: RetrainEvent): void {
    this.deps.events.publish('RETRAIN_EVENT_UPDATED', event.modelId, { eventId: event.id, status: event.status });
  }

}

const finite = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const show = (value: number | null) => (value === null ? 'n/a' : Number(value.toPrecision(4)).toString());
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
