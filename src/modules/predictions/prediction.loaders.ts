import type { Database } from '../../engines/db/database';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { BatchPredictionJob } from './batch-prediction-job.entity';
import { Prediction } from './prediction.entity';

/** Per-request DataLoaders for logged predictions and batch jobs. */
export class PredictionLoaders {
  constructor(private readonly db: Database) {}

  readonly byId = byIdLoader(this.db, Prediction);
  readonly batchById = byIdLoader(this.db, BatchPredictionJob);
}
