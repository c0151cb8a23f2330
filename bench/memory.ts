import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { BENCH_KEY } from './api-throughput';
import { gql, startAimass } from './lib/graphql-client';
import { median } from './lib/training-run';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process's resident memory in MB, from /proc. */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** RSS sampled every 250 ms for `ms`: the median, so one collection's timing does not decide it. */
async function settledRss(pid: number, ms = 4000): Promise<number> {
  const samples: number[] = [];
  for (let t = 0; t < ms; t += 250) {
    samples.push(rssMb(pid));
    await sleep(250);
  }
  return median(samples);
}

const MODELS = 4;
const SOCKETS = 1000;

/**
 * The API process's memory, as main.ts starts it with the demo data (3 fresh servers):
 * idle; per 1,000 idle graphql-ws sockets (connection_init acknowledged, no subscription); the
 * first loaded model version (which loads TensorFlow.js, on first use) and each further one (an
 * MLP 32-16 of the demo, trained for 5 epochs, deployed to TEST and asked once, so the serving
 * cache holds it). Goal: idle ≤ 150 MB.
 */
export async function benchMemory(): Promise<Record<string, unknown>> {
  const idle: number[] = [];
  const perModel: number[] = [];
  const firstModel: number[] = [];
  const perThousandSockets: number[] = [];
  for (let round = 0; round < 3; round++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-memory-'));
    const server = await startAimass(`sqlite:${path.join(dir, 'bench.sqlite')}`, { SEED_DEMO: 'true' });
    const pid = server.process.pid!;
    const sockets: Client[] = [];
    try {
      await sleep(3000);
      const beforeSockets = await settledRss(pid);
      idle.push(beforeSockets);
      await Promise.all(Array.from({ length: SOCKETS }, () => new Promise<void>((resolve, reject) => {
        const client = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${BENCH_KEY}` }, lazy: false, retryAttempts: 0,
          on: { connected: () => resolve(), error: reject } });
        sockets.push(client);
      })));
      perThousandSockets.push(((await settledRss(pid)) - beforeSockets) * (1000 / SOCKETS));
      await Promise.all(sockets.splice(0).map((client) => client.dispose()));

      const { model } = await gql(server.url, '{ model(name: "credit-default-mlp") { id featureColumns } }');
      const { dataset } = await gql(server.url, '{ dataset(name: "synthetic-credit-applicants") { id } }');
      const versions: string[] = [];
      for (let i = 0; i <= MODELS; i++) {
        const { startTrainingRun: run } = await gql(server.url, 'mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id } }',
          { input: { modelId: model.id, datasetId: dataset.id, seed: i + 1, hyperparameters: { epochs: 5 } } });
        for (;;) {
          const { trainingRun } = await gql(server.url, 'query($id: ID!) { trainingRun(id: $id) { status error modelVersion { id } } }', { id: run.id });
          if (trainingRun.status === 'SUCCEEDED') { versions.push(trainingRun.modelVersion.id); break; }
          if (['FAILED', 'CANCELLED'].includes(trainingRun.status)) throw new Error(`training ${trainingRun.status}: ${trainingRun.error}`);
          await sleep(200);
        }
      }
      const row = Object.fromEntries((model.featureColumns as string[]).map((name) => [name, null]));
      // The first version loads TensorFlow.js itself (lazily, on first use): counted apart.
      const load = async (id: string) => {
        await gql(server.url, 'mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId: id, environment: 'TEST', reason: 'memory bench' } });
        await gql(server.url, 'mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }', { input: { model: model.id, environment: 'TEST', rows: [row] } });
      };
      const beforeFirst = await settledRss(pid);
      await load(versions[0]);
      const beforeModels = await settledRss(pid);
      firstModel.push(beforeModels - beforeFirst);
      for (const id of versions.slice(1)) await load(id);
      perModel.push(((await settledRss(pid)) - beforeModels) / MODELS);
    } finally {
      await Promise.all(sockets.map((client) => client.dispose()));
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const spread = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  return {
    idleRssMb: Number(median(idle).toFixed(0)), idleSpreadMb: spread(idle), idleGoalMb: 150,
    firstLoadedModelMb: Number(median(firstModel).toFixed(1)), firstModelSpreadMb: spread(firstModel),
    perLoadedModelMb: Number(median(perModel).toFixed(1)), perModelSpreadMb: spread(perModel),
    perThousandIdleSocketsMb: Number(median(perThousandSockets).toFixed(1)), perThousandSocketsSpreadMb: spread(perThousandSockets),
  };
}
