/**
 * The training child process. It receives one `start` message with everything it needs, trains
 * with TensorFlow.js, streams metrics and progress back over IPC, and ends with the model
 * artifact and its evaluation on the held-out test rows. No database, no pub/sub: it can be
 * killed at any moment and nothing is left half-written.
 */
import { selectBackend } from '../../ml/backend';
import { tf } from '../../ml/tf';
import { isParentMessage, type ChildMessage, type EvaluateJob, type MetricPointMessage, type TrainJob } from './protocol';
import { prepareData, prepareForEvaluation, type PreparedData } from './prepare-data';
import { evaluateModel } from './evaluate-model';
import { planFit } from './fit-plan';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

/** Lets queued IPC messages leave: tfjs would otherwise keep the event loop busy for a whole fit. */
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

async function train(job: TrainJob): Promise<void> {
  const backend = await selectBackend(job.backend);
  await send({ type: 'started', backend, libraryVersions: { tfjs: tf.version.tfjs, node: process.version } });

  const data: PreparedData = prepareData(job);
  const hp = job.hyperparameters;
  const plan = planFit(job, data);
  const { model } = plan;
  const batchesPerEpoch = Math.ceil(data.train.count / plan.options.batchSize);
  let step = 0;
  let epochStarted = Date.now();
  let lastSend = Date.now();
  let pending: MetricPointMessage[] = [];
  const flush = async () => {
    if (pending.length) {
      const points = pending;
      pending = [];
      await send({ type: 'metrics', points });
    }
  };
  // A per-batch callback costs ~10 % of fit time in tfjs, so it exists only when asked for.
  const onBatchEnd = async (_batch: number, logs?: tf.Logs) => {
    step++;
    if (logs?.loss !== undefined) pending.push({ name: 'batch_loss', step, epoch: currentEpoch, value: logs.loss, timestamp: Date.now() });
    // Points leave in small groups (every 10 ms), so subscribers see them with little delay.
    if (Date.now() - lastSend >= 10) {
      await flush();
      await yieldToEventLoop();
      lastSend = Date.now();
    }
  };
  await model.fit(plan.x, plan.y, {
    ...plan.options,
    callbacks: {
      onEpochBegin: async () => {
        epochStarted = Date.now();
      },
      ...(job.batchMetrics ? { onBatchEnd } : {}),
      onEpochEnd: async (epoch, logs) => {
        const now = Date.now();
        step = (epoch + 1) * batchesPerEpoch;
        for (const [key, value] of Object.entries(logs ?? {})) {
          pending.push({ name: metricName(key), step, epoch: epoch + 1, value, timestamp: now });
        }
        pending.push({ name: 'samples_per_second', step, epoch: epoch + 1, value: data.train.count / Math.max(1e-3, (now - epochStarted) / 1000), timestamp: now });
        pending.push({ name: 'learning_rate', step, epoch: epoch + 1, value: hp.learningRate, timestamp: now });
        currentEpoch = epoch + 2;
        await flush();
        await send({ type: 'progress', epochsCompleted: epoch + 1, progress: (epoch + 1) / hp.epochs });
        await yieldToEventLoop();
      },
    },
  });
  plan.dispose();

  const evaluation = await evaluateModel(model, data, job.seed);
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  await send({
    type: 'done',
    artifact: {
      modelTopology: saved!.modelTopology, weightSpecs: saved!.weightSpecs, weightData: saved!.weightData as ArrayBuffer,
      preprocessor: data.preprocessor, targetEncoder: data.targetEncoder, task: job.task, architecture: job.architecture,
      windowSize: hp.windowSize, horizon: hp.horizon, featureNames: job.features.map((f) => f.name), scoreShares: evaluation.scoreShares ?? null, calibration: evaluation.calibration ?? null,
    },
    evaluation,
    summary: Object.fromEntries(Object.entries(evaluation.metrics).filter((entry): entry is [string, number] => Number.isFinite(entry[1]))),
  });
}
let currentEpoch = 1;

/** Scores a stored model on other rows, with the encoders it was trained with. */
async function evaluate(job: EvaluateJob): Promise<void> {
  await selectBackend(job.backend);
  const { artifact } = job;
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: artifact.modelTopology as object, weightSpecs: artifact.weightSpecs as tf.io.WeightsManifestEntry[], weightData: artifact.weightData,
  }));
  const data = prepareForEvaluation(artifact, job.rows, job.targetName);
  await send({ type: 'evaluated', evaluation: await evaluateModel(model, data, job.seed, 'FULL') });
}

/** tfjs reports `acc`; the API says `accuracy`. */
function metricName(key: string): string {
  return key.replace(/(^|_)acc$/, '$1accuracy');
}

process.on('message', (message) => {
  if (!isParentMessage(message)) {
    void send({ type: 'error', message: 'protocol error: expected a start message' }).finally(() => process.exit(1));
    return;
  }
  (message.type === 'start' ? train(message.job) : evaluate(message.job)).then(
    () => process.exit(0),
    async (error: unknown) => {
      await send({ type: 'error', message: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      process.exit(1);
    },
  );
});
// The supervisor's death must not leave an orphan training.
process.on('disconnect', () => process.exit(1));
