import type { MonitoringConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { Lease } from '../../engines/cluster/lease';
import type { HealthSampler } from '../../engines/telemetry/health-sampler';
import { Environment } from '../deployments/environment';
import type { EventBus } from '../shared/topics';
import type { AlertEngine } from './alert-engine';
import { AlertMetric } from './alert-enums';
import type { DriftService } from './drift.service';
import type { HealthService } from './health.service';

/**
 * The background side of monitoring: a health snapshot every HEALTH_INTERVAL_SECONDS, published
 * to subscribers by every instance (each labelled with its instance); and, only where the
 * scheduler lease is held (one process in a cluster, always embedded), the alert engine fed with
 * that snapshot, the stored history, and the scheduled drift check of PRODUCTION models feeding
 * the DRIFT_PSI rules. N instances thus evaluate each rule once, not N times.
 */
export class MonitoringLoop {
  private driftTimer: NodeJS.Timeout | null = null;
  private leading = false;

  constructor(private readonly deps: {
    config: MonitoringConfig; log: Logger; events: EventBus; sampler: HealthSampler; alertEngine: AlertEngine; health: HealthService; drift: DriftService; lease: Lease;
    /** Realised AUC of each PRODUCTION model over the last 30 days (null without outcomes), for REALISED_AUC rules. */
    realisedAuc: () => Promise<{ modelId: string; value: number | null }[]>;
    /** Per-model governance figures (overdue revalidation, overdue findings), for their rules. */
    governance: () => Promise<{ metric: AlertMetric; results: { modelId: string; value: number | null }[] }[]>;
  }) {
    const { sampler, alertEngine, health, events } = deps;
    sampler.onSnapshot(async (snapshot, failed) => {
      if (!(await this.leads())) return;
      await alertEngine.onSnapshot(snapshot, failed);
      await health.store(snapshot);
    });
    // A copy: subscribers' shared results are cached per event object, and the sampler keeps its own in a long ring.
    sampler.onSnapshot((snapshot) => events.publish('HEALTH_SNAPSHOT', 'all', { ...snapshot }));
  }

  /**
   * True where the lease is held. On taking it over, the alert engine first re-reads the open
   * alerts, which the previous holder may have opened or resolved meanwhile.
   */
  private async leads(): Promise<boolean> {
    const held = this.deps.lease.held;
    if (held && !this.leading) await this.deps.alertEngine.restore();
    this.leading = held;
    return held;
  }

  start(): void {
    const { config, sampler, drift, alertEngine, log, lease } = this.deps;
    lease.start();
    sampler.start();
    if (config.driftCheckSeconds > 0 && !this.driftTimer) {
      const check = async () => {
        if (!(await this.leads())) return;
        const results = await drift.checkAll(Environment.PRODUCTION, config.driftWindowSeconds);
        await alertEngine.onDrift(results.map((r) => ({ modelId: r.modelId, environment: Environment.PRODUCTION, maxPsi: r.maxPsi })));
        // A model can stop working while its inputs look the same: its realised AUC tells.
        const realised = await this.deps.realisedAuc();
        await alertEngine.onModelFigures(AlertMetric.REALISED_AUC, realised.map((r) => ({ ...r, environment: Environment.PRODUCTION })));
        // Governance holds in every environment: the figures carry none, so only rules without one match.
        for (const { metric, results } of await this.deps.governance()) await alertEngine.onModelFigures(metric, results.map((r) => ({ ...r, environment: '' })));
      };
      this.driftTimer = setInterval(() => void check().catch((error) => log.error({ err: error }, 'drift check failed')), config.driftCheckSeconds * 1000);
      this.driftTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.deps.sampler.stop();
    if (this.driftTimer) clearInterval(this.driftTimer);
    this.driftTimer = null;
    // Handed over at once, rather than after the lease's lifetime.
    await this.deps.lease.stop();
  }
}
