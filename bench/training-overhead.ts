import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BareSpec } from './training-bare';
import { createDatasetAndModel, startAimass, wsClient } from './lib/graphql-client';
import { syntheticBinaryCsv, syntheticFeatureNames, round, SYNTHETIC_TARGET } from './lib/training-data';
import { followApiRun, median, type ApiRunTiming } from './lib/training-run';

const run = promisify(execFile);

/**
 * What a training run through the API costs over the same training in a bare script: a synthetic
 * 20-feature binary dataset (20,000 rows), MLP 64-64-1, 10 epochs, batch 256, fixed seeds.
 * API: startTrainingRun request → SUCCEEDED seen by a graphql-ws trainingRunUpdated subscriber,
 * with a trainingMetrics subscriber attached (the permutation importance follows SUCCEEDED: timed
 * apart, from SUCCEEDED to its arrival on the same stream). Bare: bench/training-bare.js in its own process,
 * data preparation → end of model.fit. Two API servers, TRAINING_WARM_CHILDREN=0 (cold: a child
 * forked per run) and 1 (warm), and the bare script, alternating over 3 rounds.
 */
export async function benchTrainingOverhead() {
  const quick = process.env.BENCH_QUICK === '1';
  const rows = quick ? 4_000 : 20_000;
  const epochs = quick ? 3 : 10;
  const settings = { rows, dataSeed: 20251129, seed: 42, epochs, batchSize: 256, hiddenUnits: [64, 64], learningRate: 0.001, split: { validation: 0.15, test: 0.2 } };
  const features = syntheticFeatureNames();
  const csv = syntheticBinaryCsv(rows, settings.dataSeed);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-training-'));
  // Two servers on one database file would contend: each side has its own, with the same data.
  const sides = [{ name: 'cold', warm: '0' }, { name: 'warm', warm: '1' }] as const;
  const servers = await Promise.all(sides.map((side) => startAimass(`sqlite:${path.join(dir, `bench-${side.name}.sqlite`)}`, { TRAINING_WARM_CHILDREN: side.warm })));
  const api: Record<'cold' | 'warm', ApiRunTiming[]> = { cold: [], warm: [] };
  const bare: any[] = [];
  const rounds = Number(process.env.BENCH_TRAINING_ROUNDS ?? (quick ? 1 : 3));
  try {
    const made = await Promise.all(servers.map((server) => createDatasetAndModel(server.url, 'synthetic-20f', csv, {
      features, target: SYNTHETIC_TARGET,
      hyperparameters: { epochs, batchSize: settings.batchSize, hiddenUnits: settings.hiddenUnits, learningRate: settings.learningRate, patience: 0 },
    })));
    const spec: BareSpec = { ...settings, columnTypes: made[0].columnTypes, backend: (process.env.TFJS_BACKEND as BareSpec['backend']) || null };
    // Alternating: cold, warm, bare in the first round, then the order rotates.
    const steps = ['cold', 'warm', 'bare'] as const;
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < steps.length; k++) {
        const step = steps[(k + round) % steps.length];
        if (step === 'bare') {
          const { stdout } = await run(process.execPath, [path.join(__dirname, 'training-bare.js'), JSON.stringify(spec)], { maxBuffer: 16 * 2 ** 20, timeout: 30 * 60_000 });
          bare.push(JSON.parse(stdout.trim().split('\n').pop()!));
          continue;
        }
        const i = step === 'cold' ? 0 : 1;
        // The warm side's replacement child from the previous run has had time to load (as between runs in use).
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const client = wsClient(servers[i].url);
        try {
          api[step].push(await followApiRun(servers[i].url, client, { modelId: made[i].modelId, datasetId: made[i].datasetId, seed: settings.seed, batchMetrics: false, epochs }));
        } finally {
          await client.dispose();
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const all = [...api.cold, ...api.warm];
  if (all.some((r) => r.backend !== bare[0].backend)) throw new Error(`backends differ: API ${all.map((r) => r.backend)} vs bare ${bare[0].backend}`);

  const bareSeconds = median(bare.map((b) => b.seconds));
  const spread = (values: number[]) => [round(Math.min(...values)), round(Math.max(...values))];
  const side = (runs: ApiRunTiming[]) => {
    const med = (pick: (r: ApiRunTiming) => number) => round(median(runs.map(pick)));
    // Each run against the bare run of its own round.
    const ratios = runs.map((r, i) => r.seconds / bare[i].seconds);
    return {
      apiSeconds: runs.map((r) => round(r.seconds)),
      ratioApiVsBare: round(median(runs.map((r) => r.seconds)) / bareSeconds),
      ratioPerRound: { median: round(median(ratios)), spread: spread(ratios) },
      // Where the API's time goes (medians, seconds from the request).
      breakdown: {
        mutation: med((r) => r.mutationSeconds),
        toRunning: med((r) => r.toRunningSeconds),
        // Rows read and sent, and the child started (cold) or taken from the pool (warm).
        toChildReady: med((r) => r.toChildReadySeconds),
        toFirstEpochEnd: med((r) => r.toFirstEpochSeconds),
        toFitEnd: med((r) => r.toFitEndSeconds),
        prepareAndFit: med((r) => r.toFitEndSeconds - r.toChildReadySeconds),
        afterFit: med((r) => r.afterFitSeconds),
        // The permutation importance, after SUCCEEDED (the run is usable meanwhile).
        importanceAfterSucceeded: med((r) => r.importanceAfterSucceededSeconds),
      },
      importanceStatuses: runs.map((r) => r.importanceStatus),
      medianSamplesPerSecond: round(median(runs.flatMap((r) => r.samplesPerSecond)), 0),
      metricPointsReceived: runs.map((r) => r.points.length),
    };
  };
  return {
    setup: { loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)), ...settings, rounds, features: features.length, hidden: '64-64-1', backend: bare[0].backend, trainRows: bare[0].trainRows },
    goal: 'ratio <= 1.15 (stretch 1.05), warm side',
    bareSeconds: bare.map((b) => round(b.seconds)),
    // TRAINING_WARM_CHILDREN=0: a child forked per run; =1 (the default): the run starts in a waiting child.
    cold: side(api.cold),
    warm: side(api.warm),
    warmVsCold: round(median(api.warm.map((r) => r.seconds)) / median(api.cold.map((r) => r.seconds))),
    bareBreakdown: {
      moduleLoad: round(median(bare.map((b) => b.moduleLoadSeconds))),
      backendLoad: round(median(bare.map((b) => b.backendLoadSeconds))),
      prepare: round(median(bare.map((b) => b.prepareSeconds))),
      fit: round(median(bare.map((b) => b.fitSeconds))),
      toFirstEpochEnd: round(median(bare.map((b) => b.firstEpochEndSeconds))),
      evaluateAfterFit: round(median(bare.map((b) => b.evaluateSeconds))),
      // Of which the test metrics (what the API waits for before SUCCEEDED) and the permutation importance.
      testMetrics: round(median(bare.map((b) => b.measureSeconds))),
      importance: round(median(bare.map((b) => b.importanceSeconds))),
      samplesPerSecond: round(median(bare.flatMap((b) => b.samplesPerSecond)), 0),
    },
  };
}
