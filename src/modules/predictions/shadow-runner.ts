import type { Logger } from '../../core/logger';
import type { LoadedModel, ServedPrediction } from '../../engines/serving/loaded-model';
import type { ModelCache } from '../../engines/serving/model-cache';
import type { ModelVersion } from '../models/model-version.entity';
import { loggedRequest, type PredictionLog } from './prediction-log';

/** What the shadow of one request needs: whose rows, the live answers, and where to log. */
export interface ShadowCall {
  modelId: string;
  shadowVersionId: string;
  environment: string;
  rows: Record<string, unknown>[];
  live: ServedPrediction[];
  requestId: string | null;
}

/**
 * Scores a copy of each served request on the environment's SHADOW version after the live answer
 * has gone out (setImmediate: after the response is handed to the socket), and logs the shadow's
 * answers beside the live ones (`outputs.live`), so the challenger report compares them row by
 * row. At most `maxInFlight` (64) copies are scored at once (concurrent ones share the shadow version's micro-batches): a shadow never queues work without bound;
 * copies beyond it are dropped and counted. A failing shadow fails nobody.
 */
export class ShadowRunner {
  readonly counts = { scored: 0, dropped: 0, failed: 0 };
  private inFlight = 0;
  private failing = false;

  constructor(private readonly deps: {
    cache: ModelCache<ModelVersion>;
    predictionLog: PredictionLog;
    score: (model: LoadedModel<ModelVersion>, rows: Record<string, unknown>[]) => Promise<ServedPrediction[]>;
    log: Logger;
    maxInFlight?: number;
  }) {}

  mirror(call: ShadowCall): void {
    if (this.inFlight >= (this.deps.maxInFlight ?? 64)) {
      this.counts.dropped++;
      return;
    }
    this.inFlight++;
    setImmediate(() => void this.score(call).finally(() => { this.inFlight--; }));
  }

  private async score(call: ShadowCall): Promise<void> {
    const started = performance.now();
    try {
      const model = await this.deps.cache.load(call.shadowVersionId);
      const shadow = await this.deps.score(model, call.rows);
      const outputs = shadow.map((answer, i) => ({ ...answer, live: call.live[i] ?? null }));
      this.deps.predictionLog.record(loggedRequest({
        modelId: call.modelId, modelVersionId: call.shadowVersionId, environment: call.environment,
        latencyMs: performance.now() - started, requestId: call.requestId, route: 'SHADOW',
      }, call.rows, outputs));
      this.counts.scored++;
      if (this.failing) this.deps.log.info({ versionId: call.shadowVersionId }, 'shadow scoring works again');
      this.failing = false;
    } catch (error) {
      this.counts.failed++;
      if (!this.failing) this.deps.log.warn({ err: error, versionId: call.shadowVersionId }, 'a shadow could not score a request (its answer is missing from the report; the live answer was not affected)');
      this.failing = true;
    }
  }
}
