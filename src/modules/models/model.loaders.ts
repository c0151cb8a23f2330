import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { Database } from '../../engines/db/database';
import { byIdLoader, groupedCountLoader, pageLoaders } from '../../engines/db/grouped-page-loader';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';

/** Per-request DataLoaders for models and model versions. */
export class ModelLoaders {
  readonly byId = byIdLoader(this.db, Model);
  readonly versionById = byIdLoader(this.db, ModelVersion);
  /** Models by name (partner scoping of operations that name a model). */
  readonly byName = new DataLoader<string, Model | null>(async (names) => {
    const rows = await this.db.manager.findBy(Model, { name: In([...names]) });
    const byName = new Map(rows.map((row) => [row.name, row]));
    return names.map((name) => byName.get(name) ?? null);
  });
  readonly versionCount = groupedCountLoader(this.db, 'model_version', 'model_id');

  constructor(private readonly db: Database, private readonly maxPageSize: number) {}

  /** Page `args` of each parent's children, newest first, for a whole list of parents in one statement. */
  readonly versions = pageLoaders(this.db, {
    entity: ModelVersion, table: 'model_version', parentColumn: 'model_id', parentProperty: 'modelId',
    orderColumn: 'version', orderProperty: 'version', direction: 'DESC',
  }, this.maxPageSize, this.versionCount);
}
