import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { Database } from '../../engines/db/database';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { Evaluation } from './evaluation.entity';

/** Per-request DataLoaders for evaluations. */
export class EvaluationLoaders {
  constructor(private readonly db: Database) {}

  readonly byId = byIdLoader(this.db, Evaluation);

  /** The TEST-split evaluation made when each version was trained. */
  readonly testByModelVersion = new DataLoader<string, Evaluation | null>(async (ids) => {
    const rows = await this.db.manager.find(Evaluation, { where: { modelVersionId: In([...ids]), split: 'TEST' } });
    const byVersion = new Map(rows.map((row) => [row.modelVersionId, row]));
    return ids.map((id) => byVersion.get(id) ?? null);
  });
}
