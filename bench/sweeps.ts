import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatasetAndModel, gql, startAimass } from './lib/graphql-client';
import { round } from './lib/training-data';
import { median } from './lib/training-run';

/**
 * Sweep throughput: a GRID sweep of 16 tiny runs (100 rows, 2 epochs, 16 learning rates) with
 * parallelism 2 against the same 16 runs one after another (parallelism 1), in the same server
 * (TRAINING_CONCURRENCY=2), alternated over three rounds. Each run is a training child, so on 2
 * cores the best the parallel form can do is about 2×.
 */
export async function benchSweepThroughput(runs = Number(process.env.BENCH_SWEEP_RUNS ?? 16)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-sweeps-'));
  const server = await startAimass(`sqlite:${path.join(dir, 'bench.sqlite')}`, { TRAINING_CONCURRENCY: '2' });
  try {
    const csv = 'a,b,y\n' + Array.from({ length: 100 }, (_, i) => `${i},${(i * 7) % 13},${i % 2}`).join('\n') + '\n';
    const { datasetId, modelId } = await createDatasetAndModel(server.url, 'bench-sweeps', csv, { features: ['a', 'b'], target: 'y', hyperparameters: { epochs: 2, batchSize: 8 } });
    const learningRates = Array.from({ length: runs }, (_, i) => Number((0.001 * (i + 1)).toFixed(4)));
    const sweep = async (parallelism: number) => {
      const started = performance.now();
      const { startSweep } = await gql(server.url, 'mutation($input: StartSweepInput!) { startSweep(input: $input) { id } }', {
        input: { modelId, datasetId, method: 'GRID', maxRuns: runs, parallelism, parameters: [{ name: 'learningRate', values: learningRates }] },
      });
      for (;;) {
        const { sweep: s } = await gql(server.url, 'query($id: ID!) { sweep(id: $id) { status } }', { id: startSweep.id });
        if (s.status !== 'RUNNING') {
          if (s.status !== 'SUCCEEDED') throw new Error(`bench sweep ended ${s.status}`);
          return round((performance.now() - started) / 1000, 2);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const rounds: { sequential: number; parallel: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const sequential = await sweep(1);
      const parallel = await sweep(2);
      rounds.push({ sequential, parallel });
      console.log(JSON.stringify({ round: round + 1, sequentialSeconds: sequential, parallelSeconds: parallel }));
    }
    const seq = median(rounds.map((r) => r.sequential));
    const par = median(rounds.map((r) => r.parallel));
    return { runs, rounds, medianSeconds: { sequential: seq, parallel: par }, speedup: round(seq / par, 2), goal: 'up to about 2x on 2 cores' };
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
