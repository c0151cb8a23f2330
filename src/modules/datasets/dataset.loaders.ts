import DataLoader from 'dataloader';
import type { Database } from '../../engines/db/database';
import { byIdLoader, groupedCountLoader, pageLoaders } from '../../engines/db/grouped-page-loader';
import { Dataset } from './dataset.entity';
import { DatasetVersion } from './dataset-version.entity';

/** Per-request DataLoaders for datasets and their versions; each batches a whole list into one statement. */
export class DatasetLoaders {
  readonly byId = byIdLoader(this.db, Dataset);
  readonly versionById = byIdLoader(this.db, DatasetVersion);
  readonly versionCount = groupedCountLoader(this.db, 'dataset_version', 'dataset_id');

  constructor(private readonly db: Database, private readonly maxPageSize: number) {}

  /** Each dataset's newest version, for rowCount and columns on a list of datasets. */
  readonly latestVersion = new DataLoader<string, DatasetVersion | null>(async (datasetIds) => {
    const rows = await this.db.manager
      .createQueryBuilder(DatasetVersion, 'v')
      .innerJoin(Dataset, 'd', 'd.id = v.dataset_id AND d.latest_version = v.version')
      .where('d.id IN (:...ids)', { ids: [...datasetIds] })
      .getMany();
    const byDataset = new Map(rows.map((row) => [row.datasetId, row]));
    return datasetIds.map((id) => byDataset.get(id) ?? null);
  });

  /** Version number N of each dataset, keyed `datasetId:N`. */
  readonly versionByNumber = new DataLoader<string, DatasetVersion | null>(async (keys) => {
    const pairs = keys.map((key) => { const cut = key.lastIndexOf(':'); return { datasetId: key.slice(0, cut), version: Number(key.slice(cut + 1)) }; });
    const rows = await this.db.manager.find(DatasetVersion, { where: pairs });
    const byKey = new Map(rows.map((row) => [`${row.datasetId}:${row.version}`, row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });

  /** Page `args` of each parent's children, newest first, for a whole list of parents in one statement. */
  readonly versions = pageLoaders(this.db, {
    entity: DatasetVersion, table: 'dataset_version', parentColumn: 'dataset_id', parentProperty: 'datasetId',
    orderColumn: 'version', orderProperty: 'version', direction: 'DESC',
  }, this.maxPageSize, this.versionCount);
}
