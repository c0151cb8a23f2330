import type { Database } from '../../engines/db/database';
import { byIdLoader, groupedCountLoader, pageLoaders } from '../../engines/db/grouped-page-loader';
import { TrainingRun } from './training-run.entity';

/** Per-request DataLoaders for training runs. */
export class TrainingLoaders {
  readonly byId = byIdLoader(this.db, TrainingRun);
  readonly countByModel = groupedCountLoader(this.db, 'training_run', 'model_id');

  constructor(private readonly db: Database, private readonly maxPageSize: number) {}

  /** Page `args` of each parent's children, newest first, for a whole list of parents in one statement. */
  readonly byModel = pageLoaders(this.db, {
    entity: TrainingRun, table: 'training_run', parentColumn: 'model_id', parentProperty: 'modelId',
    orderColumn: 'id', orderProperty: 'id', direction: 'DESC',
  }, this.maxPageSize, this.countByModel);
}
