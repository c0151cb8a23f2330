import { randomInt } from 'node:crypto';
import type { Config } from '../../core/config';
import type { ArtifactStore } from '../../engines/db/artifact-store';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { badInput, conflict, notFound, quotaExceeded, serviceUnavailable } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { EventBus } from '../shared/topics';
import type { JobQueue } from '../../engines/jobs/job-queue';
import type { ImportanceOutcome, PendingJob, TrainingOutcome, TrainingSupervisor } from '../../engines/trainer/supervisor';
import { ImportanceStatus } from '../evaluations/importance-status';
import type { TrainJob } from '../../engines/trainer/protocol';
import type { DatasetRowReader } from '../datasets/dataset-row-reader';
import type { DatasetService } from '../datasets/dataset.service';
import type { EvaluationService } from '../evaluations/evaluation.service';
import { resolveHyperparameters } from '../models/hyperparameters';
import { saveModelArtifact } from '../../engines/db/model-artifacts';
import { ModelTask } from '../models/model-enums';
import type { ModelVersionService } from '../models/model-version.service';
import type { ModelService } from '../models/model.service';
import type { MetricStore } from './metric-store';
import { checkedFeatureSelection, checkTrainingRequest } from './training-request-check';
import { storeCancelRequest, storedCancels } from './stored-cancels';
import { signatureOf } from '../../ml/signature';
import type { Preprocessor } from '../../ml/preprocessing';
import type { StartTrainingRunInput, TrainingRunFilter } from './training-run.inputs';
import { SplitStrategy, TrainingRun, TrainingStatus, type SplitSpec } from './training-run.entity';

export interface TrainingDeps {
  db: Database;
  config: Pick<Config, 'maxPageSize' | 'training' | 'redis'>;
  /** This process's id in the cluster (recorded as the run's worker). */
  instanceId: string;
  log: Logger;
  events: EventBus;
  artifacts: ArtifactStore;
  datasets: DatasetService;
  datasetRows: DatasetRowReader;
  models: ModelService;
  modelVersions: ModelVersionService;
  evaluations: EvaluationService;
  metricStore: MetricStore;
  trainer: TrainingSupervisor;
  /** The queue runs wait in; this service consumes it once started. */
  queue: JobQueue;
}

const TERMINAL: readonly TrainingStatus[] = [TrainingStatus.SUCCEEDED, TrainingStatus.FAILED, TrainingStatus.CANCELLED, TrainingStatus.STOPPED_EARLY];

/** Where a run comes from when not a person's startTrainingRun: a sweep's trial. */
export interface RunOrigin { sweepId: string; sweepTrial: number }

/** Called in the process training a run once an epoch's points are stored and counted. */
export type EpochListener = (run: TrainingRun, epochsCompleted: number) => Promise<void>;
/** Called in the process that ended a run, once its final status is stored. */
export type FinishedListener = (run: TrainingRun) => Promise<void>;

/** True once a run can change no more. */
export const isTerminal = (status: TrainingStatus): boolean => TERMINAL.includes(status);

/** What trainingRunUpdated streams: a run's status, and for a SUCCEEDED run where its permutation importance stands. */
export interface RunUpdate { runId: string; status: TrainingStatus; importance?: ImportanceStatus }

/** The last update of a run's stream: it has ended, and its importance is no longer PENDING. */
export const isLastUpdate = (update: RunUpdate): boolean => isTerminal(update.status) && update.importance !== ImportanceStatus.PENDING;

/** Starts, runs, cancels and recovers training runs; the only writer of training tables. */
export class TrainingRunService {
  /** Backend the latest training process reported (systemInfo shows it). */
  lastBackend: string | null = null;

  constructor(private readonly deps: TrainingDeps) {}

  private readonly epochListeners: EpochListener[] = [];
  private readonly finishedListeners: FinishedListener[] = [];

  /** Later modules (sweeps) follow epochs of the runs trained here; a listener's failure is logged, never fails the run. */
  onEpoch(listener: EpochListener): void {
    this.epochListeners.push(listener);
  }

  /** Later modules follow runs that end in this process. */
  onFinished(listener: FinishedListener): void {
    this.finishedListeners.push(listener);
  }

  /** Runs to end STOPPED_EARLY rather than CANCELLED, with the reason. */
  private readonly stopEarlyReasons = new Map<string, string>();

  /**
   * Ends a run this process is training as STOPPED_EARLY, with `reason` (a sweep's stopping rule,
   * called from an epoch listener, so always where the run trains). False when it is not here.
   */
  stopEarly(runId: string, reason: string): boolean {
    if (!this.executing.has(runId)) return false;
    this.stopEarlyReasons.set(runId, reason);
    this.deps.trainer.cancel(runId);
    return true;
  }

  private get queue(): JobQueue {
    return this.deps.queue;
  }

  /**
   * Recovers runs a previous process left behind, then starts training queued runs; on an
   * API-only instance (RUN_WORKER=false) nothing: workers elsewhere train.
   */
  async startProcessing(): Promise<void> {
    if (!this.deps.config.training.runWorker) return;
    await this.recover();
    this.listenForCancels();
    this.queue.process((runId) => this.execute(runId));
  }

  private cancels: AsyncIterator<unknown> | null = null;
  private stopInterruptWatch: (() => void) | null = null;

  /**
   * Cancels asked on other instances reach the runs this one trains: at once by the bus, and
   * through the stored request when the bus says it missed messages (the module also calls
   * honourStoredCancels at each worker heartbeat, for anything else that slips through).
   */
  private listenForCancels(): void {
    const { events, instanceId, log } = this.deps;
    const iterator = events.subscribe('TRAINING_CANCEL', 'all')[Symbol.asyncIterator]();
    this.cancels = iterator;
    void (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const { runId, from } = next.value;
        if (from !== instanceId) this.cancelLocally(runId);
      }
    })().catch((error) => log.error({ err: error }, 'cancel listener stopped'));
    this.stopInterruptWatch = events.onInterrupted(() => {
      void this.honourStoredCancels().catch((error) => log.error({ err: error }, 'could not read the stored cancels after a bus interruption'));
    });
  }

  /**
   * Cancels the runs executing here whose cancel is stored in the database: a cancel is answered
   * once stored, so it must not depend on this process hearing the bus message.
   */
  async honourStoredCancels(): Promise<void> {
    if (this.executing.size === 0) return;
    for (const runId of await storedCancels(this.deps.db, [...this.executing])) {
      if (this.cancelLocally(runId)) this.deps.log.info({ runId }, 'training run cancelled from its stored request');
    }
  }

  /**
   * The one way a cancel reaches a run executing here, whoever asked: before its child starts,
   * execute() honours it; once started, its child is stopped. False when the run is not here.
   */
  private cancelLocally(runId: string): boolean {
    // Once is enough (execute() or the child's SIGTERM does the rest): the heartbeat's check finds
    // the request again until the run has ended.
    if (!this.executing.has(runId) || this.cancelling.has(runId)) return false;
    this.cancelling.add(runId);
    this.cancelRequested.add(runId);
    this.deps.trainer.cancel(runId);
    return true;
  }

  /** Runs this process is executing (claimed or training). */
  private readonly executing = new Set<string>();
  /** Of those, the ones cancelLocally has already stopped. */
  private readonly cancelling = new Set<string>();

  /**
   * For shutdown: no new run starts; running ones get TRAINING_SHUTDOWN_GRACE_SECONDS to finish;
   * those still running then are stopped and put back in the queue (QUEUED, their partial history
   * dropped), so a deploy of a new server version fails nobody's training. Buffered points are
   * written last.
   */
  async stopProcessing(): Promise<void> {
    void this.cancels?.return?.();
    this.stopInterruptWatch?.();
    const drained = this.queue.close();
    const graceMs = this.deps.config.training.shutdownGraceSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => { timer = setTimeout(() => resolve('grace over'), graceMs); });
    if ((await Promise.race([drained.then(() => 'drained' as const), graceOver])) === 'grace over') {
      this.requeueOnStop = true;
      this.deps.trainer.killAll();
      await drained;
    }
    clearTimeout(timer);
    await this.deps.metricStore.flush();
  }

  /** Set when shutdown stops the runs still training: they go back to the queue instead of failing. */
  private requeueOnStop = false;

  /** Checks the whole request, records the run as QUEUED and returns at once. */
  async start(input: StartTrainingRunInput, createdBy: string | null, origin: RunOrigin | null = null): Promise<TrainingRun> {
    const { db, models, datasets } = this.deps;
    const model = await models.byRef(input.modelId, 'input.modelId');
    if (model.archivedAt) throw badInput(`model ${JSON.stringify(model.name)} is archived`, { field: 'input.modelId' });
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
    const version = await datasets.version(dataset.id, input.datasetVersion ?? dataset.latestVersion);
    const hyperparameters = resolveHyperparameters(model, input.hyperparameters, model.hyperparameters);
    const forecast = model.task === ModelTask.TIME_SERIES_FORECAST;
    if (forecast && input.split?.strategy === SplitStrategy.RANDOM) throw badInput('forecasts need strategy TIME_ORDERED: shuffling would leak the future', { field: 'input.split.strategy' });
    const split: SplitSpec = {
      validation: input.split?.validation ?? 0.15,
      test: input.split?.test ?? 0.2,
      strategy: input.split?.strategy ?? (forecast ? SplitStrategy.TIME_ORDERED : SplitStrategy.RANDOM),
    };
    checkTrainingRequest(model, version, hyperparameters, split, this.deps.config.training);
    await this.checkQueueRoom(createdBy);

    const run = Object.assign(new TrainingRun(), {
      id: newId(TrainingRun), modelId: model.id, datasetVersionId: version.id, status: TrainingStatus.QUEUED, progress: 0, epochsCompleted: 0,
      hyperparameters, split, seed: input.seed ?? randomInt(0, 2 ** 31 - 1), priority: input.priority ?? 0, backend: null, libraryVersions: null,
      batchMetrics: input.batchMetrics ?? false, featureSelection: checkedFeatureSelection(model, input.featureSelection), attempts: 0, workerId: null, sweepId: origin?.sweepId ?? null, sweepTrial: origin?.sweepTrial ?? null,
      error: null, modelVersionId: null, createdBy, queuedAt: new Date(), startedAt: null, finishedAt: null, cancelRequestedAt: null,
    });
    await db.transaction((manager) => manager.insert(TrainingRun, run));
    try {
      await this.queue.enqueue(run.id, run.priority);
    } catch (error) {
      // No run without its job: the row goes, and the caller may simply retry.
      await db.transaction((manager) => manager.delete(TrainingRun, { id: run.id }));
      this.deps.log.error({ err: error, runId: run.id }, 'could not queue a training run');
      throw serviceUnavailable('the job queue cannot be reached (Redis is away); nothing was queued, retry shortly');
    }
    this.published(run);
    return run;
  }

  /**
   * Room in the queue, overall and for this key. A soft cap (concurrent starts can pass it by a
   * few), enough to stop one client from queueing thousands of runs in a second.
   */
  private async checkQueueRoom(createdBy: string | null): Promise<void> {
    const { db, config } = this.deps;
    const { maxQueuedRuns, maxQueuedRunsPerKey } = config.training;
    const queued = await db.manager.countBy(TrainingRun, { status: TrainingStatus.QUEUED });
    if (queued >= maxQueuedRuns) throw serviceUnavailable(`${queued} runs are waiting, the most the queue takes (MAX_QUEUED_RUNS); try again once some have run`, { queued });
    if (createdBy === null) return;
    const mine = await db.manager.countBy(TrainingRun, { status: TrainingStatus.QUEUED, createdBy });
    if (mine >= maxQueuedRunsPerKey) throw quotaExceeded(`this key has ${mine} runs waiting, the most one key may queue (MAX_QUEUED_RUNS_PER_KEY); wait for them or cancel some`, { queued: mine });
  }

  /** Runs already warned about for non-finite metric values (one log line a run). */
  private readonly nonFiniteReported = new Set<string>();

  /** Runs asked to stop while between QUEUED and a live process; execute() honours it. */
  private readonly cancelRequested = new Set<string>();

  /**
   * QUEUED: taken out of the queue, CANCELLED at once. RUNNING: the request is stored, then the
   * process training it (here or a worker) gets SIGTERM, then SIGKILL, and ends it CANCELLED.
   */
  async cancel(id: string): Promise<TrainingRun> {
    const run = await this.get(id);
    if (isTerminal(run.status)) throw conflict(`run is already ${run.status}`, { status: run.status });
    const now = new Date();
    if (run.status === TrainingStatus.QUEUED) {
      await this.queue.remove(id).catch(() => false);
      const ended = { status: TrainingStatus.CANCELLED, finishedAt: now, cancelRequestedAt: now };
      // Conditional, so a run the queue claimed a moment ago is not marked CANCELLED while it trains.
      const moved = await this.deps.db.transaction((m) => m.update(TrainingRun, { id, status: TrainingStatus.QUEUED }, ended));
      if (moved.affected) {
        Object.assign(run, ended);
        this.published(run);
        return run;
      }
    }
    // Stored before it is answered or published: the worker training the run finds it even if it
    // misses the message (Redis away for a moment), and a run claimed after this does not start.
    if (!(await storeCancelRequest(this.deps.db, run, now))) {
      const ended = await this.get(id);
      throw conflict(`run is already ${ended.status}`, { status: ended.status });
    }
    this.cancelLocally(id);
    // The worker training it may be another process.
    this.deps.events.publish('TRAINING_CANCEL', 'all', { runId: id, from: this.deps.instanceId });
    return run;
  }

  /** Runs that ended FAILED within the last `seconds` (health snapshots and the training-failed alert). */
  async failedSince(seconds: number): Promise<{ runId: string; modelId: string }[]> {
    const { db } = this.deps;
    const rows = await db.manager.createQueryBuilder(TrainingRun, 'r').select(['r.id', 'r.modelId'])
      .where('r.status = :status AND r.finished_at >= :since', { status: TrainingStatus.FAILED, since: db.sqlDate(new Date(Date.now() - seconds * 1000)) })
      .orderBy('r.finished_at', 'DESC').getMany();
    return rows.map((r) => ({ runId: r.id, modelId: r.modelId }));
  }

  /** Runs in the database by status, every status present (0 when none): the /metrics gauge. */
  async countByStatus(): Promise<Record<TrainingStatus, number>> {
    const rows: { status: string; runs: number | string }[] = await this.deps.db.manager.query('SELECT status, COUNT(*) AS runs FROM training_run GROUP BY status');
    const counts = Object.fromEntries(Object.values(TrainingStatus).map((status) => [status, 0])) as Record<TrainingStatus, number>;
    for (const row of rows) counts[row.status as TrainingStatus] = Number(row.runs);
    return counts;
  }

  /** The key that started the run which trained a version (maker-checker: it may not approve the version). */
  /** The run that produced a version (null for a version made otherwise, e.g. imported). */
  forVersion(modelVersionId: string): Promise<TrainingRun | null> {
    return this.deps.db.manager.findOneBy(TrainingRun, { modelVersionId });
  }

  async trainedBy(modelVersionId: string): Promise<string | null> {
    const run = await this.deps.db.manager.findOne(TrainingRun, { select: { id: true, createdBy: true }, where: { modelVersionId } });
    return run?.createdBy ?? null;
  }

  async get(id: string): Promise<TrainingRun> {
    const run = await this.deps.db.manager.findOneBy(TrainingRun, { id });
    if (!run) throw notFound('TrainingRun', id);
    return run;
  }

  list(filter: TrainingRunFilter | null | undefined, page: PageArgs): Promise<Page<TrainingRun>> {
    const qb = this.deps.db.manager.createQueryBuilder(TrainingRun, 'r');
    if (filter?.modelId) qb.andWhere('r.model_id = :modelId', { modelId: filter.modelId });
    if (filter?.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter?.sweepId) qb.andWhere('r.sweep_id = :sweepId', { sweepId: filter.sweepId });
    return paginate(qb, 'r', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }

  /**
   * After a restart: queued runs queue again (a job already in a shared queue is not added twice).
   * Embedded, runs whose process died with the old server FAIL; in a cluster a RUNNING run may
   * belong to a living worker, and one whose worker died comes back through its job (execute).
   */
  async recover(): Promise<void> {
    const { db, config, log } = this.deps;
    if (!config.redis) {
      const running = await db.manager.findBy(TrainingRun, { status: TrainingStatus.RUNNING });
      for (const run of running) await this.finish(run, { status: TrainingStatus.FAILED, error: 'server restarted while the run was training' });
      await this.deps.evaluations.failPendingImportance('server restarted while the permutation importance was being computed');
    }
    const queued = await db.manager.find(TrainingRun, { where: { status: TrainingStatus.QUEUED }, order: { priority: 'DESC', id: 'ASC' } });
    for (const run of queued) await this.queue.enqueue(run.id, run.priority).catch((error) => log.error({ err: error, runId: run.id }, 'could not queue a recovered run'));
  }

  /**
   * The queue's handler: one run from QUEUED to a final status ('requeue': stopped by a shutdown,
   * back to the queue). A run found RUNNING was being trained by a worker that stopped (its job
   * lock ran out and the queue delivered the job again): TRAINING_STALLED_POLICY says whether it
   * trains once more from the start or fails.
   */
  async execute(runId: string): Promise<void | 'requeue'> {
    this.executing.add(runId);
    try {
      return await this.executeClaimed(runId);
    } finally {
      this.executing.delete(runId);
      this.cancelling.delete(runId);
    }
  }

  private async executeClaimed(runId: string): Promise<void | 'requeue'> {
    const { db, datasets, datasetRows, models, trainer, metricStore, events, config, instanceId } = this.deps;
    const run = await this.get(runId);
    if (run.status === TrainingStatus.RUNNING && !(await this.takeOverStalled(run))) return;
    const startedAt = new Date();
    const claimed = await db.transaction((manager) => manager.update(TrainingRun, { id: runId, status: TrainingStatus.QUEUED }, { status: TrainingStatus.RUNNING, startedAt, workerId: instanceId, attempts: () => 'attempts + 1' }));
    if (!claimed.affected) return; // cancelled meanwhile
    Object.assign(run, { status: TrainingStatus.RUNNING, startedAt, workerId: instanceId, attempts: run.attempts + 1 });
    this.published(run);
    // Heard here before the claim, or stored by a cancel whose message this process never got.
    const cancelHeard = this.cancelRequested.delete(runId);
    if (cancelHeard || (await storedCancels(db, [runId])).length > 0) {
      await this.finish(run, { status: TrainingStatus.CANCELLED });
      return;
    }

    let outcome: TrainingOutcome;
    try {
      const model = await models.get(run.modelId);
      const version = await datasets.getVersion(run.datasetVersionId);
      const columns = [...model.featureColumns, model.targetColumn];
      const typeOf = (name: string) => version.columns.find((c) => c.name === name)!.type;
      const job: PendingJob<TrainJob> = {
        runId, task: model.task, architecture: model.architecture,
        features: model.featureColumns.map((name) => ({ name, type: typeOf(name) })),
        target: { name: model.targetColumn, type: typeOf(model.targetColumn) },
        // Read while the training child starts, and sent to it a chunk at a time as they are read.
        rows: datasetRows.columnChunks(version, columns),
        hyperparameters: run.hyperparameters,
        split: run.split, seed: run.seed, backend: config.training.backend, batchMetrics: run.batchMetrics,
        featureSelection: run.featureSelection ?? null,
      };
      outcome = await trainer.run(job, {
        onStarted: async ({ backend, libraryVersions }) => {
          if (this.cancelRequested.delete(runId)) trainer.cancel(runId);
          await db.transaction((m) => m.update(TrainingRun, { id: runId }, { backend, libraryVersions }));
          Object.assign(run, { backend, libraryVersions });
          this.lastBackend = backend;
          this.published(run);
        },
        onMetrics: async (points) => {
          // A NaN or infinite loss (a diverging run) is not a point: it cannot be stored or sent as
          // a GraphQL Float, and one such value must not sink the batch of valid points it came with.
          const finite = points.filter((p) => Number.isFinite(p.value));
          if (finite.length < points.length && !this.nonFiniteReported.has(runId)) {
            this.nonFiniteReported.add(runId);
            this.deps.log.warn({ runId, names: [...new Set(points.filter((p) => !Number.isFinite(p.value)).map((p) => p.name))] }, 'training run reported non-finite metric values; they are left out');
          }
          const stamped = finite.map((p) => ({ ...p, runId }));
          // Shared before published: a replay on another instance then finds what it did not hear.
          await metricStore.add(stamped);
          for (const point of stamped) events.publish('TRAINING_METRICS', runId, point);
        },
        onProgress: async (epochsCompleted, progress) => {
          // The epoch's points are stored before the epoch is counted: after a crash, epochsCompleted
          // never claims more than the stored history shows.
          await metricStore.flush();
          await db.transaction((m) => m.update(TrainingRun, { id: runId }, { epochsCompleted, progress }));
          Object.assign(run, { epochsCompleted, progress });
          this.published(run);
          for (const listener of this.epochListeners) await listener(run, epochsCompleted).catch((error) => this.deps.log.error({ err: error, runId }, 'an epoch listener failed'));
        },
      });
    } catch (error) {
      outcome = { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
    this.cancelRequested.delete(runId);
    this.nonFiniteReported.delete(runId);
    // Metric points that fail to write stay pending (the next flush retries); the run must still end.
    await metricStore.flush().catch((error) => this.deps.log.error({ err: error, runId }, 'could not write metric points'));
    if (outcome.kind === 'succeeded') {
      const stored = await this.succeed(run, outcome).catch((error: unknown) => new Error(`could not store the trained model: ${error instanceof Error ? error.message : error}`));
      // Awaited here, so the queue's slot is held until the child is gone (TRAINING_CONCURRENCY holds).
      if (!(stored instanceof Error)) return this.followImportance(run, stored, outcome.importance);
      outcome = { kind: 'failed', error: stored.message };
    }
    if (this.requeueOnStop && outcome.kind === 'failed') {
      await this.reset(run, 'stopped by shutdown and put back in the queue');
      return 'requeue';
    }
    const stoppedEarly = this.stopEarlyReasons.get(runId);
    this.stopEarlyReasons.delete(runId);
    if (outcome.kind === 'cancelled' && stoppedEarly) await this.finish(run, { status: TrainingStatus.STOPPED_EARLY, error: stoppedEarly });
    else if (outcome.kind === 'cancelled') await this.finish(run, { status: TrainingStatus.CANCELLED });
    else await this.finish(run, { status: TrainingStatus.FAILED, error: outcome.error });
  }

  /** Stores the model, its version and its test evaluation (importance PENDING), and ends the run SUCCEEDED; returns the evaluation's id. */
  private async succeed(run: TrainingRun, outcome: Extract<TrainingOutcome, { kind: 'succeeded' }>): Promise<string> {
    const { artifacts, modelVersions, evaluations } = this.deps;
    const artifactId = await saveModelArtifact(artifacts, outcome.artifact);
    const { artifact } = outcome;
    const model = await this.deps.models.get(run.modelId);
    const signature = signatureOf(artifact.preprocessor as Preprocessor | null, artifact.task === 'TIME_SERIES_FORECAST' ? [model.targetColumn] : []);
    const version = await modelVersions.create({ modelId: run.modelId, datasetVersionId: run.datasetVersionId, trainingRunId: run.id, artifactId, metrics: outcome.summary, signature, featureSelection: artifact.featureSelection ?? null });
    const evaluation = await evaluations.record(version.id, run.datasetVersionId, outcome.evaluation, ImportanceStatus.PENDING);
    await this.finish(run, { status: TrainingStatus.SUCCEEDED, modelVersionId: version.id, progress: 1 }, ImportanceStatus.PENDING);
    return evaluation.id;
  }

  /**
   * Stores the permutation importance the child sends after SUCCEEDED (or why it is missing) and
   * announces it on the run's stream; the run stays SUCCEEDED whatever happens here.
   */
  private async followImportance(run: TrainingRun, evaluationId: string, importance: Promise<ImportanceOutcome>): Promise<void> {
    const outcome = await importance;
    // A cancel heard meanwhile came too late (the run had its model): nothing to honour.
    this.cancelRequested.delete(run.id);
    if (outcome.kind === 'failed') this.deps.log.warn({ runId: run.id, error: outcome.error }, 'permutation importance of a succeeded run failed');
    try {
      await this.deps.evaluations.recordImportance(evaluationId, outcome);
    } catch (error) {
      // Left PENDING; an embedded server's next start marks it FAILED.
      this.deps.log.error({ err: error, runId: run.id }, 'could not store the permutation importance');
      return;
    }
    const status = outcome.kind === 'ready' ? ImportanceStatus.READY : ImportanceStatus.FAILED;
    this.announce(run, status);
  }

  /**
   * A run delivered again while RUNNING: its worker stopped. With RETRY and a first stop, it goes
   * back to QUEUED as if it had not started (true: train it now); otherwise it FAILS (false).
   */
  private async takeOverStalled(run: TrainingRun): Promise<boolean> {
    const { config, log } = this.deps;
    const retry = config.training.stalledPolicy === 'RETRY' && run.attempts < 2 && !run.cancelRequestedAt;
    log.warn({ runId: run.id, worker: run.workerId, attempts: run.attempts, retry }, 'training run delivered again: its worker stopped');
    if (retry) {
      await this.reset(run, `taken over from worker ${run.workerId}, which stopped`);
      return run.status === TrainingStatus.QUEUED;
    }
    const why = config.training.stalledPolicy === 'RETRY' ? 'stopped again on its second attempt' : 'stopped (TRAINING_STALLED_POLICY=FAIL)';
    // A cancel was answered before its worker stopped: the run ends as asked, whatever the policy.
    const end = run.cancelRequestedAt ? { status: TrainingStatus.CANCELLED } : { status: TrainingStatus.FAILED, error: `the worker training it (${run.workerId}) ${why}` };
    const ended = await this.deps.db.transaction((m) => m.update(TrainingRun, { id: run.id, status: TrainingStatus.RUNNING, workerId: run.workerId ?? undefined }, { ...end, finishedAt: new Date() }));
    if (ended.affected) Object.assign(run, await this.get(run.id));
    this.published(run);
    return false;
  }

  /** Puts a RUNNING run back to QUEUED as if it had not started: its partial history goes. */
  private async reset(run: TrainingRun, why: string): Promise<void> {
    const { db, metricStore, log } = this.deps;
    await metricStore.deleteRun(run.id);
    const reset = { status: TrainingStatus.QUEUED, progress: 0, epochsCompleted: 0, startedAt: null, backend: null, libraryVersions: null };
    const moved = await db.transaction((manager) => manager.update(TrainingRun, { id: run.id, status: TrainingStatus.RUNNING }, reset));
    if (!moved.affected) return;
    Object.assign(run, reset);
    this.published(run);
    log.info({ runId: run.id }, `training run ${why}`);
  }

  private async finish(run: TrainingRun, changes: Partial<TrainingRun>, importance?: ImportanceStatus): Promise<TrainingRun> {
    const update = { finishedAt: new Date(), ...changes };
    await this.deps.db.transaction((manager) => manager.update(TrainingRun, { id: run.id }, update));
    Object.assign(run, update);
    this.published(run, importance);
    return run;
  }

  /**
   * A run's state as its stream sends it: a SUCCEEDED run's stream goes on until the permutation
   * importance of its evaluation is known.
   */
  async streamState(id: string): Promise<RunUpdate> {
    const run = await this.get(id);
    const importance = run.status === TrainingStatus.SUCCEEDED && run.modelVersionId ? await this.deps.evaluations.importanceStatusOf(run.modelVersionId) : null;
    return { runId: run.id, status: run.status, ...(importance ? { importance } : {}) };
  }

  /** Announces a change of the run or of its evaluation's importance. */
  private announce(run: TrainingRun, importance?: ImportanceStatus): void {
    const { events } = this.deps;
    const update: RunUpdate = { runId: run.id, status: run.status, ...(importance ? { importance } : {}) };
    events.publish('TRAINING_RUN_UPDATED', run.id, update);
    events.publish('MODEL_TRAINING_RUN_UPDATED', run.modelId, update);
  }

  /** Announces a change; a run that has ended also closes its metric streams (after its last point). */
  private published(run: TrainingRun, importance?: ImportanceStatus): void {
    const { events } = this.deps;
    this.announce(run, importance);
    if (!isTerminal(run.status)) return;
    events.publish('TRAINING_METRICS', run.id, { runId: run.id, end: true });
    for (const listener of this.finishedListeners) void listener(run).catch((error) => this.deps.log.error({ err: error, runId: run.id }, 'a finished-run listener failed'));
  }
}
