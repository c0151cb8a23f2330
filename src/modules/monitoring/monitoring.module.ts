import { Environment } from '../deployments/environment';
import { Monitoring1764900000000 } from '../../../migrations/1764900000000-monitoring';
import type { HealthSnapshotData } from '../../engines/telemetry/health-snapshot';
import { HealthSampler } from '../../engines/telemetry/health-sampler';
import { ServingHealthModelResolver } from './serving-health-model.resolver';
import { defineModule } from '../shared/module-definition';
import { AlertEngine } from './alert-engine';
import { AlertMetric } from './alert-enums';
import { Alert, StoredHealthSnapshot } from './alert.entity';
import { AlertRule } from './alert-rule.entity';
import { AlertService } from './alert.service';
import { DriftResolver } from './drift.resolver';
import { DriftService } from './drift.service';
import { HealthService } from './health.service';
import { MonitoringLoop } from './monitoring-loop';
import { MonitoringLoaders } from './monitoring.loaders';
import { AlertResolver, AlertRuleResolver, HealthResolver } from './monitoring.resolver';

declare module '../shared/context' {
  interface ServiceMap {
    healthSampler: HealthSampler;
    health: HealthService;
    alerts: AlertService;
    alertEngine: AlertEngine;
    /** Served data against training, per live version. */
    drift: DriftService;
    monitoringLoop: MonitoringLoop;
  }
  interface LoaderMap {
    monitoring: MonitoringLoaders;
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** An alert opened, was acknowledged or resolved; one stream ('all'), filtered per subscriber. */
    HEALTH_ALERTS: [scope: 'all', payload: { alertId: string; modelId: string | null; severity: string }];
    /** A new health snapshot was taken (the payload is the snapshot: it exists only in memory). */
    HEALTH_SNAPSHOT: [scope: 'all', payload: HealthSnapshotData];
  }
}

/** Health snapshots, alert rules and alerts, and drift of served data against training. */
export const monitoringModule = defineModule({
  name: 'monitoring',
  entities: [AlertRule, Alert, StoredHealthSnapshot],
  migrations: [Monitoring1764900000000],
  resolvers: [DriftResolver, HealthResolver, AlertRuleResolver, AlertResolver, ServingHealthModelResolver],
  nodes: [
    { entity: Alert, load: (loaders) => loaders.monitoring.alertById, modelOf: (alert: Alert) => alert.modelId },
    { entity: AlertRule, load: (loaders) => loaders.monitoring.ruleById, modelOf: (rule: AlertRule) => rule.modelId },
  ],
  topics: ['HEALTH_ALERTS', 'HEALTH_SNAPSHOT'],
  loaders: ({ db }) => ({ monitoring: new MonitoringLoaders(db) }),
  services: ({ db, config, log, events, artifacts, requestStats, prometheus, network, instanceId, workers, schedulerLease }, { training, trainingQueue, models, modelVersions, deployments, predictions, outcomes, validations }) => {
    const healthSampler = new HealthSampler(config.monitoring, requestStats, {
      counts: () => trainingQueue.counts(),
      failedSince: (seconds) => training.failedSince(seconds),
    }, { network, storage: () => db.storage(), instance: instanceId, workersLost: (seconds) => workers.lostWithin(seconds) }, (error) => log.error({ err: error }, 'health snapshot failed'));
    const alertEngine = new AlertEngine({ db, events, log, maxRssMb: config.monitoring.maxRssMb, models });
    prometheus.gaugeAtScrape({ name: 'aimass_alerts_open', help: 'Alerts currently open.' }, (set) => set({}, alertEngine.openCount()));
    const alerts = new AlertService({ db, config, events, models, onRuleChanged: (ruleId) => alertEngine.forgetRule(ruleId) });
    const health = new HealthService({ db, config: config.monitoring, sampler: healthSampler, log });
    const drift = new DriftService({ artifacts, log, models, modelVersions, deployments, predictions, minRows: config.monitoring.driftMinRows });
    const realisedAuc = async () => {
      const to = new Date();
      const from = new Date(to.getTime() - 30 * 86_400_000);
      const live = await deployments.liveIn(Environment.PRODUCTION);
      return Promise.all(live.map(async ({ modelId }) => ({ modelId, value: await outcomes.realisedAuc(modelId, Environment.PRODUCTION, from, to) })));
    };
    const governance = async () => {
      const figures = await validations.overdueFigures();
      return [{ metric: AlertMetric.VALIDATION_OVERDUE_DAYS, results: figures.revalidation }, { metric: AlertMetric.FINDINGS_OVERDUE, results: figures.findings }];
    };
    const monitoringLoop = new MonitoringLoop({ config: config.monitoring, log, events, sampler: healthSampler, alertEngine, health, drift, lease: schedulerLease, realisedAuc, governance });
    return { healthSampler, health, alerts, alertEngine, drift, monitoringLoop };
  },
  // Built-in rules exist and open alerts are known before anything is served.
  init: async ({ alerts, alertEngine }) => {
    await alerts.ensureBuiltIns();
    await alertEngine.restore();
  },
  start: ({ monitoringLoop }) => monitoringLoop.start(),
  stop: ({ monitoringLoop }) => monitoringLoop.stop(),
});
