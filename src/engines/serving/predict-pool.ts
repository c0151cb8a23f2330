import Piscina from 'piscina';
import { compiledScript } from '../../core/compiled-script';
import type { BackendName } from '../../ml/backend';
import type { LoadedModel } from './loaded-model';
import type { ForwardTask } from './predict-worker';

/**
 * Worker threads for the forward passes of large predicts and explanations (piscina: a maintained
 * pool with a task queue, idle shutdown and transferable results; writing one by hand would
 * repeat it). The event loop encodes and decodes, and keeps answering while the threads compute.
 */
export class PredictPool {
  private readonly pool: Piscina | null;

  constructor(private readonly options: { threads: number; backend: BackendName | null }) {
    this.pool = options.threads > 0
      ? new Piscina({ filename: compiledScript('engines/serving/predict-worker.js'), minThreads: 0, maxThreads: options.threads, idleTimeout: 60_000 })
      : null;
  }

  /** True when there are threads to run on (PREDICT_POOL_THREADS > 0). */
  get enabled(): boolean {
    return this.pool !== null;
  }

  /** One forward pass of `model` on a worker thread (in this thread when the pool is off). */
  async forward(model: LoadedModel<{ id: string }>, x: Float32Array, units: number): Promise<Float32Array> {
    if (!this.pool) return model.run(x, units);
    const task: ForwardTask = { versionId: model.version.id, artifact: model.sharedArtifact(), targetColumn: model.targetColumn, x, units, backend: this.options.backend };
    return (await this.pool.run(task)) as Float32Array;
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
