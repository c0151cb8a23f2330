import { Arg, Authorized, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../shared/role';
import type { Context } from '../shared/context';
import { badInput, notFound } from '../../core/errors';
import { PageArgs } from '../shared/page.args';
import { ColumnStats } from './column-stats.type';
import { DatasetConnection, DatasetVersionConnection } from './dataset.connection';
import { DatasetRowsArgs, DatasetsArgs } from './dataset.args';
import { Dataset } from './dataset.entity';
import { AppendDatasetRowsInput, CreateDatasetInput } from './dataset.inputs';
import { DatasetRowConnection } from './dataset-row.type';
import { DatasetVersion } from './dataset-version.entity';

@Resolver(() => Dataset)
export class DatasetResolver {
  @Authorized(...Roles.READERS)
  @Query(() => DatasetConnection, { description: 'Datasets, newest first unless orderBy says otherwise.' })
  async datasets(@Args() { filter, orderBy, ...page }: DatasetsArgs, @Ctx() { services }: Context) {
    return DatasetConnection.from(await services.datasets.list(filter, orderBy, page));
  }

  @Authorized(...Roles.READERS)
  @Query(() => Dataset, { nullable: true, description: 'One dataset, by id or by name (give exactly one); NOT_FOUND when there is none.' })
  dataset(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() { services }: Context,
  ) {
    if ((id == null) === (name == null)) throw badInput('give exactly one of id or name', { field: 'id' });
    return id != null ? services.datasets.byRef(id, 'id') : services.datasets.byRef(name!, 'name');
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Dataset, { description: 'Creates a dataset (version 1) from CSV: types and statistics are inferred while the rows stream in. Nothing is written when the CSV is bad.' })
  createDataset(@Arg('input') input: CreateDatasetInput, @Ctx() { services }: Context) {
    return services.datasets.create(input);
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => DatasetVersion, { description: 'Adds rows to a dataset, making version N+1 (version N stays as it was). Every value must fit its column\'s type.' })
  appendDatasetRows(@Arg('input') input: AppendDatasetRowsInput, @Ctx() { services }: Context) {
    return services.datasets.append(input);
  }

  @FieldResolver(() => Int, { description: 'Rows in the latest version.' })
  async rowCount(@Root() dataset: Dataset, @Ctx() { loaders }: Context) {
    return (await loaders.datasets.latestVersion.load(dataset.id))?.rowCount ?? 0;
  }

  @FieldResolver(() => [ColumnStats], { description: 'Columns of the latest version, with types and statistics.' })
  async columns(@Root() dataset: Dataset, @Ctx() { loaders }: Context) {
    return (await loaders.datasets.latestVersion.load(dataset.id))?.columns ?? [];
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: 'The latest version.' })
  latest(@Root() dataset: Dataset, @Ctx() { loaders }: Context) {
    return loaders.datasets.latestVersion.load(dataset.id);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: 'Version number `version`, or null when there is none.' })
  version(@Root() dataset: Dataset, @Arg('version', () => Int) version: number, @Ctx() { loaders }: Context) {
    return loaders.datasets.versionByNumber.load(`${dataset.id}:${version}`);
  }

  @FieldResolver(() => DatasetVersionConnection, { description: 'All versions, newest first.' })
  async versions(@Root() dataset: Dataset, @Args() page: PageArgs, @Ctx() { loaders }: Context) {
    return DatasetVersionConnection.from(await loaders.datasets.versions(page).load(dataset.id));
  }

  @FieldResolver(() => DatasetRowConnection, { description: 'Pages through the rows of a version (the latest by default), in file order.' })
  async rows(@Root() dataset: Dataset, @Args() { version, ...page }: DatasetRowsArgs, @Ctx() { services, loaders }: Context) {
    const found = version == null
      ? await loaders.datasets.latestVersion.load(dataset.id)
      : await loaders.datasets.versionByNumber.load(`${dataset.id}:${version}`);
    if (!found) throw notFound('DatasetVersion', `${dataset.id}@${version}`);
    return DatasetRowConnection.from(await services.datasetRows.page(found, page));
  }
}
