/**
 * A predict-pool worker thread: scores one request's rows with a version's network, so a large
 * predict or an explanation (features × rows forward passes) never holds the event loop. The
 * version arrives as its encoded artifact in shared memory and is loaded once per thread.
 */
import { selectBackend, type BackendName } from '../../ml/backend';
import { decodeModelArtifact } from '../../ml/model-artifact';
import { TargetError } from '../../ml/target-encoding';
import { LoadedModel, type ServedPrediction } from './loaded-model';

export interface PredictTask {
  versionId: string;
  /** The encoded artifact (LoadedModel.sharedArtifact). */
  artifact: SharedArrayBuffer;
  targetColumn: string;
  /** Validated rows. */
  rows: Record<string, unknown>[];
  explain: boolean;
  backend: BackendName | null;
}

export type PredictTaskResult = { predictions: ServedPrediction[] } | { targetError: string };

/** Versions loaded in this thread, oldest first; a few, since the main thread keeps the real cache. */
const MAX_MODELS = 4;
const loaded = new Map<string, Promise<LoadedModel>>();

function model(task: PredictTask): Promise<LoadedModel> {
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

export default async function predict(task: PredictTask): Promise<PredictTaskResult> {
  await selectBackend(task.backend);
  try {
    return { predictions: await (await model(task)).score(task.rows, task.explain) };
  } catch (error) {
    // A bad forecast history is the client's: it crosses back as data, not as a crash.
    if (error instanceof TargetError) return { targetError: error.message };
    throw error;
  }
}
