import 'reflect-metadata';
import fs from 'node:fs';
import readline from 'node:readline';
import { selectBackend } from '../src/ml/backend';
import { resolveHyperparameters } from '../src/modules/models/hyperparameters';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { planNetworkFit } from '../src/ml/algorithms/tfjs-network';
import { prepareData, toTrainingSet, type PrepareJob } from '../src/engines/trainer/prepare-data';
import type { RowColumns, TrainJob } from '../src/engines/trainer/protocol';
import { syntheticFeatureNames, SYNTHETIC_TARGET } from './lib/training-data';

/** What bench/scale.ts passes (as JSON in argv[2]). */
export interface ScaleBareSpec {
  file: string;
  rows: number;
  seed: number;
  epochs: number;
  batchSize: number;
  hiddenUnits: number[];
  learningRate: number;
  split: { validation: number; test: number };
  backend: TrainJob['backend'];
}

/**
 * The reference of the scale benchmark: the synthetic CSV read straight into Float64Array columns
 * (the typed arrays the training child assembles), prepared and fitted by one process calling
 * model.fit with nothing around it. Prints one JSON line with each epoch's seconds.
 */
async function main() {
  const spec = JSON.parse(process.argv[2]) as ScaleBareSpec;
  const backend = await selectBackend(spec.backend);
  const names = [...syntheticFeatureNames(), SYNTHETIC_TARGET];
  const columns = names.map(() => new Float64Array(spec.rows));
  let count = -1;
  for await (const line of readline.createInterface({ input: fs.createReadStream(spec.file), crlfDelay: Infinity })) {
    if (count >= 0 && line) {
      const cells = line.split(',');
      for (let c = 0; c < columns.length; c++) columns[c][count] = +cells[c];
    }
    count++;
  }
  const table: RowColumns = { count, columns: names.map((name, c) => ({ name, values: columns[c].subarray(0, count) })) };
  const job: PrepareJob = {
    runId: 'bare', task: 'BINARY_CLASSIFICATION', architecture: 'MLP',
    features: syntheticFeatureNames().map((name) => ({ name, type: 'NUMBER' })), target: { name: SYNTHETIC_TARGET, type: 'NUMBER' },
    rows: table,
    hyperparameters: resolveHyperparameters({ architecture: Architecture.MLP, task: ModelTask.BINARY_CLASSIFICATION }, { epochs: spec.epochs, batchSize: spec.batchSize, hiddenUnits: spec.hiddenUnits, learningRate: spec.learningRate, patience: 0 }),
    split: { ...spec.split, strategy: 'RANDOM' }, seed: spec.seed, backend: spec.backend, batchMetrics: false,
  };
  const started = performance.now();
  const data = prepareData(job);
  const set = toTrainingSet(data, job);
  const plan = planNetworkFit('MLP', set, job.hyperparameters, job.seed);
  const prepared = performance.now();
  const epochEnds: number[] = [];
  await plan.model.fit(plan.x, plan.y, { ...plan.options, callbacks: { onEpochEnd: () => { epochEnds.push(performance.now()); } } });
  plan.dispose();
  const epochSeconds = epochEnds.map((t, i) => (t - (i === 0 ? prepared : epochEnds[i - 1])) / 1000);
  console.log(JSON.stringify({ backend, rows: count, trainRows: data.train.count, prepareSeconds: (prepared - started) / 1000, epochSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
