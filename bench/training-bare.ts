import 'reflect-metadata';
import { selectBackend } from '../src/ml/backend';
import { tf, type TF } from '../src/ml/tf';
import { resolveHyperparameters } from '../src/modules/models/hyperparameters';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { toTypedValue, type ColumnType } from '../src/ml/value-parsers';
import { featureImportance, measureModel } from '../src/engines/trainer/evaluate-model';
import { networkPredictor, planNetworkFit } from '../src/ml/algorithms/tfjs-network';
import { prepareData, toTrainingSet } from '../src/engines/trainer/prepare-data';
import type { TrainJob } from '../src/engines/trainer/protocol';
import { parseSimpleCsv, syntheticBinaryCsv, syntheticFeatureNames, SYNTHETIC_TARGET } from './lib/training-data';

/** What training-overhead passes (as JSON in argv[2]): the same settings the API run gets. */
export interface BareSpec {
  rows: number;
  dataSeed: number;
  seed: number;
  epochs: number;
  batchSize: number;
  hiddenUnits: number[];
  learningRate: number;
  split: { validation: number; test: number };
  /** Column types as the server inferred them, so the typed rows are the ones the API trains on. */
  columnTypes: Record<string, string>;
  /** TFJS_BACKEND, when forced. */
  backend: TrainJob['backend'];
  /**
   * Diagnostic only: also pass an async onBatchEnd like train-process.ts's (reads the batch loss,
   * yields to the event loop every 50 ms), to see what the per-batch callback alone costs.
   */
  batchCallback?: boolean;
}

/**
 * The baseline of the training overhead benchmark: the same rows, model, split and backend as an
 * API run, trained by one process calling model.fit with nothing around it. Timed from the start
 * of data preparation to the end of fit; backend start-up and the evaluation afterwards are timed
 * separately. Prints one JSON line.
 */
async function main() {
  const spec = JSON.parse(process.argv[2]) as BareSpec;
  // performance.now() counts from process start: this much went to Node and loading the modules (tfjs included).
  const processStart = performance.now();
  const backend = await selectBackend(spec.backend);
  const backendSeconds = (performance.now() - processStart) / 1000;

  // Typed rows exactly as DatasetRowReader.allRows builds them (not timed: the API run reads them from its database).
  const csv = parseSimpleCsv(syntheticBinaryCsv(spec.rows, spec.dataSeed));
  const features = syntheticFeatureNames();
  const typeOf = (name: string) => (spec.columnTypes[name] ?? 'NUMBER') as ColumnType;
  const columns = [...features, SYNTHETIC_TARGET].map((name) => ({ name, index: csv.header.indexOf(name), type: typeOf(name) }));
  const rows = csv.rows.map((raw) => Object.fromEntries(columns.map((c) => [c.name, toTypedValue(c.type, raw[c.index])])));
  const job: TrainJob = {
    runId: 'bare', task: 'BINARY_CLASSIFICATION', architecture: 'MLP',
    features: features.map((name) => ({ name, type: typeOf(name) })), target: { name: SYNTHETIC_TARGET, type: typeOf(SYNTHETIC_TARGET) },
    rows,
    hyperparameters: resolveHyperparameters({ architecture: Architecture.MLP, task: ModelTask.BINARY_CLASSIFICATION }, { epochs: spec.epochs, batchSize: spec.batchSize, hiddenUnits: spec.hiddenUnits, learningRate: spec.learningRate, patience: 0 }),
    split: { ...spec.split, strategy: 'RANDOM' }, seed: spec.seed, backend: spec.backend, batchMetrics: false,
  };

  const started = performance.now();
  const data = prepareData(job);
  // The same network, tensors and fit options as the training child (one function builds both).
  const set = toTrainingSet(data, job);
  const plan = planNetworkFit('MLP', set, job.hyperparameters, job.seed);
  const { model } = plan;
  const prepared = performance.now();
  const epochEnds: number[] = [];
  const history = await model.fit(plan.x, plan.y, {
    ...plan.options,
    // Only a clock read per epoch (for the per-epoch comparison); no per-batch callback.
    callbacks: {
      onEpochEnd: () => { epochEnds.push(performance.now()); },
      ...(spec.batchCallback ? { onBatchEnd: batchCallback() } : {}),
    },
  });
  const fitEnd = performance.now();
  plan.dispose();
  // As the training child: the test metrics, then the permutation importance.
  const predictor = networkPredictor(model, set.inputShape);
  const evaluation = await measureModel(predictor, data);
  const measured = performance.now();
  await featureImportance(predictor, data, job.seed);
  const evaluated = performance.now();

  const seconds = (ms: number) => ms / 1000;
  const epochSeconds = epochEnds.map((t, i) => seconds(t - (i === 0 ? prepared : epochEnds[i - 1])));
  console.log(JSON.stringify({
    backend,
    trainRows: data.train.count,
    moduleLoadSeconds: processStart / 1000,
    backendLoadSeconds: backendSeconds,
    prepareSeconds: seconds(prepared - started),
    fitSeconds: seconds(fitEnd - prepared),
    seconds: seconds(fitEnd - started),
    firstEpochEndSeconds: seconds(epochEnds[0] - started),
    epochSeconds,
    samplesPerSecond: epochSeconds.map((s) => data.train.count / s),
    evaluateSeconds: seconds(evaluated - fitEnd),
    measureSeconds: seconds(measured - fitEnd),
    importanceSeconds: seconds(evaluated - measured),
    finalLoss: (history.history.loss as number[]).at(-1),
    testAuc: evaluation.metrics.auc,
  }));
}
/** The shape of train-process.ts's onBatchEnd without the IPC. */
function batchCallback() {
  let lastYield = Date.now();
  const seen: number[] = [];
  return async (_batch: number, logs?: TF.Logs) => {
    if (logs?.loss !== undefined) seen.push(logs.loss);
    if (Date.now() - lastYield > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  };
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
