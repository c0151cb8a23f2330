/**
 * The training child process. It receives one `start` message with everything it needs, trains
 * through the architecture's algorithm (ml/algorithms), streams metrics and progress back over
 * IPC, and ends with the model artifact and its evaluation on the held-out test rows. No
 * database, no pub/sub: it can be killed at any moment and nothing is left half-written.
 */
import { selectBackend } from '../../ml/backend';
import { algorithmFor } from '../../ml/algorithms/registry';
import { loadArtifactModel } from '../../ml/model-artifact';
import { tf } from '../../ml/tf';
import { fromColumns, isParentMessage, type ChildMessage, type EvaluateJob, type MetricPointMessage, type ParentMessage, type RowColumns } from './protocol';
import { prepareData, prepareForEvaluation, toTrainingSet, type PrepareJob } from './prepare-data';
import { ColumnAssembler } from './column-assembler';
import { evaluateModel, featureImportance, measureModel } from './evaluate-model';
import { selectJobFeatures } from './select-features';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

/** Lets queued IPC messages leave: a fit would otherwise keep the event loop busy to its end. */
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

async function train(job: PrepareJob): Promise<void> {
  const backend = await selectBackend(job.backend);
  await send({ type: 'started', backend, libraryVersions: { tfjs: tf.version.tfjs, node: process.version } });

  const algorithm = algorithmFor(job.architecture);
  let data = prepareData(job);
  // With feature selection: choose on the training split, then prepare again with the kept features only (same split: it depends on the rows and the seed).
  const selection = job.featureSelection ? await selectJobFeatures(job, data, job.featureSelection) : null;
  if (selection) {
    job = { ...job, features: job.features.filter((f) => selection.kept.includes(f.name)) };
    data = prepareData(job);
  }
  const set = toTrainingSet(data, job);
  // The rows are encoded now: let their columns go (5M rows × 21 columns is 840 MB) before the fit.
  job = { ...job, rows: [] };
  let step = 0;
  let batchStep = 0;
  let stepStarted = Date.now();
  let lastSend = Date.now();
  let pending: MetricPointMessage[] = [];
  const flush = async () => {
    if (pending.length) {
      const points = pending;
      pending = [];
      await send({ type: 'metrics', points });
    }
  };
  // Batch points (gradient-trained networks, when asked) leave in small groups every 10 ms, so subscribers see them with little delay.
  const onBatch = async (loss: number) => {
    batchStep++;
    pending.push({ name: 'batch_loss', step: batchStep, epoch: step + 1, value: loss, timestamp: Date.now() });
    if (Date.now() - lastSend >= 10) {
      await flush();
      await yieldToEventLoop();
      lastSend = Date.now();
    }
  };
  const batchesPerStep = Math.ceil(set.train.count / Math.max(1, Math.min(job.hyperparameters.batchSize, set.train.count)));
  const predictor = await algorithm.train(set, job.hyperparameters, job.seed, {
    ...(job.batchMetrics ? { onBatch } : {}),
    onStep: async ({ step: done, totalSteps, metrics }) => {
      const now = Date.now();
      step = done;
      // With per-batch points the step axis counts batches (as before the algorithm contract), so both series share it.
      const at = job.batchMetrics ? done * batchesPerStep : done;
      batchStep = at;
      for (const [name, value] of Object.entries(metrics)) pending.push({ name, step: at, epoch: done, value, timestamp: now });
      pending.push({ name: 'samples_per_second', step: at, epoch: done, value: set.train.count / Math.max(1e-3, (now - stepStarted) / 1000), timestamp: now });
      stepStarted = now;
      await flush();
      await send({ type: 'progress', epochsCompleted: done, progress: Math.min(1, done / Math.max(1, totalSteps)) });
      await yieldToEventLoop();
    },
  });

  const evaluation = await measureModel(predictor, data);
  const saved = await predictor.serialise();
  await send({
    type: 'done',
    artifact: {
      model: saved.state, weightData: saved.bytes,
      preprocessor: data.preprocessor, targetEncoder: data.targetEncoder, task: job.task, architecture: job.architecture,
      windowSize: job.hyperparameters.windowSize, horizon: job.hyperparameters.horizon, forecastTarget: job.hyperparameters.forecastTarget, featureNames: job.features.map((f) => f.name),
      scoreShares: evaluation.scoreShares ?? null, calibration: evaluation.calibration ?? null, featureSelection: selection,
    },
    evaluation,
    summary: {
      ...Object.fromEntries(Object.entries(evaluation.metrics).filter((entry): entry is [string, number] => Number.isFinite(entry[1]))),
      ...(predictor.bestStep ? { bestStep: predictor.bestStep } : {}),
    },
  });
  // The version is usable from here; permutation importance (features × forward passes) follows.
  // Should it throw, the 'error' that follows 'done' fails only the importance, not the run.
  await send({ type: 'importance', featureImportance: await featureImportance(predictor, data, job.seed) });
  predictor.dispose();
}

/** Scores a stored model on other rows, with the encoders it was trained with. */
async function evaluate(job: EvaluateJob): Promise<void> {
  await selectBackend(job.backend);
  const predictor = await loadArtifactModel(job.artifact);
  const data = prepareForEvaluation(job.artifact, job.rows, job.targetName);
  await send({ type: 'evaluated', evaluation: await evaluateModel(predictor, data, job.seed, 'FULL') });
  predictor.dispose();
}

/** Ends the child after a message it cannot take. */
function protocolError(message: string): void {
  void send({ type: 'error', message: `protocol error: ${message}` }).finally(() => process.exit(1));
}

let busy = false;
/** A start message whose rows are still arriving (StreamedRows), and the columns so far. */
let streaming: { message: Extract<ParentMessage, { type: 'start' | 'evaluate' }>; columns: ColumnAssembler } | null = null;
process.on('message', (message) => {
  if (!isParentMessage(message)) return protocolError('expected a start message');
  if (message.type === 'rows' || message.type === 'rowsEnd') {
    if (!streaming) return protocolError('rows without a job');
    if (message.type === 'rows') {
      try {
        streaming.columns.add(message.chunk);
      } catch (error) {
        protocolError(error instanceof Error ? error.message : String(error));
      }
      return;
    }
    if (message.count !== streaming.columns.rowCount) return protocolError(`${streaming.columns.rowCount} rows arrived, ${message.count} were sent`);
    const { message: start, columns } = streaming;
    streaming = null;
    return runJob(start, columns.finish());
  }
  if (busy) return protocolError('expected a start message');
  // A pooled child: load TensorFlow.js and the backend now, then wait for its one job.
  if (message.type === 'warm') {
    // A backend that cannot load: exit while idle; once a job has arrived, its own await of the
    // same promise reports the error (as a cold child would), so do not exit before it can.
    selectBackend(message.backend).then(() => send({ type: 'ready' }), () => { if (!busy) process.exit(1); });
    return;
  }
  busy = true;
  const rows = message.job.rows;
  if ('streamed' in rows) {
    streaming = { message, columns: new ColumnAssembler(rows.names, rows.expected) };
    return;
  }
  runJob(message, rows);
});

function runJob(message: Extract<ParentMessage, { type: 'start' | 'evaluate' }>, rows: Record<string, unknown>[] | RowColumns): void {
  // Training keeps columns (prepareData reads them as they are); evaluating a stored model takes rows.
  (message.type === 'start' ? train({ ...message.job, rows }) : evaluate({ ...message.job, rows: fromColumns(rows) })).then(
    () => process.exit(0),
    async (error: unknown) => {
      await send({ type: 'error', message: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      process.exit(1);
    },
  );
}
// The supervisor's death must not leave an orphan training.
process.on('disconnect', () => process.exit(1));
