/**
 * A predict-pool worker thread: runs forward passes of a version's network, so a large predict or
 * an explanation (features + 1 passes per row) never holds the event loop. Only typed arrays cross
 * the thread boundary: the main thread encodes rows and decodes outputs, as it does without the
 * pool. The version arrives as its encoded artifact in shared memory and is loaded once per thread.
 */
import { Piscina } from 'piscina';
import { selectBackend, type BackendName } from '../../ml/backend';
import { decodeModelArtifact } from '../../ml/model-artifact';
import { LoadedModel } from './loaded-model';

export interface ForwardTask {
  versionId: string;
  /** The encoded artifact (LoadedModel.sharedArtifact). */
  artifact: SharedArrayBuffer;
  targetColumn: string;
  /** Encoded input, `units` rows of the network's input width. */
  x: Float32Array;
  units: number;
  backend: BackendName | null;
}

/** Versions loaded in this thread, oldest first; a few, since the main thread keeps the real cache. */
const MAX_MODELS = 4;
const loaded = new Map<string, Promise<LoadedModel>>();

function model(task: ForwardTask): Promise<LoadedModel> {
  let found = loaded.get(task.versionId);
  if (!found) {
    const artifact = decodeModelArtifact(Buffer.from(task.artifact));
    found = LoadedModel.fromArtifact({ id: task.versionId }, artifact, task.targetColumn, { enabled: false, maxBatchSize: 1, maxDelayMs: 0 });
    loaded.set(task.versionId, found);
    found.catch(() => loaded.delete(task.versionId));
    while (loaded.size > MAX_MODELS) {
      const [oldest, evicted] = loaded.entries().next().value as [string, Promise<LoadedModel>];
      loaded.delete(oldest);
      void evicted.then((m) => m.retire(), () => undefined);
    }
  }
  return found;
}

export default async function forward(task: ForwardTask): Promise<Float32Array> {
  await selectBackend(task.backend);
  const output = await (await model(task)).run(task.x, task.units);
  // Handed back without a copy, on a buffer of its own (a view may share a larger one).
  const own = output.byteOffset === 0 && output.byteLength === output.buffer.byteLength ? output : output.slice();
  return Piscina.move(own) as unknown as Float32Array;
}
