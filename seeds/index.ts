import { Dataset, DatasetKind } from '../src/modules/datasets/dataset.entity';
import { Model } from '../src/modules/models/model.entity';
import { Architecture, ClassWeighting, ModelTask } from '../src/modules/models/model-enums';
import type { Services } from '../src/modules/shared/context';
import { syntheticCreditCsv } from './synthetic-credit';
import { vegaCsv } from './vega-stocks';

/**
 * Demo datasets and models, loaded into an empty database (no datasets and no models) so a new
 * user has something to query. Returns false when the database already had data.
 */
export async function seedDemoData(services: Services): Promise<boolean> {
  const { db, datasets, models, log } = services;
  if ((await db.manager.count(Dataset)) > 0 || (await db.manager.count(Model)) > 0) return false;

  await datasets.create({
    name: 'synthetic-credit-applicants',
    description: 'SYNTHETIC loan applicants generated with a fixed seed (not real people); `default` = 1 when the loan defaulted.',
    kind: DatasetKind.STATIC,
    csv: syntheticCreditCsv(),
  });
  await datasets.create({
    name: 'sp500-monthly',
    description: 'S&P 500 monthly close, 2000-2010, from the vega-datasets npm package (real prices).',
    kind: DatasetKind.STATIC,
    csv: vegaCsv('sp500.csv'),
  });
  await datasets.create({
    name: 'stock-prices-monthly',
    description: 'Monthly prices of MSFT, AMZN, IBM, GOOG and AAPL, 2000-2010, from the vega-datasets npm package (real prices).',
    kind: DatasetKind.STATIC,
    csv: vegaCsv('stocks.csv'),
  });

  const creditFeatures = ['age', 'income', 'loan_amount', 'duration_months', 'employment_years', 'housing', 'purpose', 'prior_defaults'];
  await models.create({
    name: 'credit-default-mlp',
    description: 'Probability that an applicant defaults; an MLP over the synthetic credit applicants.',
    task: ModelTask.BINARY_CLASSIFICATION,
    architecture: Architecture.MLP,
    featureColumns: creditFeatures,
    targetColumn: 'default',
    hyperparameters: { epochs: 30, hiddenUnits: [32, 16], dropout: 0.1, classWeighting: ClassWeighting.BALANCED },
  });
  await models.create({
    name: 'credit-default-logreg',
    description: 'A transparent baseline for credit-default-mlp: logistic regression on the same columns.',
    task: ModelTask.BINARY_CLASSIFICATION,
    architecture: Architecture.LOGISTIC_REGRESSION,
    featureColumns: creditFeatures,
    targetColumn: 'default',
  });
  await models.create({
    name: 'sp500-forecast-lstm',
    description: 'Next month\'s S&P 500 close from the last 12 months.',
    task: ModelTask.TIME_SERIES_FORECAST,
    architecture: Architecture.LSTM,
    featureColumns: [],
    targetColumn: 'price',
    hyperparameters: { windowSize: 12, horizon: 1, epochs: 50 },
  });
  log.info('seeded demo datasets and models (SEED_DEMO=false skips this)');
  return true;
}
