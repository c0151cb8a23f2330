import DataLoader from 'dataloader';
import type { Database } from '../../db/database';
import { byIdLoader, groupedCountLoader, groupedPageLoader } from '../../db/grouped-page-loader';
import type { Page, PageArgs } from '../../db/pagination';
import { TrainingRun } from './training-run.entity';

/** Per-request DataLoaders for training runs. */
export class TrainingLoaders {
  readonly byId = byIdLoader(this.db, TrainingRun);
  readonly countByModel = groupedCountLoader(this.db, 'training_run', 'model_id');
  private readonly pages = new Map<string, DataLoader<string, Page<TrainingRun>>>();

  constructor(private readonly db: Database, private readonly maxPageSize: number) {}

  /** Page `args` of each model's runs, newest first, for a whole list of models at once. */
  byModel(args: PageArgs): DataLoader<string, Page<TrainingRun>> {
    const key = JSON.stringify([args.first, args.after]);
    let loader = this.pages.get(key);
    if (!loader) {
      loader = groupedPageLoader(this.db, {
        entity: TrainingRun, table: 'training_run', parentColumn: 'model_id', parentProperty: 'modelId',
        orderColumn: 'id', orderProperty: 'id', direction: 'DESC',
      }, args, this.maxPageSize, this.countByModel);
      this.pages.set(key, loader);
    }
    return loader;
  }
}
