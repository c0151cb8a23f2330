import type { MonitoringConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { HealthSampler } from '../../engines/telemetry/health-sampler';
import { Environment } from '../deployments/environment';
import type { EventBus } from '../shared/topics';
import type { AlertEngine } from './alert-engine';
import type { DriftService } from './drift.service';
import type { HealthService } from './health.service';

/**
 * The background side of monitoring: a health snapshot every HEALTH_INTERVAL_SECONDS feeding the
 * alert engine, the stored history and subscribers, and the scheduled drift check of PRODUCTION
 * models feeding the DRIFT_PSI rules.
 */
export class MonitoringLoop {
  private driftTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: {
    config: MonitoringConfig; log: Logger; events: EventBus; sampler: HealthSampler; alertEngine: AlertEngine; health: HealthService; drift: DriftService;
  }) {
    const { sampler, alertEngine, health, events } = deps;
    sampler.onSnapshot((snapshot, failed) => alertEngine.onSnapshot(snapshot, failed));
    sampler.onSnapshot((snapshot) => health.store(snapshot));
    // A copy: subscribers' shared results are cached per event object, and the sampler keeps its own in a long ring.
    sampler.onSnapshot((snapshot) => events.publish('HEALTH_SNAPSHOT', 'all', { ...snapshot }));
  }

  start(): void {
    const { config, sampler, drift, alertEngine, log } = this.deps;
    sampler.start();
    if (config.driftCheckSeconds > 0 && !this.driftTimer) {
      const check = async () => {
        const results = await drift.checkAll(Environment.PRODUCTION, config.driftWindowSeconds);
        await alertEngine.onDrift(results.map((r) => ({ modelId: r.modelId, environment: Environment.PRODUCTION, maxPsi: r.maxPsi })));
      };
      this.driftTimer = setInterval(() => void check().catch((error) => log.error({ err: error }, 'drift check failed')), config.driftCheckSeconds * 1000);
      this.driftTimer.unref();
    }
  }

  stop(): void {
    this.deps.sampler.stop();
    if (this.driftTimer) clearInterval(this.driftTimer);
    this.driftTimer = null;
  }
}
