import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config';
import type { ArtifactStore, ArtifactWriter } from '../../engines/db/artifact-store';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { escapeLike } from '../../engines/db/like';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import { badInput, conflict, notFound } from '../../core/errors';
import { checkedName, checkedRef, quoted } from '../../core/names';
import { NamedOrderField, type NamedOrder } from '../shared/order.inputs';
import { isIdOf, newId } from '../../core/ids';
import { appendToVersion, csvRowsInSchemaOrder, deriveColumns, ingestCsv, jsonRowsInSchemaOrder, type FixedSchema, type IngestResult } from './dataset-ingest';
import { Dataset, DatasetKind } from './dataset.entity';
import type { AppendDatasetRowsInput, CreateDatasetInput, DatasetFilter } from './dataset.inputs';
import { DatasetVersion, DatasetVersionSource } from './dataset-version.entity';
import type { ColumnStats } from './column-stats.type';
import type { EventBus } from '../shared/topics';
import type { RawRow } from './row-chunks';
import type { ColumnType } from '../../ml/value-parsers';

/** The caller's column types, each column named once. */
function columnTypesOf(input: CreateDatasetInput): Map<string, ColumnType> {
  const types = new Map<string, ColumnType>();
  for (const { name, type } of input.columnTypes ?? []) {
    if (types.has(name)) throw badInput(`columnTypes names ${JSON.stringify(name)} twice`, { field: 'input.columnTypes' });
    types.set(name, type as ColumnType);
  }
  return types;
}

/** Creates datasets from CSV, appends versions, and lists them. The only writer of dataset tables. */
export class DatasetService {
  constructor(
    private readonly db: Database,
    private readonly artifacts: ArtifactStore,
    private readonly config: Pick<Config, 'maxUploadBytes' | 'datasetImportDir' | 'maxPageSize' | 'maxDatasetColumns'>,
    private readonly events?: EventBus,
  ) {}

  /** Ingests the CSV, then records the dataset and its version 1 in one short transaction. */
  async create(input: CreateDatasetInput): Promise<Dataset> {
    const name = checkedName(input.name, 'input.name');
    if ((input.csv == null) === (input.path == null)) throw badInput('give exactly one of csv or path', { field: 'input.csv' });
    if (await this.db.manager.existsBy(Dataset, { name })) throw conflict(`a dataset named ${JSON.stringify(name)} already exists`, { field: 'input.name' });
    const source = input.csv != null ? this.checkedCsvText(input.csv, 'input.csv') : this.importFile(input.path!);

    return this.withArtifact(async (writer) => {
      const result = await ingestCsv(source, writer, this.config.maxDatasetColumns, columnTypesOf(input));
      await writer.finish();
      const { dataset } = await this.insertWithFirstVersion({ name, description: input.description ?? null, kind: input.kind ?? DatasetKind.STATIC }, result, writer.id, null, DatasetVersionSource.CREATE, 'input.name');
      return dataset;
    });
  }

  /** Makes version N+1: the rows of version N plus the new ones, validated against N's column types. */
  async append(input: AppendDatasetRowsInput): Promise<DatasetVersion> {
    if ((input.csv == null) === (input.rows == null)) throw badInput('give exactly one of csv or rows', { field: 'input.csv' });
    const dataset = await this.byRef(input.datasetId, 'input.datasetId');
    const previous = await this.version(dataset.id, dataset.latestVersion);
    const schema: FixedSchema = { names: previous.columns.map((c) => c.name), types: previous.columns.map((c) => c.type) };
    const newRows = input.csv != null
      ? await csvRowsInSchemaOrder(this.checkedCsvText(input.csv, 'input.csv'), schema)
      : jsonRowsInSchemaOrder(input.rows!, schema);

    return this.withArtifact(async (writer) => {
      const result = await appendToVersion(this.artifacts, previous.artifactId, schema, newRows, writer);
      await writer.finish();
      return this.commitVersion(dataset.id, previous.version, { columns: result.columns, rowCount: previous.rowCount + result.rowCount }, writer.id, previous.id, DatasetVersionSource.APPEND);
    });
  }

  /**
   * Makes a new dataset `name` whose version 1 is `parent`'s rows plus columns computed per chunk
   * of rows (batch predictions), with `parent` as its lineage. The parent's dataset is untouched.
   */
  async deriveDataset(parent: DatasetVersion, name: string, newColumns: string[], extraCells: (rows: RawRow[]) => Promise<RawRow[]>): Promise<DatasetVersion> {
    const schema: FixedSchema = { names: parent.columns.map((c) => c.name), types: parent.columns.map((c) => c.type) };
    return this.withArtifact(async (writer) => {
      const result = await deriveColumns(this.artifacts, parent.artifactId, schema, newColumns, extraCells, writer);
      await writer.finish();
      const source = await this.get(parent.datasetId);
      const description = `Rows of ${source.name} version ${parent.version} with predictions (a batch prediction's output).`;
      const { version } = await this.insertWithFirstVersion({ name, description, kind: DatasetKind.STATIC }, result, writer.id, parent.id, DatasetVersionSource.PREDICTION, 'input.outputDataset');
      return version;
    });
  }

  /** Records a new dataset and its version 1 in one short transaction; a name taken meanwhile is a CONFLICT naming `field`. */
  private async insertWithFirstVersion(
    fields: Pick<Dataset, 'name' | 'description' | 'kind'>, result: IngestResult, artifactId: string, parentId: string | null, source: DatasetVersionSource, field: string,
  ): Promise<{ dataset: Dataset; version: DatasetVersion }> {
    const now = new Date();
    const dataset = Object.assign(new Dataset(), { id: newId(Dataset), ...fields, latestVersion: 1, createdAt: now, updatedAt: now });
    const version = this.newVersion(dataset.id, 1, result, artifactId, parentId, source, now);
    try {
      await this.db.transaction(async (manager) => {
        await manager.insert(Dataset, dataset);
        await manager.insert(DatasetVersion, version);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a dataset named ${JSON.stringify(fields.name)} already exists`, { field });
      throw error;
    }
    return { dataset, version };
  }

  /** Whether a dataset has this name. */
  exists(name: string): Promise<boolean> {
    return this.db.manager.existsBy(Dataset, { name });
  }

  /** Records version latest + 1; a concurrent writer that got there first makes this a CONFLICT (retry). */
  private async commitVersion(datasetId: string, latest: number, result: IngestResult, artifactId: string, parentId: string, source: DatasetVersionSource): Promise<DatasetVersion> {
    const now = new Date();
    const next = latest + 1;
    const version = this.newVersion(datasetId, next, result, artifactId, parentId, source, now);
    try {
      await this.db.transaction(async (manager) => {
        await manager.insert(DatasetVersion, version);
        const moved = await manager.update(Dataset, { id: datasetId, latestVersion: latest }, { latestVersion: next, updatedAt: now });
        if (!moved.affected) throw conflict('another change created this version first; retry', { datasetId });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('another change created this version first; retry', { datasetId });
      throw error;
    }
    this.events?.publish('DATASET_VERSION_CREATED', datasetId, { datasetVersionId: version.id });
    for (const listener of this.versionListeners) void listener(version).catch(() => undefined);
    return version;
  }

  private readonly versionListeners: ((version: DatasetVersion) => Promise<void>)[] = [];

  /**
   * Later modules (retrain policies) follow new versions, in the process that created them: once
   * per version across a cluster, where the bus would tell every instance. A listener logs its own failures.
   */
  onVersionCreated(listener: (version: DatasetVersion) => Promise<void>): void {
    this.versionListeners.push(listener);
  }

  async getVersion(id: string): Promise<DatasetVersion> {
    const found = await this.db.manager.findOneBy(DatasetVersion, { id });
    if (!found) throw notFound('DatasetVersion', id);
    return found;
  }

  async get(id: string): Promise<Dataset> {
    const dataset = isIdOf(id, Dataset) ? await this.db.manager.findOneBy(Dataset, { id }) : null;
    if (!dataset) throw notFound('Dataset', id);
    return dataset;
  }

  /**
   * A dataset by a reference that is either its id or its name: the one resolver of every
   * argument that names a dataset (`field` is that argument, for errors).
   */
  async byRef(ref: string, field = 'dataset'): Promise<Dataset> {
    checkedRef(ref, field);
    if (isIdOf(ref, Dataset)) return this.get(ref);
    const dataset = await this.db.manager.findOneBy(Dataset, { name: ref });
    if (!dataset) throw notFound('Dataset', ref);
    return dataset;
  }

  /** Version `version` of a dataset (its latest when omitted). */
  async version(datasetId: string, version?: number | null): Promise<DatasetVersion> {
    const found = await this.db.manager.findOneBy(DatasetVersion, version == null ? { datasetId } : { datasetId, version });
    if (!found) throw notFound('DatasetVersion', `${datasetId}@${version}`);
    return found;
  }

  list(filter: DatasetFilter | null | undefined, order: NamedOrder | null | undefined, page: PageArgs): Promise<Page<Dataset>> {
    const qb = this.db.manager.createQueryBuilder(Dataset, 'd');
    if (filter?.nameContains) qb.andWhere("LOWER(d.name) LIKE :name ESCAPE '!'", { name: `%${escapeLike(filter.nameContains.toLowerCase())}%` });
    if (filter?.kind) qb.andWhere('d.kind = :kind', { kind: filter.kind });
    if (filter?.createdAfter) qb.andWhere('d.created_at >= :after', { after: this.db.sqlDate(filter.createdAfter) });
    if (filter?.createdBefore) qb.andWhere('d.created_at < :before', { before: this.db.sqlDate(filter.createdBefore) });
    const byName = order?.field === NamedOrderField.NAME;
    return paginate(qb, 'd', page, { column: byName ? 'd.name' : undefined, property: byName ? 'name' : undefined, direction: order?.direction ?? 'DESC' }, this.config.maxPageSize);
  }

  private newVersion(datasetId: string, version: number, result: IngestResult, artifactId: string, parentId: string | null, source: DatasetVersionSource, now: Date) {
    return Object.assign(new DatasetVersion(), {
      id: newId(DatasetVersion), datasetId, version, rowCount: result.rowCount, columns: result.columns as ColumnStats[],
      artifactId, parentId, source, createdAt: now,
    });
  }

  /** Runs `work` with a fresh artifact and deletes the artifact if anything fails: a failed request writes nothing. */
  private async withArtifact<T>(work: (writer: ArtifactWriter) => Promise<T>): Promise<T> {
    const writer = await this.artifacts.create('dataset-rows');
    try {
      return await work(writer);
    } catch (error) {
      await this.artifacts.delete(writer.id);
      throw error;
    }
  }

  private checkedCsvText(csv: string, field: string): string {
    const bytes = Buffer.byteLength(csv);
    if (bytes > this.config.maxUploadBytes) {
      throw badInput(`CSV is ${formatBytes(bytes)}, over the limit of ${formatBytes(this.config.maxUploadBytes)} (MAX_UPLOAD_BYTES)`, { field, limit: this.config.maxUploadBytes });
    }
    return csv;
  }

  /**
   * A file inside DATASET_IMPORT_DIR, streamed; anything outside it is refused. Checked on the real
   * path, after links are followed: a symbolic link inside the folder must not reach /etc/passwd.
   */
  private importFile(relative: string): fs.ReadStream {
    const root = this.config.datasetImportDir;
    if (!root) throw badInput('reading server-side files is off; set DATASET_IMPORT_DIR to allow it', { field: 'input.path' });
    let file: string;
    let realRoot: string;
    try {
      realRoot = fs.realpathSync(root);
      file = fs.realpathSync(path.resolve(root, relative));
    } catch {
      throw badInput(`no file ${quoted(relative)} in DATASET_IMPORT_DIR`, { field: 'input.path' });
    }
    if (!file.startsWith(realRoot + path.sep)) throw badInput('path must stay inside DATASET_IMPORT_DIR', { field: 'input.path' });
    if (!fs.statSync(file).isFile()) throw badInput(`no file ${quoted(relative)} in DATASET_IMPORT_DIR`, { field: 'input.path' });
    return fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}
