import { badInput } from '../../core/errors';
import { csvStream } from '../../engines/export/csv-export';
import type { HttpRoute } from '../shared/module-definition';
import { Roles } from '../shared/role';
import { decodeRows, type RawRow } from './row-chunks';

/** `?formulaEscape=false` turns the CSV-injection guard off (for tools that read the file as data only). */
export const escapesFormulas = (query: Record<string, string | undefined>) => query.formulaEscape !== 'false';

/** The path of a dataset version's CSV export, as `exportUrl` fields tell clients. */
export const datasetExportPath = (datasetId: string, version: number) => `/exports/datasets/${datasetId}/versions/${version}.csv`;

/**
 * GET /exports/datasets/:datasetId/versions/:version.csv: every row of a dataset version, as
 * stored (raw text, header first), streamed chunk by chunk from the artifact store.
 */
export const datasetExportRoute: HttpRoute = {
  path: '/exports/datasets/:datasetId/versions/:file',
  roles: Roles.READERS,
  operation: 'exportDatasetVersion',
  async handle({ params, query }, _caller, services) {
    const match = /^(\d{1,9})\.csv$/.exec(params.file);
    if (!match) throw badInput('the file is <version>.csv, e.g. 1.csv', { field: 'version' });
    const dataset = await services.datasets.byRef(params.datasetId, 'datasetId');
    const version = await services.datasets.version(dataset.id, Number(match[1]));
    const escapeFormulas = escapesFormulas(query);
    async function* rows(): AsyncIterable<RawRow> {
      for await (const chunk of services.artifacts.chunks(version.artifactId)) yield* decodeRows(chunk.data);
    }
    return {
      contentType: 'text/csv; charset=utf-8',
      filename: `${dataset.name}-v${version.version}.csv`,
      body: csvStream(version.columns.map((c) => c.name), rows(), { escapeFormulas }),
      audit: { datasetId: dataset.id, version: version.version, rows: version.rowCount, formulaEscape: escapeFormulas },
    };
  },
};
