import { badInput, forbidden } from '../../core/errors';
import { csvStream } from '../../engines/export/csv-export';
import { parquetStream, type ParquetColumn } from '../../engines/export/parquet-export';
import type { HttpRoute } from '../shared/module-definition';
import { Roles } from '../shared/role';
import { escapesFormulas } from '../datasets/dataset-export.route';
import { Environment } from '../deployments/environment';
import { Prediction } from './prediction.entity';

const PAGE = 1000;
const HEADER = ['id', 'created_at', 'model_version_id', 'environment', 'route', 'latency_ms', 'request_id', 'value', 'label', 'inputs', 'outputs'];
const PARQUET_COLUMNS: ParquetColumn[] = HEADER.map((name) => ({ name, type: name === 'latency_ms' || name === 'value' ? 'DOUBLE' : 'STRING' }));

const dateOf = (raw: string | undefined, name: string): Date | null => {
  if (raw === undefined) return null;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw badInput(`${name} is not a date (ISO 8601, e.g. 2026-11-30T00:00:00Z)`, { field: name });
  return date;
};

/** The path of a model's prediction-log export. */
export const predictionsExportPath = (modelId: string) => `/exports/predictions.csv?model=${encodeURIComponent(modelId)}`;

/**
 * GET /exports/predictions.csv (or .parquet)?model=…&environment=…&from=…&to=…: a model's prediction log, oldest
 * first, read a page of 1,000 at a time (keyset on the time-ordered id) as the client takes it.
 * A PARTNER key may export its own models' only.
 */
function predictionExport(format: 'csv' | 'parquet'): HttpRoute {
  return {
    path: `/exports/predictions.${format}`,
    roles: Roles.READERS_AND_PARTNERS,
    operation: 'exportPredictions',
    async handle({ query }, caller, services) {
      if (!query.model) throw badInput('name the model: ?model=<name or id>', { field: 'model' });
      const model = await services.models.byRef(query.model, 'model');
      if (caller.modelScope && !caller.modelScope.includes(model.id)) throw forbidden(`this key may not use model ${JSON.stringify(query.model)}`);
      const environment = query.environment ?? null;
      if (environment !== null && !(Object.values(Environment) as string[]).includes(environment)) throw badInput(`environment is one of ${Object.values(Environment).join(', ')}`, { field: 'environment' });
      const from = dateOf(query.from, 'from');
      const to = dateOf(query.to, 'to');
      const escapeFormulas = escapesFormulas(query);
      const db = services.db;
      async function* rows(): AsyncIterable<(string | number | null)[]> {
        let after = '';
        for (;;) {
          const qb = db.manager.createQueryBuilder(Prediction, 'p').where('p.model_id = :model', { model: model.id }).andWhere('p.id > :after', { after });
          if (environment) qb.andWhere('p.environment = :environment', { environment });
          if (from) qb.andWhere('p.created_at >= :from', { from: db.sqlDate(from) });
          if (to) qb.andWhere('p.created_at < :to', { to: db.sqlDate(to) });
          const page = await qb.orderBy('p.id', 'ASC').take(PAGE).getMany();
          for (const p of page) {
            yield [p.id, p.createdAt.toISOString(), p.modelVersionId, p.environment, p.route, p.latencyMs, p.requestId, p.outputs.value, p.outputs.label ?? null, JSON.stringify(p.inputs), JSON.stringify(p.outputs)];
          }
          if (page.length < PAGE) return;
          after = page[page.length - 1].id;
        }
      }
      const audit = { modelId: model.id, environment, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, format };
      if (format === 'parquet') return { contentType: 'application/vnd.apache.parquet', filename: `${model.name}-predictions.parquet`, body: parquetStream(PARQUET_COLUMNS, rows()), audit };
      return { contentType: 'text/csv; charset=utf-8', filename: `${model.name}-predictions.csv`, body: csvStream(HEADER, rows(), { escapeFormulas }), audit: { ...audit, formulaEscape: escapeFormulas } };
    },
  };
}

/** GET /exports/predictions.csv and .parquet (see predictionExport). */
export const predictionExportRoutes: HttpRoute[] = [predictionExport('csv'), predictionExport('parquet')];
