import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import { Roles } from '../shared/role';
import type { Context } from '../shared/context';
import { PageArgs } from '../shared/page.args';
import { Dataset } from './dataset.entity';
import { DatasetRowConnection } from './dataset-row.type';
import { DatasetVersion } from './dataset-version.entity';
import { DatasetWarning, type ColumnStats } from './column-stats.type';
import { datasetExportPath } from './dataset-export.route';

@Resolver(() => DatasetVersion)
export class DatasetVersionResolver {
  @Authorized(...Roles.READERS)
  @Subscription(() => DatasetVersion, {
    subscribe: async ({ args, context }) => {
      const { datasets, events } = (context as Context).services;
      const dataset = await datasets.byRef(args.datasetId, 'datasetId'); // NOT_FOUND for an unknown dataset, rather than silence
      return events.subscribe('DATASET_VERSION_CREATED', dataset.id);
    },
    description: 'Each new version of a dataset (appendDatasetRows), as it is committed: for STREAMING datasets. NOT_FOUND for an unknown dataset.',
  })
  datasetVersionCreated(
    @Arg('datasetId', () => ID, { description: 'The dataset: its id or its name.' }) _datasetId: string,
    @Root() event: { datasetVersionId: string },
    @Ctx() { services }: Context,
  ) {
    // Not a DataLoader: a subscription's context lives across events, and loaders would cache.
    return services.datasets.getVersion(event.datasetVersionId);
  }

  @FieldResolver(() => [DatasetWarning], { description: 'Columns worth a look: one inferred CATEGORY or TEXT although almost every value is a number (stray values such as "n/a" decided its type). Empty when none.' })
  warnings(@Root() version: DatasetVersion): DatasetWarning[] {
    return version.columns.flatMap((column) => {
      const warning = (column as ColumnStats & { warning?: { message: string; examples: string[] } | null }).warning;
      return warning ? [Object.assign(new DatasetWarning(), { column: column.name, message: warning.message, examples: warning.examples })] : [];
    });
  }

  @FieldResolver({ description: 'Where to download this version\'s rows as CSV (GET, same Authorization header; relative to the server). Cells that a spreadsheet would run as formulas get a leading \' unless ?formulaEscape=false.' })
  exportUrl(@Root() version: DatasetVersion): string {
    return datasetExportPath(version.datasetId, version.version);
  }

  @FieldResolver(() => Dataset, { description: 'The dataset this version belongs to.' })
  dataset(@Root() version: DatasetVersion, @Ctx() { loaders }: Context) {
    return loaders.datasets.byId.load(version.datasetId);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: 'The version this one was appended to (null for version 1).' })
  parent(@Root() version: DatasetVersion, @Ctx() { loaders }: Context) {
    return version.parentId ? loaders.datasets.versionById.load(version.parentId) : null;
  }

  @FieldResolver(() => DatasetRowConnection, { description: 'Pages through this version\'s rows in file order.' })
  async rows(@Root() version: DatasetVersion, @Args() page: PageArgs, @Ctx() { services }: Context) {
    return DatasetRowConnection.from(await services.datasetRows.page(version, page));
  }
}
