import { Listeners } from '../shared/listeners';
import type { Database } from '../../engines/db/database';
import { badInput, conflict, notFound, serviceUnavailable } from '../../core/errors';
import { checkedName } from '../../core/names';
import { newId } from '../../core/ids';
import type { EventBus } from '../shared/topics';
import type { ModelCache } from '../../engines/serving/model-cache';
import { ModelUnloadedError, type LoadedModel, type ServedPrediction } from '../../engines/serving/loaded-model';
import type { JobQueue } from '../../engines/jobs/job-queue';
import type { DatasetService } from '../datasets/dataset.service';
import type { DatasetVersion } from '../datasets/dataset-version.entity';
import type { RawRow } from '../datasets/row-chunks';
import { toTypedValue } from '../../ml/value-parsers';
import { Environment } from '../deployments/environment';
import type { LiveRoutes } from '../deployments/live-routes';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelVersionService } from '../models/model-version.service';
import { BatchPredictionJob, BatchPredictionStatus } from './batch-prediction-job.entity';
import type { StartBatchPredictionInput } from './prediction.inputs';

/** True once a job can change no more. */
export const isFinished = (status: BatchPredictionStatus): boolean => status === BatchPredictionStatus.SUCCEEDED || status === BatchPredictionStatus.FAILED;

/** Rows per forward pass: big enough to amortise the call, small enough to keep the event loop turning. */
const PASS_ROWS = 2048;

/** Scores whole dataset versions in the background and stores the result as a new dataset version. */
export class BatchPredictionService {
  constructor(private readonly deps: {
    db: Database; events: EventBus; cache: ModelCache<ModelVersion>; routes: LiveRoutes; datasets: DatasetService; modelVersions: ModelVersionService;
    /** The queue jobs wait in; this service consumes it once started. */
    queue: JobQueue;
    /** False on an API-only instance: workers elsewhere run the jobs. */
    runWorker: boolean;
    /** The queue is shared by a cluster: a RUNNING job may belong to a living worker elsewhere. */
    cluster: boolean;
  }) {}

  private get queue(): JobQueue {
    return this.deps.queue;
  }

  /** Recovers jobs a previous process left behind, then starts running queued jobs. */
  async startProcessing(): Promise<void> {
    if (!this.deps.runWorker) return;
    await this.recover();
    this.queue.process((id) => this.execute(id));
  }

  async start(input: StartBatchPredictionInput, createdBy: string | null): Promise<BatchPredictionJob> {
    const { db, datasets, modelVersions, routes } = this.deps;
    if ((input.modelVersionId == null) === (input.model == null)) throw badInput('give exactly one of modelVersionId or model (with environment)', { field: 'input.modelVersionId' });
    if (input.modelVersionId && input.environment) throw badInput('environment goes with model, not with modelVersionId', { field: 'input.environment' });
    const environment = input.model ? input.environment ?? Environment.PRODUCTION : null;
    const versionId = input.modelVersionId ?? (await routes.resolve(input.model!, environment!)).modelVersionId;
    const version = await modelVersions.get(versionId);
    if (!version.artifactId) throw badInput('this model version has no trained weights', { field: 'input.modelVersionId' });
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
    const target = await datasets.version(dataset.id, input.datasetVersion ?? dataset.latestVersion);
    const model = await this.deps.cache.load(version.id);
    if (model.historyRows !== null) throw badInput('batch prediction scores tabular models; for a forecast, call predict with the history', { field: 'input.modelVersionId' });
    const missing = model.signature.features.filter((f) => !target.columns.some((c) => c.name === f.name)).map((f) => f.name);
    if (missing.length) throw badInput(`dataset version ${target.version} lacks the model's feature(s) ${missing.map((m) => JSON.stringify(m)).join(', ')}`, { field: 'input.datasetId', missing });
    const id = newId(BatchPredictionJob);
    const outputDatasetName = input.outputDataset != null ? checkedName(input.outputDataset, 'input.outputDataset') : `${dataset.name.slice(0, 160)}-scored-${id.slice(-10).toLowerCase()}`;
    if (await datasets.exists(outputDatasetName)) throw conflict(`a dataset named ${JSON.stringify(outputDatasetName)} already exists; name another outputDataset`, { field: 'input.outputDataset' });
    const job = Object.assign(new BatchPredictionJob(), {
      id, modelId: version.modelId, modelVersionId: version.id, environment, datasetVersionId: target.id, outputDatasetName,
      status: BatchPredictionStatus.QUEUED, rowsTotal: target.rowCount, rowsDone: 0, outputDatasetVersionId: null, error: null, createdBy,
      createdAt: new Date(), startedAt: null, finishedAt: null,
    });
    await db.transaction((manager) => manager.insert(BatchPredictionJob, job));
    try {
      await this.queue.enqueue(job.id);
    } catch {
      // No job row without its queue entry: the caller may simply retry.
      await db.transaction((manager) => manager.delete(BatchPredictionJob, { id: job.id }));
      throw serviceUnavailable('the job queue cannot be reached (Redis is away); nothing was queued, retry shortly');
    }
    this.published(job);
    return job;
  }

  async get(id: string): Promise<BatchPredictionJob> {
    const job = await this.deps.db.manager.findOneBy(BatchPredictionJob, { id });
    if (!job) throw notFound('BatchPredictionJob', id);
    return job;
  }

  /**
   * Jobs cut off by a restart are FAILED (their partial output was never committed); queued ones
   * queue again. In a cluster a RUNNING job may be a living worker's: one whose worker died comes
   * back through the queue (execute).
   */
  async recover(): Promise<void> {
    const { db, cluster } = this.deps;
    if (!cluster) {
      for (const job of await db.manager.findBy(BatchPredictionJob, { status: BatchPredictionStatus.RUNNING })) {
        await this.update(job, { status: BatchPredictionStatus.FAILED, error: 'server restarted while the job ran', finishedAt: new Date() });
      }
    }
    for (const job of await db.manager.find(BatchPredictionJob, { where: { status: BatchPredictionStatus.QUEUED }, order: { id: 'ASC' } })) await this.queue.enqueue(job.id).catch(() => undefined);
  }

  /** Stops taking jobs; resolves when the running one has finished. */
  stopProcessing(): Promise<void> {
    return this.queue.close();
  }

  private async execute(id: string): Promise<void> {
    const job = await this.get(id);
    if (job.status === BatchPredictionStatus.RUNNING) {
      // Delivered again: the worker running it stopped, and its partial output was never committed.
      await this.update(job, { status: BatchPredictionStatus.FAILED, error: 'the worker running the job stopped', finishedAt: new Date() });
      return;
    }
    if (job.status !== BatchPredictionStatus.QUEUED) return;
    await this.update(job, { status: BatchPredictionStatus.RUNNING, startedAt: new Date() });
    try {
      const source = await this.deps.datasets.getVersion(job.datasetVersionId);
      // Loaded again for each chunk (a cache hit): a deploy elsewhere may evict the version mid-job.
      const model = () => this.deps.cache.load(job.modelVersionId);
      const columns = outputColumns(source, await model());
      let lastPublished = 0;
      // Its own dataset: a new latest version of the input would be read by plain `rows` and new training runs by accident.
      const output = await this.deps.datasets.deriveDataset(source, job.outputDatasetName ?? `scored-${job.id.toLowerCase()}`, columns, async (rows) => {
        let cells: RawRow[];
        try {
          cells = await scoreRows(await model(), source, rows);
        } catch (error) {
          if (!(error instanceof ModelUnloadedError)) throw error;
          cells = await scoreRows(await model(), source, rows);
        }
        job.rowsDone += rows.length;
        // Progress at most every 250 ms: a million rows must not mean a million events.
        if (Date.now() - lastPublished > 250) {
          lastPublished = Date.now();
          await this.update(job, { rowsDone: job.rowsDone });
        }
        return cells;
      });
      await this.update(job, { status: BatchPredictionStatus.SUCCEEDED, rowsDone: job.rowsDone, outputDatasetVersionId: output.id, finishedAt: new Date() });
    } catch (error) {
      await this.update(job, { status: BatchPredictionStatus.FAILED, error: error instanceof Error ? error.message : String(error), finishedAt: new Date() });
    }
  }

  /** Jobs as they finish (SUCCEEDED or FAILED), after the write committed: for notifications. */
  readonly finished = new Listeners<BatchPredictionJob>();

  private async update(job: BatchPredictionJob, changes: Partial<BatchPredictionJob>): Promise<void> {
    await this.deps.db.transaction((manager) => manager.update(BatchPredictionJob, { id: job.id }, changes));
    Object.assign(job, changes);
    this.published(job);
    if (changes.status && isFinished(changes.status)) this.finished.emit(job);
  }

  private published(job: BatchPredictionJob): void {
    this.deps.events.publish('BATCH_PREDICTION_UPDATED', job.id, { jobId: job.id, status: job.status });
  }
}

/** `prediction` (the label, or the value for regression) and, for classifiers, `prediction_score`; suffixed when the dataset already has such a column. */
function outputColumns(source: DatasetVersion, model: LoadedModel): string[] {
  const taken = new Set(source.columns.map((c) => c.name));
  const free = (name: string) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}_${n}`;
    taken.add(candidate);
    return candidate;
  };
  return model.classifier ? [free('prediction'), free('prediction_score')] : [free('prediction')];
}

/** Scores stored rows: typed like the dataset, encoded with the version's preprocessing, in passes of PASS_ROWS. */
async function scoreRows(model: LoadedModel, source: DatasetVersion, rows: RawRow[]): Promise<RawRow[]> {
  const picks = model.signature.features.map((f) => {
    const index = source.columns.findIndex((c) => c.name === f.name);
    return { name: f.name, index, type: source.columns[index].type };
  });
  const out: RawRow[] = [];
  for (let start = 0; start < rows.length; start += PASS_ROWS) {
    const slice = rows.slice(start, start + PASS_ROWS).map((raw) => Object.fromEntries(picks.map((p) => [p.name, toTypedValue(p.type, raw[p.index])])));
    const { x, units } = model.encode(slice);
    const predictions = model.decode(await model.run(x, units), units);
    for (const p of predictions) out.push(cells(p, model.classifier));
  }
  return out;
}

function cells(p: ServedPrediction, classifier: boolean): RawRow {
  return classifier ? [p.label, String(p.value)] : [String(p.value)];
}
