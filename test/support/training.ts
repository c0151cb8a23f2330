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
