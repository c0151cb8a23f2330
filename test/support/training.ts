import type { TestServer } from './test-server';

/** Polls a run until `done(run)` holds, or fails after `timeoutMs`. */
export async function waitForRun(server: TestServer, runId: string, done: (run: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const started = Date.now();
  for (;;) {
    const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { id status progress epochsCompleted error backend } }', { id: runId });
    if (done(trainingRun)) return trainingRun;
    if (Date.now() - started > timeoutMs) throw new Error(`run ${runId} still ${JSON.stringify(trainingRun)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const START_RUN = `mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id status seed hyperparameters { epochs batchSize } } }`;

/** Waits until a SUCCEEDED run's permutation importance, which follows SUCCEEDED, is no longer PENDING; returns its status. */
export async function waitForImportance(server: TestServer, runId: string, timeoutMs = 60_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { evaluation { importanceStatus } } }', { id: runId });
    const status = trainingRun.evaluation?.importanceStatus;
    if (status && status !== 'PENDING') return status;
    if (Date.now() - started > timeoutMs) throw new Error(`run ${runId}: importance still ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
