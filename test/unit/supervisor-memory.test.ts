import { fork } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { TrainingSupervisor } from '../../src/engines/trainer/supervisor';

const HOG = path.resolve(__dirname, '../fixtures/processes/memory-hog.cjs');

it.runIf(process.platform === 'linux')('stops a child whose resident memory passes TRAINING_MAX_MEMORY_MB, with a reason that says so', async () => {
  const config = { concurrency: 1, maxMemoryMb: 200, timeoutSeconds: 30, backend: null, cancelGraceMs: 100, maxQueuedRuns: 1, maxQueuedRunsPerKey: 1, shutdownGraceSeconds: 1 };
  // The heap limit alone would not stop it: the memory it takes is outside V8's heap.
  const supervisor = new TrainingSupervisor(config, undefined, (script, execArgv) => fork(script, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }), HOG);
  const outcome = await supervisor.run({ runId: 'run_hog', rows: [] } as never, { onStarted: async () => {}, onMetrics: async () => {}, onProgress: async () => {} });
  expect(outcome).toEqual({ kind: 'failed', error: 'training process used more than TRAINING_MAX_MEMORY_MB (200 MB) of memory and was stopped' });
});
