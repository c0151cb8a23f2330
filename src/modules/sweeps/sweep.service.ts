import { randomInt } from 'node:crypto';
import type { Config } from '../../core/config';
import { badInput, conflict, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { WorkerRegistry } from '../../engines/cluster/worker-registry';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import { shouldStop } from '../../ml/early-stopping';
import { spearman } from '../../ml/rank-correlation';
import { nextTrial, type Scored, type Trial } from '../../ml/sweep-search';
import type { DatasetService } from '../datasets/dataset.service';
import type { ModelService } from '../models/model.service';
import type { EventBus } from '../shared/topics';
import { TrainingRun, TrainingStatus } from '../training/training-run.entity';
import { isTerminal, type TrainingRunService } from '../training/training-run.service';
import { epochMetrics, plannedRuns, searchSpace, stoppingRule } from './sweep-space';
import { Sweep, SweepGoal, SweepStatus, type SweepTrial } from './sweep.entity';
import type { StartSweepInput, SweepFilter } from './sweep.inputs';

export interface SweepDeps {
  db: Database;
  config: Pick<Config, 'maxPageSize' | 'training'>;
  log: Logger;
  events: EventBus;
  workers: WorkerRegistry;
  training: TrainingRunService;
  models: ModelService;
  datasets: DatasetService;
}

/** A sweep's run, with what the sweep needs of it. */
type SweepRun = Pick<TrainingRun, 'id' | 'sweepTrial' | 'status' | 'hyperparameters'>;

export const isSweepOver = (status: SweepStatus) => status !== SweepStatus.RUNNING;

/**
 * Sweeps: ordinary training runs drawn from a search space, run through the job queue. A sweep
 * advances whenever one of its runs ends, in the process that ended it: it makes the next trials
 * up to `parallelism`, records the best run, and ends when every planned run has. A trial number
 * is unique per sweep in the database, so two processes advancing one sweep never make a trial
 * twice. Early stopping runs where the run trains, after each epoch is stored.
 */
export class SweepService {
  constructor(private readonly deps: SweepDeps) {}

  private readonly finishedListeners: ((sweep: Sweep) => Promise<void>)[] = [];

  /** Later modules (retrain policies) follow sweeps that end, in the process that ended them. */
  onFinished(listener: (sweep: Sweep) => Promise<void>): void {
    this.finishedListeners.push(listener);
  }

  async start(input: StartSweepInput, createdBy: string | null): Promise<Sweep> {
    const { db, models, datasets } = this.deps;
    const model = await models.byRef(input.modelId, 'input.modelId');
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
    const version = await datasets.version(dataset.id, input.datasetVersion ?? dataset.latestVersion);
    const space = searchSpace(input);
    const planned = plannedRuns(input, space);
    const metrics = epochMetrics(model.task);
    if (!metrics.includes(input.metric)) throw badInput(`metric ${JSON.stringify(input.metric.slice(0, 80))} is not recorded per epoch for ${model.task}; one of ${metrics.join(', ')}`, { field: 'input.metric' });
    const capacity = await this.capacity();
    if (!Number.isInteger(input.parallelism) || input.parallelism < 1 || input.parallelism > capacity) {
      throw badInput(`parallelism must be 1 to ${capacity}, the runs the cluster trains at once (TRAINING_CONCURRENCY over the live workers); got ${input.parallelism}`, { field: 'input.parallelism', capacity });
    }
    const sweep = Object.assign(new Sweep(), {
      id: newId(Sweep), modelId: model.id, datasetVersionId: version.id, method: input.method, parameters: space,
      baseHyperparameters: input.hyperparameters ?? null, split: input.split ?? null, metric: input.metric, goal: input.goal, maxRuns: planned,
      parallelism: input.parallelism, priority: input.priority ?? 0, earlyStoppingRule: stoppingRule(input.earlyStopping),
      seed: input.seed ?? randomInt(0, 2 ** 31 - 1), status: SweepStatus.RUNNING, progress: 0, bestRunId: null, bestValue: null,
      error: null, createdBy, createdAt: new Date(), finishedAt: null,
    });
    await db.transaction((m) => m.insert(Sweep, sweep as never)); // JSON columns defeat TypeORM's deep-partial type
    // The first run carries every check of a training request (columns, split, hyper-parameters);
    // if it is refused, the sweep is too, and nothing stays behind.
    try {
      await this.createRun(sweep, 0, [], dataset.id, version.version);
    } catch (error) {
      await db.transaction((m) => m.delete(Sweep, { id: sweep.id }));
      throw error;
    }
    await this.advance(sweep.id);
    return this.get(sweep.id);
  }

  /** Runs the cluster trains at once: the live workers' TRAINING_CONCURRENCY, this process's when it trains. */
  private async capacity(): Promise<number> {
    const { workers, config } = this.deps;
    const live = (await workers.list().catch(() => [])).reduce((sum, w) => sum + w.capacity, 0);
    return Math.max(1, live, config.training.runWorker ? config.training.concurrency : 0);
  }

  async cancel(id: string): Promise<Sweep> {
    const sweep = await this.get(id);
    if (isSweepOver(sweep.status)) throw conflict(`sweep is already ${sweep.status}`, { status: sweep.status });
    const moved = await this.deps.db.transaction((m) => m.update(Sweep, { id, status: SweepStatus.RUNNING }, { status: SweepStatus.CANCELLED, finishedAt: new Date() }));
    if (!moved.affected) return this.get(id);
    for (const run of await this.runsOf(id)) {
      if (!isTerminal(run.status)) await this.deps.training.cancel(run.id).catch(() => undefined); // ended meanwhile
    }
    this.announce(id, SweepStatus.CANCELLED);
    return this.get(id);
  }

  async get(id: string): Promise<Sweep> {
    const sweep = await this.deps.db.manager.findOneBy(Sweep, { id });
    if (!sweep) throw notFound('Sweep', id);
    return sweep;
  }

  list(filter: (SweepFilter & { modelId?: string | null }) | null | undefined, page: PageArgs): Promise<Page<Sweep>> {
    const qb = this.deps.db.manager.createQueryBuilder(Sweep, 's');
    if (filter?.modelId) qb.andWhere('s.model_id = :modelId', { modelId: filter.modelId });
    if (filter?.status) qb.andWhere('s.status = :status', { status: filter.status });
    return paginate(qb, 's', page, { direction: 'DESC' }, this.deps.config.maxPageSize);
  }

  /** Advances one sweep at a time per sweep in this process (the database guards across processes). */
  advance(id: string): Promise<void> {
    const next = (this.advancing.get(id) ?? Promise.resolve()).then(() => this.advanceNow(id));
    const settled = next.catch((error) => this.deps.log.error({ err: error, sweepId: id }, 'could not advance a sweep'));
    this.advancing.set(id, settled);
    void settled.then(() => { if (this.advancing.get(id) === settled) this.advancing.delete(id); });
    return next;
  }

  private readonly advancing = new Map<string, Promise<void>>();

  private async advanceNow(id: string): Promise<void> {
    const sweep = await this.get(id);
    if (isSweepOver(sweep.status)) return;
    const version = await this.deps.datasets.getVersion(sweep.datasetVersionId);
    let runs = await this.runsOf(id);
    let creationError: string | null = null;
    for (;;) {
      const active = runs.filter((r) => !isTerminal(r.status)).length;
      if (active >= sweep.parallelism || runs.length >= sweep.maxRuns) break;
      try {
        await this.createRun(sweep, runs.length, runs, version.datasetId, version.version);
      } catch (error) {
        if (!isUniqueViolation(error)) {
          creationError = error instanceof Error ? error.message : String(error);
          this.deps.log.warn({ sweepId: id, error: creationError }, 'a sweep could not queue its next run; it tries again when one of its runs ends');
          break;
        }
      }
      runs = await this.runsOf(id); // made here or by another process
    }
    const values = await this.values(sweep, runs.map((r) => r.id));
    const better = (a: number, b: number) => (sweep.goal === SweepGoal.MINIMIZE ? a < b : a > b);
    let best: { runId: string; value: number } | null = null;
    for (const run of runs) {
      const value = values.get(run.id);
      if (run.status !== TrainingStatus.SUCCEEDED || value === undefined) continue;
      if (!best || better(value, best.value)) best = { runId: run.id, value };
    }
    const ended = runs.filter((r) => isTerminal(r.status)).length;
    const active = runs.length - ended;
    const done = runs.length >= sweep.maxRuns && active === 0;
    const stuck = !done && active === 0 && creationError !== null;
    const status = done ? (best ? SweepStatus.SUCCEEDED : SweepStatus.FAILED) : stuck ? SweepStatus.FAILED : SweepStatus.RUNNING;
    const changes: Partial<Sweep> = {
      progress: ended / sweep.maxRuns, bestRunId: best?.runId ?? null, bestValue: best?.value ?? null, status,
      ...(status !== SweepStatus.RUNNING ? { finishedAt: new Date() } : {}),
      ...(stuck ? { error: `could not queue its next run: ${creationError}` } : done && !best ? { error: 'no run succeeded' } : {}),
    };
    // Conditional: a sweep cancelled meanwhile stays CANCELLED.
    const moved = await this.deps.db.transaction((m) => m.update(Sweep, { id, status: SweepStatus.RUNNING }, changes as never));
    this.announce(id, moved.affected === 0 ? (await this.get(id)).status : status);
    if (moved.affected && status !== SweepStatus.RUNNING) {
      const ended = await this.get(id);
      for (const listener of this.finishedListeners) await listener(ended).catch((error) => this.deps.log.error({ err: error, sweepId: id }, 'a finished-sweep listener failed'));
    }
  }

  /** Queues trial `trial`: the searched values drawn for it over the sweep's fixed hyper-parameters. */
  private async createRun(sweep: Sweep, trial: number, runs: SweepRun[], datasetId: string, datasetVersion: number): Promise<void> {
    const history = sweep.method === 'BAYESIAN' ? await this.history(sweep, runs) : [];
    const parameters = nextTrial(sweep.method, sweep.parameters, sweep.seed, trial, history);
    await this.deps.training.start({
      modelId: sweep.modelId, datasetId, datasetVersion,
      hyperparameters: { ...(sweep.baseHyperparameters ?? {}), ...parameters } as never,
      seed: (sweep.seed + trial) % 2 ** 31, priority: sweep.priority, batchMetrics: false, split: sweep.split,
    }, sweep.createdBy, { sweepId: sweep.id, sweepTrial: trial });
  }

  /** Finished trials with a value, as the TPE sampler wants them (lower is better). */
  private async history(sweep: Sweep, runs: SweepRun[]): Promise<Scored[]> {
    const finished = runs.filter((r) => r.status === TrainingStatus.SUCCEEDED || r.status === TrainingStatus.STOPPED_EARLY);
    const values = await this.values(sweep, finished.map((r) => r.id));
    return finished.filter((r) => values.has(r.id)).map((r) => ({
      parameters: this.searched(sweep, r),
      loss: sweep.goal === SweepGoal.MINIMIZE ? values.get(r.id)! : -values.get(r.id)!,
    }));
  }

  private searched(sweep: Sweep, run: Pick<TrainingRun, 'hyperparameters'>): Trial {
    return Object.fromEntries(sweep.parameters.map((p) => [p.name, (run.hyperparameters as unknown as Record<string, unknown>)[p.name]]));
  }

  private runsOf(sweepId: string): Promise<SweepRun[]> {
    return this.deps.db.manager.find(TrainingRun, { select: { id: true, sweepTrial: true, status: true, hyperparameters: true }, where: { sweepId }, order: { sweepTrial: 'ASC' } });
  }

  /** Each run's value of the sweep's metric at its last stored epoch. */
  private async values(sweep: Sweep, runIds: string[]): Promise<Map<string, number>> {
    const values = new Map<string, number>();
    if (runIds.length === 0) return values;
    const rows: { run_id: string; value: number }[] = await this.deps.db.manager.query(
      `SELECT run_id, value FROM training_metric WHERE name = ? AND run_id IN (${runIds.map(() => '?').join(', ')}) ORDER BY step`,
      [sweep.metric, ...runIds],
    );
    for (const row of rows) values.set(row.run_id, Number(row.value)); // the last step wins
    return values;
  }

  /** Per run: trial, searched parameters, value and status, in trial order. */
  async trials(sweep: Sweep): Promise<SweepTrial[]> {
    const runs = await this.runsOf(sweep.id);
    const values = await this.values(sweep, runs.map((r) => r.id));
    return runs.map((run) => ({ trial: run.sweepTrial ?? 0, runId: run.id, parameters: this.searched(sweep, run), value: values.get(run.id) ?? null, status: run.status }));
  }

  /** Spearman's correlation of each parameter with the metric over the SUCCEEDED runs. */
  async importance(sweep: Sweep): Promise<{ name: string; correlation: number | null }[]> {
    const done = (await this.trials(sweep)).filter((t) => t.status === TrainingStatus.SUCCEEDED && t.value !== null);
    return sweep.parameters.map((p) => {
      const xs = done.map((t) => t.parameters[p.name]);
      const numeric = xs.every((x) => typeof x === 'number');
      return { name: p.name, correlation: numeric ? spearman(xs as number[], done.map((t) => t.value!)) : null };
    });
  }

  /**
   * After an epoch of a sweep's run, in the process training it: the sweep's rule against the
   * other runs' values at the same epoch (stored before the epoch is counted).
   */
  async checkEpoch(run: TrainingRun, epoch: number): Promise<void> {
    if (!run.sweepId) return;
    const sweep = await this.get(run.sweepId);
    if (!sweep.earlyStoppingRule || isSweepOver(sweep.status)) return;
    const rows: { run_id: string; value: number }[] = await this.deps.db.manager.query(
      'SELECT m.run_id, m.value FROM training_metric m JOIN training_run r ON r.id = m.run_id WHERE r.sweep_id = ? AND m.name = ? AND m.epoch = ?',
      [sweep.id, sweep.metric, epoch],
    );
    const own = rows.find((r) => r.run_id === run.id);
    if (!own) return;
    const others = rows.filter((r) => r.run_id !== run.id).map((r) => Number(r.value));
    const reason = shouldStop(sweep.earlyStoppingRule, epoch, Number(own.value), others, sweep.goal === SweepGoal.MINIMIZE, sweep.metric);
    if (reason && this.deps.training.stopEarly(run.id, reason)) this.deps.log.info({ sweepId: sweep.id, runId: run.id, reason }, 'sweep run stopped early');
  }

  /** At start: sweeps whose runs ended while no process was there to advance them go on. */
  async recover(): Promise<void> {
    const running = await this.deps.db.manager.find(Sweep, { select: { id: true }, where: { status: SweepStatus.RUNNING } });
    for (const { id } of running) await this.advance(id).catch(() => undefined);
  }

  private announce(sweepId: string, status: SweepStatus): void {
    this.deps.events.publish('SWEEP_UPDATED', sweepId, { sweepId, status });
  }
}
