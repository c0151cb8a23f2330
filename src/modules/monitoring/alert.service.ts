import type { Config } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import { badInput, conflict, notFound } from '../../core/errors';
import { checkedName } from '../../core/names';
import { newId } from '../../core/ids';
import type { EventBus } from '../shared/topics';
import type { Caller } from '../shared/caller';
import { Environment } from '../deployments/environment';
import type { ModelService } from '../models/model.service';
import { AlertComparator, AlertMetric, AlertSeverity, AlertState, PER_MODEL_METRICS, SEVERITY_RANK } from './alert-enums';
import { Alert } from './alert.entity';
import { AlertRule } from './alert-rule.entity';
import type { AlertFilter, CreateAlertRuleInput, UpdateAlertRuleInput } from './alert-rule.inputs';

/** The rules every installation starts with (switch them off or change them; they cannot be deleted). */
export function builtInRules(config: Config): Omit<AlertRule, 'id' | 'createdAt' | 'updatedAt'>[] {
  const rule = (builtIn: string, name: string, metric: AlertMetric, threshold: number, forSeconds: number, severity: AlertSeverity, environment: Environment | null = null, comparator = AlertComparator.GT) =>
    ({ builtIn, name, metric, comparator, threshold, forSeconds, cooldownSeconds: 300, severity, modelId: null, environment, enabled: true });
  return [
    { ...rule('training-failed', 'A training run failed', AlertMetric.TRAINING_FAILED, 0, 0, AlertSeverity.WARNING), cooldownSeconds: 0 },
    rule('worker-lost', 'A worker stopped heartbeating (killed, frozen or cut off)', AlertMetric.WORKERS_LOST, 0, 0, AlertSeverity.CRITICAL),
    rule('latency-p95', 'p95 request latency above 1 s', AlertMetric.LATENCY_P95_MS, 1000, 60, AlertSeverity.WARNING),
    rule('error-rate', 'Server error rate above 5 %', AlertMetric.ERROR_RATE, 0.05, 60, AlertSeverity.WARNING),
    rule('rss', `Memory above 80 % of MAX_RSS_MB (${config.monitoring.maxRssMb} MB)`, AlertMetric.RSS_PERCENT_OF_MAX, 80, 60, AlertSeverity.CRITICAL),
    rule('disk-free', 'Free disk below 10 % where the database lives', AlertMetric.DISK_FREE_PERCENT, 10, 60, AlertSeverity.CRITICAL, null, AlertComparator.LT),
    rule('drift', 'Population drift (PSI above 0.25) on a PRODUCTION model', AlertMetric.DRIFT_PSI, 0.25, 0, AlertSeverity.WARNING, Environment.PRODUCTION),
    rule('revalidation-overdue', 'A model\'s validation has expired: revalidate it', AlertMetric.VALIDATION_OVERDUE_DAYS, 0, 0, AlertSeverity.WARNING),
    rule('finding-overdue', 'A validation finding is past its due date', AlertMetric.FINDINGS_OVERDUE, 0, 0, AlertSeverity.WARNING),
  ];
}

/** Alert rules and alerts as users see them: create, change, list, acknowledge. */
export class AlertService {
  constructor(private readonly deps: {
    db: Database; config: Config; events: EventBus; models: Pick<ModelService, 'byRef'>;
    /** Called after a rule changes or goes, so the engine forgets its state (and resolves its open alerts). */
    onRuleChanged: (ruleId: string) => Promise<void>;
  }) {}

  /** Creates the built-in rules that are missing (a unique key makes concurrent starts harmless). */
  async ensureBuiltIns(): Promise<void> {
    const { db, config } = this.deps;
    for (const spec of builtInRules(config)) {
      if (await db.manager.existsBy(AlertRule, { builtIn: spec.builtIn! })) continue;
      const now = new Date();
      try {
        await db.transaction((m) => m.insert(AlertRule, Object.assign(new AlertRule(), { ...spec, id: newId(AlertRule), createdAt: now, updatedAt: now })));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
  }

  async createRule(input: CreateAlertRuleInput): Promise<AlertRule> {
    this.checkThreshold(input.threshold, 'input.threshold');
    if (input.modelId != null) {
      if (!PER_MODEL_METRICS.has(input.metric)) throw badInput(`${input.metric} is process-wide; modelId applies only to per-model metrics`, { field: 'input.modelId' });
      input = { ...input, modelId: (await this.deps.models.byRef(input.modelId, 'input.modelId')).id }; // NOT_FOUND for an unknown model
    }
    const now = new Date();
    const rule = Object.assign(new AlertRule(), {
      id: newId(AlertRule), name: checkedName(input.name, 'input.name'), metric: input.metric, comparator: input.comparator, threshold: input.threshold, forSeconds: input.forSeconds,
      cooldownSeconds: input.cooldownSeconds, severity: input.severity, modelId: input.modelId ?? null,
      environment: input.metric === AlertMetric.DRIFT_PSI ? Environment.PRODUCTION : null, enabled: input.enabled, builtIn: null, createdAt: now, updatedAt: now,
    });
    await this.deps.db.transaction((m) => m.insert(AlertRule, rule));
    return rule;
  }

  async updateRule(input: UpdateAlertRuleInput): Promise<AlertRule> {
    const rule = await this.getRule(input.id);
    if (input.threshold != null) this.checkThreshold(input.threshold, 'input.threshold');
    const changes: Partial<AlertRule> = { updatedAt: new Date() };
    for (const key of ['name', 'comparator', 'threshold', 'forSeconds', 'cooldownSeconds', 'severity', 'enabled'] as const) {
      if (input[key] != null) (changes as Record<string, unknown>)[key] = key === 'name' ? checkedName(input.name!, 'input.name') : input[key];
    }
    await this.deps.db.transaction((m) => m.update(AlertRule, { id: rule.id }, changes));
    await this.deps.onRuleChanged(rule.id);
    return Object.assign(rule, changes);
  }

  async deleteRule(id: string): Promise<AlertRule> {
    const rule = await this.getRule(id);
    if (rule.builtIn) throw conflict(`built-in rule ${JSON.stringify(rule.builtIn)} cannot be deleted; set enabled: false to switch it off`, { builtIn: rule.builtIn });
    // Deleted first, so no evaluation in between can open an alert for it again.
    await this.deps.db.transaction((m) => m.delete(AlertRule, { id: rule.id }));
    await this.deps.onRuleChanged(rule.id);
    return rule;
  }

  async getRule(id: string): Promise<AlertRule> {
    const rule = await this.deps.db.manager.findOneBy(AlertRule, { id });
    if (!rule) throw notFound('AlertRule', id);
    return rule;
  }

  rules(): Promise<AlertRule[]> {
    return this.deps.db.manager.find(AlertRule, { order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async acknowledge(id: string, caller: Caller | null): Promise<Alert> {
    const alert = await this.get(id);
    if (alert.state !== AlertState.OPEN) throw conflict(`alert is ${alert.state}; only OPEN alerts can be acknowledged`, { state: alert.state });
    const changes = { state: AlertState.ACKNOWLEDGED, acknowledgedAt: new Date(), acknowledgedBy: caller?.keyName ?? null };
    const moved = await this.deps.db.transaction((m) => m.update(Alert, { id, state: AlertState.OPEN }, changes));
    if (!moved.affected) throw conflict('alert changed meanwhile (resolved or acknowledged); read it again', { alertId: id });
    Object.assign(alert, changes);
    this.deps.events.publish('HEALTH_ALERTS', 'all', { alertId: alert.id, modelId: alert.modelId, severity: alert.severity });
    return alert;
  }

  async get(id: string): Promise<Alert> {
    const alert = await this.deps.db.manager.findOneBy(Alert, { id });
    if (!alert) throw notFound('Alert', id);
    return alert;
  }

  /** Alerts of a model (and server-wide ones) that were open at `at`: opened by then and not yet resolved then; newest first, at most `limit`. */
  openAt(modelId: string, at: Date, limit: number): Promise<Alert[]> {
    const { db } = this.deps;
    return db.manager.createQueryBuilder(Alert, 'a')
      .where('(a.model_id = :modelId OR a.model_id IS NULL)', { modelId })
      .andWhere('a.created_at <= :at AND (a.resolved_at IS NULL OR a.resolved_at > :at)', { at: db.sqlDate(at) })
      .orderBy('a.created_at', 'DESC').limit(limit).getMany();
  }

  list(filter: AlertFilter | null | undefined, page: PageArgs, modelScope: string[] | null): Promise<Page<Alert>> {
    const { db, config } = this.deps;
    const qb = db.manager.createQueryBuilder(Alert, 'a');
    if (filter?.state) qb.andWhere('a.state = :state', { state: filter.state });
    if (filter?.minSeverity) {
      const allowed = Object.values(AlertSeverity).filter((s) => SEVERITY_RANK[s] >= SEVERITY_RANK[filter.minSeverity!]);
      qb.andWhere('a.severity IN (:...allowed)', { allowed });
    }
    if (filter?.modelId) qb.andWhere('a.model_id = :modelId', { modelId: filter.modelId });
    if (filter?.ruleId) qb.andWhere('a.rule_id = :ruleId', { ruleId: filter.ruleId });
    if (filter?.from) qb.andWhere('a.created_at >= :from', { from: db.sqlDate(filter.from) });
    if (filter?.to) qb.andWhere('a.created_at < :to', { to: db.sqlDate(filter.to) });
    // A partner sees the alerts of its own models only.
    if (modelScope) qb.andWhere(modelScope.length ? 'a.model_id IN (:...scope)' : '1 = 0', { scope: modelScope });
    return paginate(qb, 'a', page, { direction: 'DESC' }, config.maxPageSize);
  }

  private checkThreshold(value: number, field: string): void {
    if (!Number.isFinite(value)) throw badInput('threshold must be a finite number', { field });
  }
}
