import DataLoader from 'dataloader';
import type { Database } from '../../db/database';
import { byIdLoader, groupedCountLoader, groupedPageLoader } from '../../db/grouped-page-loader';
import type { Page, PageArgs } from '../../db/pagination';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';

/** Per-request DataLoaders for models and model versions. */
export class ModelLoaders {
  readonly byId = byIdLoader(this.db, Model);
  readonly versionById = byIdLoader(this.db, ModelVersion);
  readonly versionCount = groupedCountLoader(this.db, 'model_version', 'model_id');
  private readonly versionPages = new Map<string, DataLoader<string, Page<ModelVersion>>>();

  constructor(private readonly db: Database, private readonly maxPageSize: number) {}

  /** Page `args` of versions, newest first, for every model in a list: one statement for all of them. */
  versions(args: PageArgs): DataLoader<string, Page<ModelVersion>> {
    const key = JSON.stringify([args.first, args.after]);
    let loader = this.versionPages.get(key);
    if (!loader) {
      loader = groupedPageLoader(this.db, {
        entity: ModelVersion, table: 'model_version', parentColumn: 'model_id', parentProperty: 'modelId',
        orderColumn: 'version', orderProperty: 'version', direction: 'DESC',
      }, args, this.maxPageSize, this.versionCount);
      this.versionPages.set(key, loader);
    }
    return loader;
  }
}
