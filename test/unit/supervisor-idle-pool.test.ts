import { expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config';
import { TrainingSupervisor } from '../../src/engines/trainer/supervisor';

/** Handles and requests keeping this process's event loop alive, by kind (counts). */
function keepingAlive(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

it('an idle pooled training child keeps nothing of this process alive: not the process, its IPC channel, nor its stderr pipe', async () => {
  // The real compiled child and the production fork options (stderr piped, IPC).
  const supervisor = new TrainingSupervisor(loadConfig({}).training);
  const before = keepingAlive();
  supervisor.startPool(1);
  try {
    expect(supervisor.warmPids).toHaveLength(1);
    const after = keepingAlive();
    for (const kind of ['ProcessWrap', 'PipeWrap']) expect(after.get(kind) ?? 0, kind).toBe(before.get(kind) ?? 0);
  } finally {
    supervisor.stopPool();
  }
});
