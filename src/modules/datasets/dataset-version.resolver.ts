import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { PageArgs } from '../../graphql/page.args';
import { Dataset } from './dataset.entity';
import { DatasetRowConnection } from './dataset-row.type';
import { DatasetVersion } from './dataset-version.entity';

@Resolver(() => DatasetVersion)
export class DatasetVersionResolver {
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
