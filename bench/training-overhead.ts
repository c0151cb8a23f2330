import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BareSpec } from './training-bare';
import { createDatasetAndModel, startAimass, wsClient } from './lib/graphql-client';
import { syntheticBinaryCsv, syntheticFeatureNames, round, SYNTHETIC_TARGET } from './lib/training-data';
import { followApiRun, mean, median, type ApiRunTiming } from './lib/training-run';

const run = promisify(execFile);

/**
 * What a training run through the API costs over the same training in a bare script: a synthetic
 * 20-feature binary dataset (20,000 rows), MLP 64-64-1, 10 epochs, batch 256, fixed seeds.
 * API: startTrainingRun request → SUCCEEDED seen by a graphql-ws trainingRunUpdated subscriber,
 * with a trainingMetrics subscriber attached. Bare: bench/training-bare.js in its own process,
 * data preparation → end of model.fit. Each twice, alternating.
 */
export async function benchTrainingOverhead() {
  const quick = process.env.BENCH_QUICK === '1';
  const rows = quick ? 4_000 : 20_000;
  const epochs = quick ? 3 : 10;
  const settings = { rows, dataSeed: 20251129, seed: 42, epochs, batchSize: 256, hiddenUnits: [64, 64], learningRate: 0.001, split: { validation: 0.15, test: 0.2 } };
  const features = syntheticFeatureNames();
  const csv = syntheticBinaryCsv(rows, settings.dataSeed);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-training-'));
  const server = await startAimass(`sqlite:${path.join(dir, 'bench.sqlite')}`);
  const api: ApiRunTiming[] = [];
  const bare: any[] = [];
  try {
    const { datasetId, modelId, columnTypes } = await createDatasetAndModel(server.url, 'synthetic-20f', csv, {
      features, target: SYNTHETIC_TARGET,
      hyperparameters: { epochs, batchSize: settings.batchSize, hiddenUnits: settings.hiddenUnits, learningRate: settings.learningRate, patience: 0 },
    });
    const spec: BareSpec = { ...settings, columnTypes, backend: (process.env.TFJS_BACKEND as BareSpec['backend']) || null };
    for (let round = 0; round < 2; round++) {
      const client = wsClient(server.url);
      try {
        api.push(await followApiRun(server.url, client, { modelId, datasetId, seed: settings.seed, batchMetrics: false, epochs }));
      } finally {
        await client.dispose();
      }
      const { stdout } = await run(process.execPath, [path.join(__dirname, 'training-bare.js'), JSON.stringify(spec)], { maxBuffer: 16 * 2 ** 20, timeout: 30 * 60_000 });
      bare.push(JSON.parse(stdout.trim().split('\n').pop()!));
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (api.some((r) => r.backend !== bare[0].backend)) throw new Error(`backends differ: API ${api.map((r) => r.backend)} vs bare ${bare[0].backend}`);

  const apiSeconds = mean(api.map((r) => r.seconds));
  const bareSeconds = mean(bare.map((b) => b.seconds));
  const avg = (pick: (r: ApiRunTiming) => number) => round(mean(api.map(pick)));
  return {
    setup: { loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)), ...settings, features: features.length, hidden: '64-64-1', backend: bare[0].backend, trainRows: bare[0].trainRows },
    apiSeconds: api.map((r) => round(r.seconds)),
    bareSeconds: bare.map((b) => round(b.seconds)),
    ratioApiVsBare: round(apiSeconds / bareSeconds),
    goal: 'ratio <= 1.15',
    // Where the API's time goes (means of the two runs, seconds from the request).
    apiBreakdown: {
      mutation: avg((r) => r.mutationSeconds),
      toRunning: avg((r) => r.toRunningSeconds),
      toChildReady: avg((r) => r.toChildReadySeconds),
      toFirstEpochEnd: avg((r) => r.toFirstEpochSeconds),
      toFitEnd: avg((r) => r.toFitEndSeconds),
      prepareAndFit: avg((r) => r.toFitEndSeconds - r.toChildReadySeconds),
      afterFit: avg((r) => r.afterFitSeconds),
    },
    bareBreakdown: {
      moduleLoad: round(mean(bare.map((b) => b.moduleLoadSeconds))),
      backendLoad: round(mean(bare.map((b) => b.backendLoadSeconds))),
      prepare: round(mean(bare.map((b) => b.prepareSeconds))),
      fit: round(mean(bare.map((b) => b.fitSeconds))),
      toFirstEpochEnd: round(mean(bare.map((b) => b.firstEpochEndSeconds))),
      evaluateAfterFit: round(mean(bare.map((b) => b.evaluateSeconds))),
    },
    // Fit alone, like for like: the API's prepare+fit (child ready → last epoch) against the bare script's.
    ratioPrepareAndFitApiVsBare: round(mean(api.map((r) => r.toFitEndSeconds - r.toChildReadySeconds)) / bareSeconds),
    medianSamplesPerSecond: {
      api: round(median(api.flatMap((r) => r.samplesPerSecond)), 0),
      bare: round(median(bare.flatMap((b) => b.samplesPerSecond)), 0),
    },
    metricPointsReceived: api.map((r) => r.points.length),
  };
}
