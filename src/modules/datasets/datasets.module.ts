import { InitialSchema1764400000000 } from '../../../migrations/1764400000000-initial-schema';
import { datasetExportRoute } from './dataset-export.route';
import { defineModule } from '../shared/module-definition';
import { DatasetRowReader } from './dataset-row-reader';
import { Dataset } from './dataset.entity';
import { DatasetLoaders } from './dataset.loaders';
import { DatasetResolver } from './dataset.resolver';
import { DatasetService } from './dataset.service';
import { DatasetVersion } from './dataset-version.entity';
import { DatasetVersionResolver } from './dataset-version.resolver';

declare module '../shared/context' {
  interface ServiceMap {
    datasets: DatasetService;
    datasetRows: DatasetRowReader;
  }
  interface LoaderMap {
    datasets: DatasetLoaders;
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** A dataset got a new version; routed by dataset id. */
    DATASET_VERSION_CREATED: [datasetId: string, payload: { datasetVersionId: string }];
  }
}

/** Datasets from CSV, as immutable numbered versions of rows stored in the artifact store. */
export const datasetsModule = defineModule({
  name: 'datasets',
  httpRoutes: [datasetExportRoute],
  entities: [Dataset, DatasetVersion],
  // The first migration predates modules: it also creates the artifact store's and the models' tables.
  migrations: [InitialSchema1764400000000],
  artifactReferences: [{ table: 'dataset_version', column: 'artifact_id' }],
  resolvers: [DatasetResolver, DatasetVersionResolver],
  nodes: [
    { entity: Dataset, load: (loaders) => loaders.datasets.byId },
    { entity: DatasetVersion, load: (loaders) => loaders.datasets.versionById },
  ],
  topics: ['DATASET_VERSION_CREATED'],
  loaders: ({ db, maxPageSize }) => ({ datasets: new DatasetLoaders(db, maxPageSize) }),
  services: ({ db, artifacts, config, events }) => ({
    datasets: new DatasetService(db, artifacts, config, events),
    datasetRows: new DatasetRowReader(artifacts, config.maxPageSize),
  }),
});
