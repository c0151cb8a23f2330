import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/ml/backend';
import { algorithmFor } from '../src/ml/algorithms/registry';
import type { ArchitectureName, TaskName } from '../src/ml/model-spec';
import { toTypedValue } from '../src/ml/value-parsers';
import { evaluateModel } from '../src/engines/trainer/evaluate-model';
import { prepareData, toTrainingSet } from '../src/engines/trainer/prepare-data';
import type { TrainJob } from '../src/engines/trainer/protocol';
import { resolveHyperparameters } from '../src/modules/models/hyperparameters';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { gql, startAimass } from './lib/graphql-client';
import { round, syntheticBinaryCsv } from './lib/training-data';
import { median } from './lib/training-run';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures/data');
const TABULAR: ArchitectureName[] = ['LOGISTIC_REGRESSION', 'NAIVE_BAYES', 'DECISION_TREE', 'RANDOM_FOREST', 'GRADIENT_BOOSTED_TREES', 'MLP', 'SVM'];
const TREES: ArchitectureName[] = ['DECISION_TREE', 'RANDOM_FOREST', 'GRADIENT_BOOSTED_TREES'];
const SPLIT = { validation: 0.15, test: 0.2, strategy: 'RANDOM' as const };
const SEED = 42;
/** Debian's python3 with python3-sklearn; the one pyenv may put first on PATH lacks it. */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

/** A CSV of numbers (a byte-order mark and CRLF allowed; no quoting), as typed rows. */
function numericRows(text: string, drop: string[]): { header: string[]; rows: Record<string, unknown>[] } {
  const lines = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim());
  const keep = header.map((name, i) => [name, i] as const).filter(([name]) => !drop.includes(name));
  const rows = lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(keep.map(([name, i]) => [name, toTypedValue('NUMBER', cells[i])]));
  });
  return { header: keep.map(([name]) => name), rows };
}

function tabularJob(architecture: ArchitectureName, data: { header: string[]; rows: Record<string, unknown>[] }, target: string, task: TaskName = 'BINARY_CLASSIFICATION'): TrainJob {
  return {
    runId: 'bench', task, architecture,
    features: data.header.filter((name) => name !== target).map((name) => ({ name, type: 'NUMBER' })),
    target: { name: target, type: 'NUMBER' }, rows: data.rows,
    hyperparameters: resolveHyperparameters({ architecture: architecture as Architecture, task: task as ModelTask }),
    split: SPLIT, seed: SEED, backend: null, batchMetrics: false,
  };
}

/** Trains as the training child does (same preparation, algorithm and evaluation), in this process. */
async function trainInProcess(job: TrainJob) {
  const started = performance.now();
  const data = prepareData(job);
  const predictor = await algorithmFor(job.architecture).train(toTrainingSet(data, job), job.hyperparameters, job.seed, { onStep: async () => undefined });
  const trainSeconds = (performance.now() - started) / 1000;
  const evaluation = await evaluateModel(predictor, data, job.seed);
  predictor.dispose();
  return { data, trainSeconds, metrics: evaluation.metrics, bestStep: predictor.bestStep ?? null };
}

/**
 * Hold-out AUC with default hyper-parameters against scikit-learn's defaults, on the same encoded
 * rows and the same split (scikit-learn learns from the training and validation rows together:
 * aimass's defaults keep the validation rows for early stopping).
 */
export async function benchAlgorithmQuality() {
  await selectBackend(null);
  const datasets = {
    GermanCredit: { data: numericRows(fs.readFileSync(path.join(FIXTURES, 'GermanCredit.csv'), 'utf8'), ['OBS#']), target: 'RESPONSE' },
    UniversalBank: { data: numericRows(fs.readFileSync(path.join(FIXTURES, 'UniversalBank.csv'), 'utf8'), ['ID', 'ZIP Code']), target: 'Personal Loan' },
  };
  const ours: Record<string, Record<string, number | null>> = {};
  const exported: Record<string, unknown> = {};
  for (const [name, { data, target }] of Object.entries(datasets)) {
    ours[name] = {};
    for (const architecture of TABULAR) {
      const { data: prepared, metrics } = await trainInProcess(tabularJob(architecture, data, target));
      ours[name][architecture] = metrics.auc ?? null;
      if (!exported[name]) {
        const width = prepared.inputSize;
        exported[name] = {
          width,
          trainX: [...prepared.train.x, ...prepared.validation.x], trainY: [...prepared.train.y, ...prepared.validation.y],
          testX: [...prepared.test.x], testY: [...prepared.test.y],
        };
      }
    }
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-quality-')), 'rows.json');
  fs.writeFileSync(file, JSON.stringify(exported));
  let sklearn: { sklearn: string; datasets: Record<string, Record<string, number>> } | null = null;
  try {
    sklearn = JSON.parse(execFileSync(PYTHON, [path.resolve(__dirname, '../../bench/sklearn/quality.py'), file], { encoding: 'utf8' }).trim().split('\n').pop()!);
  } catch (error) {
    console.log(`(scikit-learn not run: ${(error as Error).message.split('\n')[0]}; install python3-sklearn)`);
  }
  const table = Object.fromEntries(Object.entries(ours).map(([name, aucs]) => [name, Object.fromEntries(TABULAR.map((a) => {
    const theirs = sklearn?.datasets[name]?.[a] ?? null;
    return [a, { aimass: aucs[a] === null ? null : round(aucs[a]!, 4), sklearn: theirs === null ? null : round(theirs, 4), gap: aucs[a] !== null && theirs !== null ? round(aucs[a]! - theirs, 4) : null }];
  }))]));
  return { sklearnVersion: sklearn?.sklearn ?? null, split: { ...SPLIT, seed: SEED }, auc: table, forecasts: await benchForecastTargets() };
}

/**
 * Forecasts against persistence: LSTM defaults learning LEVEL, DIFFERENCE or LOG_RETURN on a
 * daily series (WalMartStock, 247 closes: 47 test points) and a monthly one (SP500, 100 closes),
 * three seeds each; test RMSE, persistence RMSE and skill (1 − RMSE / persistence RMSE).
 */
async function benchForecastTargets() {
  const series = {
    WalMartStock: numericRows(fs.readFileSync(path.join(FIXTURES, 'WalMartStock.csv'), 'utf8'), ['Date']),
    SP500: numericRows(fs.readFileSync(path.join(FIXTURES, 'SP500.csv'), 'utf8'), ['Date']),
  };
  const out: Record<string, Record<string, { rmse: number; persistenceRmse: number; skill: number; mase: number }>> = {};
  for (const [name, data] of Object.entries(series)) {
    out[name] = {};
    for (const forecastTarget of ['LEVEL', 'DIFFERENCE', 'LOG_RETURN'] as const) {
      const runs: Record<string, number | null>[] = [];
      for (const seed of [1, 2, 3]) {
        const job: TrainJob = {
          runId: 'bench', task: 'TIME_SERIES_FORECAST', architecture: 'LSTM', features: [], target: { name: 'Close', type: 'NUMBER' }, rows: data.rows,
          hyperparameters: resolveHyperparameters({ architecture: Architecture.LSTM, task: ModelTask.TIME_SERIES_FORECAST }, { forecastTarget: forecastTarget as never }),
          split: { validation: 0.15, test: 0.2, strategy: 'TIME_ORDERED' }, seed, backend: null, batchMetrics: false,
        };
        runs.push((await trainInProcess(job)).metrics);
      }
      const mid = (key: string) => round(median(runs.map((m) => m[key] as number)), 4);
      out[name][forecastTarget] = { rmse: mid('rmse'), persistenceRmse: mid('persistenceRmse'), skill: mid('skill'), mase: mid('mase') };
    }
  }
  return out;
}

const START = 'mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id } }';
const RUN = 'query($id: ID!) { trainingRun(id: $id) { status error modelVersion { id } evaluation { metrics { auc } } } }';
const PREDICT = 'mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }';

/**
 * Per architecture, on GermanCredit (1,000 rows) and a 100,000-row synthetic credit set, through
 * the API of a server in a child process: training seconds (request → SUCCEEDED), test AUC,
 * single-row predict latency (median of 50 sequential calls) and one 10,000-row predict (median
 * of 3). For the trees, the same training called bare in this process (the limit: preparation
 * and the algorithm on the same rows, no child, no database, no evaluation), alternated with the
 * API run over 3 rounds: ratio = bare seconds / API seconds (goal ≥ 0.8).
 */
export async function benchAlgorithmSpeed() {
  await selectBackend(null);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-algorithms-'));
  const synthetic = syntheticBinaryCsv(100_000, 20251130);
  fs.writeFileSync(path.join(dir, 'synthetic.csv'), synthetic);
  fs.copyFileSync(path.join(FIXTURES, 'GermanCredit.csv'), path.join(dir, 'german.csv'));
  const server = await startAimass(`sqlite:${path.join(dir, 'bench.sqlite')}`, { DATASET_IMPORT_DIR: dir, MAX_PREDICT_ROWS: '10000', PREDICT_POOL_MIN_ROWS: '1000000', TRAINING_TIMEOUT_SECONDS: '3600' });
  const url = server.url;
  try {
    const sets = [
      { name: 'GermanCredit', file: 'german.csv', target: 'RESPONSE', data: numericRows(fs.readFileSync(path.join(FIXTURES, 'GermanCredit.csv'), 'utf8'), ['OBS#']) },
      { name: 'synthetic-100k', file: 'synthetic.csv', target: 'label', data: numericRows(synthetic, []) },
    ];
    const results: Record<string, Record<string, unknown>> = {};
    for (const set of sets) {
      const { createDataset } = await gql(url, 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: set.name, path: set.file } });
      const features = set.data.header.filter((name) => name !== set.target);
      const sample = set.data.rows.slice(0, 10_000).map((row) => Object.fromEntries(features.map((f) => [f, row[f]])));
      const batch = Array.from({ length: 10_000 }, (_, i) => sample[i % sample.length]);
      results[set.name] = {};
      for (const architecture of TABULAR) {
        // An SVM refuses more than its row limit (100,000 rows would take hours).
        const limit = algorithmFor(architecture).maxTrainingRows;
        if (limit !== undefined && set.data.rows.length * (1 - SPLIT.validation - SPLIT.test) > limit) continue;
        const model = `${set.name}-${architecture}`.toLowerCase();
        await gql(url, 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', { input: { name: model, task: 'BINARY_CLASSIFICATION', architecture, featureColumns: features, targetColumn: set.target } });
        await gql(url, 'mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: model });
        const apiRun = async () => {
          const started = performance.now();
          const { startTrainingRun } = await gql(url, START, { input: { modelId: model, datasetId: createDataset.id, seed: SEED } });
          for (;;) {
            const { trainingRun } = await gql(url, RUN, { id: startTrainingRun.id });
            if (trainingRun.status === 'SUCCEEDED') return { seconds: (performance.now() - started) / 1000, versionId: trainingRun.modelVersion.id as string, auc: trainingRun.evaluation.metrics.auc as number };
            if (['FAILED', 'CANCELLED'].includes(trainingRun.status)) throw new Error(`${model}: ${trainingRun.error}`);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        };
        const tree = TREES.includes(architecture);
        const api: number[] = [];
        const bare: number[] = [];
        let last = await apiRun();
        api.push(last.seconds);
        for (let round = 0; tree && round < 3; round++) {
          if (round > 0) { last = await apiRun(); api.push(last.seconds); }
          bare.push((await trainInProcess(tabularJob(architecture, set.data, set.target))).trainSeconds);
        }
        await gql(url, 'mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: PRODUCTION }) { __typename } }', { v: last.versionId });
        const single: number[] = [];
        for (let i = 0; i < 50; i++) {
          const started = performance.now();
          await gql(url, PREDICT, { input: { model, rows: [sample[i % sample.length]] } });
          single.push(performance.now() - started);
        }
        const bulk: number[] = [];
        for (let i = 0; i < 3; i++) {
          const started = performance.now();
          await gql(url, PREDICT, { input: { model, rows: batch } });
          bulk.push((performance.now() - started) / 1000);
        }
        results[set.name][architecture] = {
          trainSeconds: round(median(api), 2), testAuc: round(last.auc, 4),
          singlePredictMs: round(median(single), 1), batch10kSeconds: round(median(bulk), 3),
          ...(tree ? { bareTrainSeconds: round(median(bare), 2), bareOverApi: round(median(bare) / median(api), 2), rounds: api.map((s, i) => [round(s, 2), round(bare[i], 2)]) } : {}),
        };
        console.log(set.name, architecture, JSON.stringify(results[set.name][architecture]));
      }
    }
    return results;
  } finally {
    await server.stop();
  }
}
