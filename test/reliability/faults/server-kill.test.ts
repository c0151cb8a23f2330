import { afterAll, expect, it } from 'vitest';
import { adminRequest, killed, startServerProcess, type ServerProcess } from '../../support/server-process';
import { freshDatabase } from '../../support/test-database';
import { TEST_ADMIN_KEY } from '../../support/test-server';
import { until } from '../../support/until';
import { BANK_CSV, bankRows, createBankDataset, createSlowModel, deploy, deployedModel, readyz, startRun } from './fixture';
import { randomMs, runTrials, sleep, trialCount } from './trials';

/**
 * One database, one server process after another: each trial starts training, an ingest, a batch
 * job, deploys and DURABLE predicts all at once, SIGKILLs the server at a random moment, starts a
 * new one on the same database and checks what the crash left. The next trial runs on that server.
 */
const ENV = { TRAINING_WARM_CHILDREN: '0', TRAINING_CONCURRENCY: '1' };
const BIG_CSV = (() => {
  const [header, ...rows] = BANK_CSV.trim().split('\n');
  return [header, ...Array.from({ length: 8 }, () => rows).flat()].join('\n');
})();
const BIG_ROWS = BIG_CSV.split('\n').length - 1;

let server: ServerProcess | undefined;
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  if (server) await killed(server.child);
  await drop?.();
});

/** What each kind of work was doing when the kill came: its count of answered calls and whether one was in flight. */
interface InFlight { answered: number; pending: boolean; error?: string; busy?: number }

/** Runs `call` over and over until `stop`, counting answers; a call cut by the kill just ends it. */
function loop(call: () => Promise<unknown>, stop: () => boolean): InFlight & { done: Promise<void> } {
  const state: InFlight & { done: Promise<void> } = { answered: 0, pending: false, done: Promise.resolve() };
  state.done = (async () => {
    while (!stop()) {
      state.pending = true;
      try {
        await call();
        state.answered += 1;
      } catch (error) {
        // After the kill every call fails. Before it, a call may be refused with a code that says
        // the server is too busy (TIMEOUT past PREDICT_TIMEOUT_MS, SERVICE_UNAVAILABLE from a full
        // queue: a loaded machine and SQLite's one writer); anything else is a finding.
        if (stop()) return;
        if (/"code":"(TIMEOUT|SERVICE_UNAVAILABLE)"/.test(String(error))) {
          state.busy = (state.busy ?? 0) + 1;
          continue;
        }
        state.error = String(error);
        return;
      } finally {
        state.pending = false;
      }
    }
  })();
  return state;
}

async function exportedRows(url: string, datasetId: string, version: number): Promise<number> {
  const res = await fetch(new URL(`/exports/datasets/${datasetId}/versions/${version}.csv`, url), { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
  if (res.status !== 200) throw new Error(`export of ${datasetId} v${version}: HTTP ${res.status}`);
  const text = (await res.text()).trim();
  return text ? text.split('\n').length - 1 : 0;
}

it('SIGKILL of the server mid-training, mid-ingest, mid-batch-job, mid-deploy and mid-predict: nothing orphaned, half-written or lost after a restart', async () => {
  const db = await freshDatabase();
  drop = db.drop;
  server = await startServerProcess(db.config, ENV);
  const datasetId = await createBankDataset(server);
  const bigId = (await server.request('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'big', csv: BIG_CSV } })).createDataset.id;
  const slowId = await createSlowModel(server);
  const served = await deployedModel(server, datasetId, 'served', ['PRODUCTION', 'TEST']);
  // A second version of `served`, so deploys alternate between two versions.
  const second = (await server.request('mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id } }', { input: { modelId: served.modelId, datasetId } })).startTrainingRun.id;
  const v2 = await until(() => server!.request('query($id: ID!) { trainingRun(id: $id) { status modelVersion { id } } }', { id: second }).then((d) => d.trainingRun), (r) => r.status === 'SUCCEEDED');
  const versions = [served.versionId, v2.modelVersion.id];
  let answeredRows = 0;
  const hits = { training: 0, ingest: 0, batch: 0, deploy: 0, predict: 0 };

  const failures = await runTrials('SIGKILL server (training, ingest, batch job, deploy, DURABLE predict)', trialCount(3), async (trial) => {
    const live = server!;
    let stopping = false;
    const stop = () => stopping;
    const runId = await startRun(live, slowId, datasetId);
    await until(() => live.request('query($id: ID!) { trainingRun(id: $id) { status } }', { id: runId }).then((d) => d.trainingRun.status), (s) => s === 'RUNNING', 30_000);
    const request = (query: string, variables?: Record<string, unknown>) => adminRequest(live.url, query, variables);
    const batchJobs: string[] = [];
    let ingestName = `ingest-${trial}`;
    // Ingests and batch jobs start a little later (each holds SQLite's one writer for a while),
    // so the kill finds predicts and deploys answered before it as well as in flight.
    const ingestAfter = randomMs(0, 1500);
    const batchAfter = randomMs(0, 1500);
    const ingest = loop(async () => {
      if (ingestAfter) await sleep(ingestAfter);
      await request('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: ingestName, csv: BIG_CSV } });
      ingestName = `${ingestName}-again`;
    }, stop);
    const batch = loop(async () => {
      if (batchAfter) await sleep(batchAfter);
      const { startBatchPrediction } = await request('mutation($input: StartBatchPredictionInput!) { startBatchPrediction(input: $input) { id } }', { input: { datasetId: bigId, model: 'served', environment: 'PRODUCTION', outputDataset: `scored-${trial}-${Date.now()}` } });
      batchJobs.push(startBatchPrediction.id);
      await until(() => request('query($id: ID!) { batchPrediction(id: $id) { status } }', { id: startBatchPrediction.id }).then((d) => d.batchPrediction.status), (s) => s !== 'QUEUED' && s !== 'RUNNING', 60_000);
    }, stop);
    // Each deploy puts the version that is not live in TEST live.
    const deploys = loop(async () => {
      const { model } = await request('query($m: ID!) { model(id: $m) { deployments { environment modelVersion { id } } } }', { m: served.modelId });
      const live = model.deployments.find((d: any) => d.environment === 'TEST')?.modelVersion.id;
      await deploy({ request }, versions.find((v) => v !== live)!, 'TEST');
    }, stop);
    let slowest = 0;
    const rows = bankRows(50, trial * 50);
    const predicts = loop(async () => {
      const started = Date.now();
      const { predict } = await request('mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }', { input: { model: 'served', environment: 'PRODUCTION', rows } });
      answeredRows += predict.predictions.length;
      slowest = Math.max(slowest, Date.now() - started);
    }, stop);

    // At least one PRODUCTION predict answered in every trial, so the durability check always
    // has something to find (on a busy machine the first can take seconds).
    await until(async () => predicts.answered + (predicts.error ? 1 : 0) + (predicts.busy ?? 0), (n) => n > 0, 60_000);
    await sleep(randomMs(0, 3000));
    // What was under way at the kill, to report which trials hit each kind of work mid-way.
    hits.ingest += Number(ingest.pending);
    hits.batch += Number(batch.pending);
    hits.deploy += Number(deploys.pending);
    hits.predict += Number(predicts.pending);
    hits.training += 1;
    console.log(`[faults] trial ${trial + 1} answered before the kill: ingest ${ingest.answered}, batch ${batch.answered}, deploy ${deploys.answered}, predict ${predicts.answered} (slowest ${slowest} ms, ${predicts.busy ?? 0} refused as busy)`);
    const before = { ingest: ingest.error, batch: batch.error, deploys: deploys.error, predicts: predicts.error };
    await killed(live.child);
    stopping = true;
    await Promise.all([ingest.done, batch.done, deploys.done, predicts.done]);
    server = await startServerProcess(db.config, ENV);
    const next = server;
    const early = Object.entries(before).filter(([, error]) => error);
    expect(early, `calls that failed before the kill: ${JSON.stringify(early)}`).toEqual([]);
    expect(await readyz(next.url)).toBe(200);
    // No run is left RUNNING by a process that is gone.
    const { trainingRuns } = await next.request('{ trainingRuns(filter: { status: RUNNING }, first: 5) { totalCount } }');
    expect(trainingRuns.totalCount).toBe(0);
    expect((await next.request('query($id: ID!) { trainingRun(id: $id) { status error } }', { id: runId })).trainingRun).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/server restarted/) });
    // Every dataset version that exists holds all of its rows (an ingest is all or nothing).
    const { datasets } = await next.request('{ datasets(first: 40) { edges { node { id name versions(first: 5) { edges { node { version rowCount } } } } } } }');
    for (const { node } of datasets.edges) {
      for (const { node: v } of node.versions.edges) {
        expect(await exportedRows(next.url, node.id, v.version), `${node.name} v${v.version}`).toBe(v.rowCount);
        if (node.name.startsWith('ingest-')) expect(v.rowCount, node.name).toBe(BIG_ROWS);
      }
    }
    // Each batch job of the trial ends (FAILED by the restart, or run again to the end), and a
    // finished one wrote all its rows.
    for (const id of batchJobs) {
      const job = await until(() => next.request('query($id: ID!) { batchPrediction(id: $id) { status error rowsTotal outputDatasetVersion { rowCount } } }', { id }).then((d) => d.batchPrediction), (j) => j.status !== 'QUEUED' && j.status !== 'RUNNING', 60_000);
      if (job.status === 'SUCCEEDED') expect(job.outputDatasetVersion.rowCount).toBe(job.rowsTotal);
      else expect(job.error, `batch job ${job.status}`).toBeTruthy();
    }
    // The live pointer is the newest entry of the history, in each environment.
    for (const environment of ['TEST', 'PRODUCTION']) {
      const { model, deploymentHistory } = await next.request('query($m: ID!, $env: Environment!) { model(id: $m) { deployments { id environment } } deploymentHistory(modelId: $m, environment: $env, first: 1) { edges { node { id } } } }', { m: served.modelId, env: environment });
      const live = model.deployments.find((d: any) => d.environment === environment)?.id ?? null;
      expect(live, `${environment}: live pointer vs history`).toBe(deploymentHistory.edges[0]?.node.id ?? null);
    }
    // DURABLE: every answered PRODUCTION row is in the log (rows in flight at the kill may be too).
    const { predictions } = await next.request('{ predictions(filter: { model: "served", environment: PRODUCTION }) { totalCount } }');
    expect(predictions.totalCount).toBeGreaterThanOrEqual(answeredRows);
  });
  console.log(`[faults] server kills that hit work in flight: ${JSON.stringify(hits)} of ${trialCount(3)} trials; ${answeredRows} PRODUCTION rows answered`);
  expect(failures).toEqual([]);
});
