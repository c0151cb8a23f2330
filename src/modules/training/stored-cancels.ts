import { In, IsNull, Not } from 'typeorm';
import type { Database } from '../../engines/db/database';
import { TrainingRun, TrainingStatus } from './training-run.entity';

/**
 * Records that a run not yet ended is to be cancelled (the first request's time is kept). False
 * when the run ended meanwhile. Stored before the cancel is answered or published, so a worker
 * that misses the message still finds it (storedCancels).
 */
export async function storeCancelRequest(db: Database, run: TrainingRun, at: Date): Promise<boolean> {
  const requestedAt = run.cancelRequestedAt ?? at;
  const stored = await db.transaction((m) => m.update(TrainingRun, { id: run.id, status: In([TrainingStatus.QUEUED, TrainingStatus.RUNNING]) }, { cancelRequestedAt: requestedAt }));
  if (stored.affected) run.cancelRequestedAt = requestedAt;
  return Boolean(stored.affected);
}

/** Of `runIds`, the runs still RUNNING whose cancel is stored (a SUCCEEDED run computing its importance is not one). */
export async function storedCancels(db: Database, runIds: readonly string[]): Promise<string[]> {
  if (runIds.length === 0) return [];
  const rows = await db.manager.find(TrainingRun, { select: { id: true }, where: { id: In([...runIds]), status: TrainingStatus.RUNNING, cancelRequestedAt: Not(IsNull()) } });
  return rows.map((row) => row.id);
}
