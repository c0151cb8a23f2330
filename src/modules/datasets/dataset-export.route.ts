import { badInput } from '../../core/errors';
import { csvStream } from '../../engines/export/csv-export';
import { parquetStream, type ParquetColumn } from '../../engines/export/parquet-export';
import type { HttpRoute } from '../shared/module-definition';
import { Roles } from '../shared/role';
import { decodeRows, type RawRow } from './row-chunks';

/** `?formulaEscape=false` turns the CSV-injection guard off (for tools that read the file as data only). */
export const escapesFormulas = (query: Record<string, string | undefined>) => query.formulaEscape !== 'false';

/** The path of a dataset version's CSV export, as `exportUrl` fields tell clients. */
export const datasetExportPath = (datasetId: string, version: number) => `/exports/datasets/${datasetId}/versions/${version}.csv`;

/** Parquet types of a dataset's columns: NUMBER as DOUBLE, BOOLEAN as BOOLEAN, the rest as strings as stored. */
const parquetType = (type: string): ParquetColumn['type'] => (type === 'NUMBER' ? 'DOUBLE' : type === 'BOOLEAN' ? 'BOOLEAN' : 'STRING');

/**
 * GET /exports/datasets/:datasetId/versions/:version.csv (or .parquet): every row of a dataset
 * version, streamed chunk by chunk from the artifact store. CSV holds the values as stored (raw
 * text, header first); Parquet types them by the column's type.
 */
export const datasetExportRoute: HttpRoute = {
  path: '/exports/datasets/:datasetId/versions/:file',
  roles: Roles.READERS,
  operation: 'exportDatasetVersion',
  async handle({ params, query }, _caller, services) {
    const match = /^(\d{1,9})\.(csv|parquet)$/.exec(params.file);
    if (!match) throw badInput('the file is <version>.csv or <version>.parquet, e.g. 1.csv', { field: 'version' });
    const dataset = await services.datasets.byRef(params.datasetId, 'datasetId');
    const version = await services.datasets.version(dataset.id, Number(match[1]));
    const escapeFormulas = escapesFormulas(query);
    async function* rows(): AsyncIterable<RawRow> {
      // One 2 MiB chunk at a time (not the default 4): an export holds one decoded chunk, whatever the version's size.
      for await (const chunk of services.artifacts.chunks(version.artifactId, 1)) yield* decodeRows(chunk.data);
    }
    const audit = { datasetId: dataset.id, version: version.version, rows: version.rowCount, format: match[2] };
    if (match[2] === 'parquet') {
      const columns = version.columns.map((c) => ({ name: c.name, type: parquetType(c.type) }));
      return { contentType: 'application/vnd.apache.parquet', filename: `${dataset.name}-v${version.version}.parquet`, body: parquetStream(columns, rows()), audit };
    }
    return {
      contentType: 'text/csv; charset=utf-8',
      filename: `${dataset.name}-v${version.version}.csv`,
      body: csvStream(version.columns.map((c) => c.name), rows(), { escapeFormulas }),
      audit: { ...audit, formulaEscape: escapeFormulas },
    };
  },
};
