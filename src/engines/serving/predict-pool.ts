import Piscina from 'piscina';
import { compiledScript } from '../../core/compiled-script';
import type { BackendName } from '../../ml/backend';
import { TargetError } from '../../ml/target-encoding';
import type { LoadedModel, ServedPrediction } from './loaded-model';
import type { PredictTask, PredictTaskResult } from './predict-worker';

/**
 * Worker threads for large predicts and explanations (piscina: a maintained pool with a task
 * queue, idle shutdown and transferable arguments; writing one by hand would repeat it). The
 * event loop keeps answering while they score.
 */
export class PredictPool {
  private readonly pool: Piscina | null;

  constructor(private readonly options: { threads: number; backend: BackendName | null }) {
    this.pool = options.threads > 0
      ? new Piscina({ filename: compiledScript('engines/serving/predict-worker.js'), minThreads: 0, maxThreads: options.threads, idleTimeout: 60_000 })
      : null;
  }

  /** True when there are threads to score on (PREDICT_POOL_THREADS > 0). */
  get enabled(): boolean {
    return this.pool !== null;
  }

  /** Scores validated rows with `model` on a worker thread; throws TargetError as the event loop would. */
  async score(model: LoadedModel<{ id: string }>, rows: Record<string, unknown>[], explain: boolean): Promise<ServedPrediction[]> {
    if (!this.pool) return model.score(rows, explain);
    const task: PredictTask = { versionId: model.version.id, artifact: model.sharedArtifact(), targetColumn: model.targetColumn, rows, explain, backend: this.options.backend };
    const result = (await this.pool.run(task)) as PredictTaskResult;
    if ('targetError' in result) throw new TargetError(result.targetError);
    return result.predictions;
  }

  /** Threads running, tasks waiting for one and tasks done since start (zeros when off). */
  load(): { threads: number; waiting: number; completed: number } {
    if (!this.pool) return { threads: 0, waiting: 0, completed: 0 };
    return { threads: this.pool.threads.length, waiting: this.pool.queueSize, completed: this.pool.completed };
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
