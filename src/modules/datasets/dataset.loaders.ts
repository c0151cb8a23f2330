import DataLoader from 'dataloader';
import type { Database } from '../../db/database';
import { byIdLoader, groupedCountLoader, groupedPageLoader } from '../../db/grouped-page-loader';
import type { Page, PageArgs } from '../../db/pagination';
import { Dataset } from './dataset.entity';
import { DatasetVersion } from './dataset-version.entity';

/** Per-request DataLoaders for datasets and their versions; each batches a whole list into one statement. */
export class DatasetLoaders {
  readonly byId = byIdLoader(this.db, Dataset);
  readonly versionById = byIdLoader(this.db, DatasetVersion);
  readonly versionCount = groupedCountLoader(this.db, 'dataset_version', 'dataset_id');
  private readonly versionPages = new Map<string, DataLoader<string, Page<DatasetVersion>>>();

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

  /** Page `args` of versions, newest first, for every dataset in a list. */
  versions(args: PageArgs): DataLoader<string, Page<DatasetVersion>> {
    const key = JSON.stringify([args.first, args.after]);
    let loader = this.versionPages.get(key);
    if (!loader) {
      loader = groupedPageLoader(this.db, {
        entity: DatasetVersion, table: 'dataset_version', parentColumn: 'dataset_id', parentProperty: 'datasetId',
        orderColumn: 'version', orderProperty: 'version', direction: 'DESC',
      }, args, this.maxPageSize, this.versionCount);
      this.versionPages.set(key, loader);
    }
    return loader;
  }
}
