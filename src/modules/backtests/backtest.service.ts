import { Listeners } from '../shared/listeners';
import { In } from 'typeorm';
import { badInput, notFound, serviceUnavailable } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import type { JobQueue } from '../../engines/jobs/job-queue';
import type { ModelCache } from '../../engines/serving/model-cache';
import { creditCurve, performance, periodsPerYearOf, tradingBacktest } from '../../ml/backtest';
import type { DatasetRowReader } from '../datasets/dataset-row-reader';
import type { DatasetVersion } from '../datasets/dataset-version.entity';
import type { DatasetService } from '../datasets/dataset.service';
import { ModelTask } from '../models/model-enums';
import type { Model } from '../models/model.entity';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelVersionService } from '../models/model-version.service';
import type { ModelService } from '../models/model.service';
import type { EventBus } from '../shared/topics';
import { Backtest, BacktestStatus, BacktestStrategy } from './backtest.entity';
import type { RunBacktestInput } from './backtest.inputs';

export const isBacktestOver = (status: BacktestStatus) => status === BacktestStatus.SUCCEEDED || status === BacktestStatus.FAILED;

/** Rows scored per forward pass. */
const CHUNK = 2048;

/**
 * Back-tests, run as jobs through the queue (on any worker of a cluster). Everything that can be
 * checked is checked before queueing: the strategy fits the model's task, the columns exist, the
 * range holds more periods than the model's input window.
 */
export class BacktestService {
  constructor(private readonly deps: {
    db: Database; log: Logger; events: EventBus; cache: ModelCache<ModelVersion>; models: ModelService; modelVersions: ModelVersionService;
    datasets: DatasetService; datasetRows: DatasetRowReader; queue: JobQueue; runWorker: boolean; maxPageSize: number;
  }) {}

  async start(input: RunBacktestInput, createdBy: string | null): Promise<Backtest> {
    const { db, models, modelVersions, datasets, queue } = this.deps;
    const version = await modelVersions.get(input.modelVersionId);
    if (!version.artifactId) throw badInput('this model version has no trained weights', { field: 'input.modelVersionId' });
    const model = await models.get(version.modelId);
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
    const datasetVersion = await datasets.version(dataset.id, input.datasetVersion ?? dataset.latestVersion);
    if (input.from && input.to && input.from.getTime() >= input.to.getTime()) throw badInput('from must be before to', { field: 'input.from' });
    const parameters = await this.check(input, model, datasetVersion);
    const backtest = Object.assign(new Backtest(), {
      id: newId(Backtest), modelId: model.id, modelVersionId: version.id, datasetVersionId: datasetVersion.id, strategy: input.strategy, parameters,
      from: input.from ?? null, to: input.to ?? null, status: BacktestStatus.QUEUED, progress: 0, error: null, rowCount: null,
      metrics: null, benchmark: null, equity: null, tradeList: null, curve: null, createdBy, createdAt: new Date(), finishedAt: null,
    });
    await db.transaction((m) => m.insert(Backtest, backtest as never));
    try {
      await queue.enqueue(backtest.id);
    } catch {
      await db.transaction((m) => m.delete(Backtest, { id: backtest.id }));
      throw serviceUnavailable('the job queue cannot be reached (Redis is away); nothing was queued, retry shortly');
    }
    this.announce(backtest);
    return backtest;
  }

  /** The strategy against the model and the data; returns the settings the job will use. */
  private async check(input: RunBacktestInput, model: Model, version: DatasetVersion): Promise<Record<string, unknown>> {
    const has = (name: string) => version.columns.some((c) => c.name === name);
    if (input.strategy === BacktestStrategy.CREDIT_APPROVAL) {
      if (model.task !== ModelTask.BINARY_CLASSIFICATION) throw badInput(`CREDIT_APPROVAL needs a binary classifier; ${model.name} is ${model.task}`, { field: 'input.strategy' });
      if (input.profitPerGood == null || input.lossPerBad == null) throw badInput('CREDIT_APPROVAL needs profitPerGood and lossPerBad', { field: 'input.profitPerGood' });
      for (const name of [...model.featureColumns, model.targetColumn]) if (!has(name)) throw badInput(`column ${JSON.stringify(name)} is not in the dataset version`, { field: 'input.datasetId', column: name });
      const timeColumn = input.timeColumn ?? null;
      if ((input.from || input.to || timeColumn) && !this.timeColumnOf(version, timeColumn)) throw badInput('from, to and timeColumn need a DATE column', { field: 'input.timeColumn' });
      return { profitPerGood: input.profitPerGood, lossPerBad: input.lossPerBad, goodLabel: input.goodLabel ?? null, timeColumn: (input.from || input.to) ? this.timeColumnOf(version, timeColumn) : null };
    }
    if (model.task !== ModelTask.TIME_SERIES_FORECAST) throw badInput(`${input.strategy} trades a forecast model's price; ${model.name} is ${model.task} (use CREDIT_APPROVAL for a classifier)`, { field: 'input.strategy' });
    if (!has(model.targetColumn)) throw badInput(`the price column ${JSON.stringify(model.targetColumn)} (the model's target) is not in the dataset version`, { field: 'input.datasetId', column: model.targetColumn });
    for (const name of model.featureColumns) if (!has(name)) throw badInput(`column ${JSON.stringify(name)} is not in the dataset version`, { field: 'input.datasetId', column: name });
    const timeColumn = this.timeColumnOf(version, input.timeColumn ?? null);
    if (!timeColumn) throw badInput(input.timeColumn ? `${JSON.stringify(input.timeColumn)} is not a DATE column of the dataset version` : 'the dataset version has no DATE column to order the periods by; name one with timeColumn', { field: 'input.timeColumn' });
    const window = model.hyperparameters.windowSize;
    const tradable = await this.tradablePeriods(version, timeColumn, window, input.from ?? null, input.to ?? null);
    if (tradable < 2) {
      throw badInput(`the range leaves ${tradable} periods to trade: each needs the ${window} rows before it as the model's input window; widen the range or start it later`, { field: 'input.from', windowSize: window });
    }
    return {
      timeColumn, entryThreshold: input.entryThreshold, positionSize: input.positionSize, costBps: input.costBps, slippageBps: input.slippageBps, initialCapital: input.initialCapital,
    };
  }

  private timeColumnOf(version: DatasetVersion, named: string | null): string | null {
    const column = named ? version.columns.find((c) => c.name === named) : version.columns.find((c) => c.type === 'DATE');
    return column && column.type === 'DATE' ? column.name : null;
  }

  /** Periods in range with a full input window of earlier rows before them. */
  private async tradablePeriods(version: DatasetVersion, timeColumn: string, window: number, from: Date | null, to: Date | null): Promise<number> {
    const rows = await this.deps.datasetRows.allRows(version, [timeColumn]);
    const times = rows.map((row) => Date.parse(String(row[timeColumn]))).filter(Number.isFinite).sort((a, b) => a - b);
    return times.filter((t, i) => i >= window && (!from || t >= from.getTime()) && (!to || t <= to.getTime())).length;
  }

  /** The figures of a version's latest SUCCEEDED trading back-test, for promotion gates (empty without one). */
  async latestFigures(modelVersionId: string): Promise<Record<string, number | null>> {
    const latest = await this.deps.db.manager.findOne(Backtest, { where: { modelVersionId, status: BacktestStatus.SUCCEEDED, strategy: In([BacktestStrategy.LONG_ONLY, BacktestStrategy.LONG_SHORT]) }, order: { createdAt: 'DESC', id: 'DESC' } });
    const m = latest?.metrics;
    return m ? { sharpe: m.sharpe, sortino: m.sortino, calmar: m.calmar, totalReturn: m.totalReturn, cagr: m.cagr, hitRate: m.hitRate, maxDrawdown: m.maxDrawdown } : {};
  }

  async get(id: string): Promise<Backtest> {
    const found = await this.deps.db.manager.findOneBy(Backtest, { id });
    if (!found) throw notFound('Backtest', id);
    return found;
  }

  /** Back-tests, newest first; one model's when modelId is given. */
  list(modelId: string | null, page: PageArgs): Promise<Page<Backtest>> {
    const qb = this.deps.db.manager.createQueryBuilder(Backtest, 'b');
    if (modelId) qb.andWhere('b.model_id = :modelId', { modelId });
    return paginate(qb, 'b', page, { direction: 'DESC' }, this.deps.maxPageSize);
  }

  async startProcessing(): Promise<void> {
    if (!this.deps.runWorker) return;
    for (const queued of await this.deps.db.manager.find(Backtest, { where: { status: BacktestStatus.QUEUED }, order: { id: 'ASC' } })) await this.deps.queue.enqueue(queued.id).catch(() => undefined);
    this.deps.queue.process((id) => this.execute(id));
  }

  stopProcessing(): Promise<void> {
    return this.deps.queue.close();
  }

  /** The job: claim, compute, store; a failure is recorded with its reason. */
  private async execute(id: string): Promise<void> {
    const { db, log } = this.deps;
    const claimed = await db.transaction((m) => m.update(Backtest, { id, status: BacktestStatus.QUEUED }, { status: BacktestStatus.RUNNING }));
    if (!claimed.affected) {
      // Delivered again after its worker stopped: it starts over.
      const found = await db.manager.findOneBy(Backtest, { id });
      if (found?.status !== BacktestStatus.RUNNING) return;
    }
    const backtest = await this.get(id);
    this.announce(backtest);
    try {
      const result = backtest.strategy === BacktestStrategy.CREDIT_APPROVAL ? await this.credit(backtest) : await this.trading(backtest);
      await this.finish(backtest, { ...result, status: BacktestStatus.SUCCEEDED, progress: 1 });
    } catch (error) {
      log.warn({ err: error, backtestId: id }, 'back-test failed');
      await this.finish(backtest, { status: BacktestStatus.FAILED, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async inputs(backtest: Backtest) {
    const { cache, models, datasets } = this.deps;
    const model = await models.get(backtest.modelId);
    const loaded = await cache.load(backtest.modelVersionId);
    const version = await datasets.getVersion(backtest.datasetVersionId);
    return { model, loaded, version };
  }

  private async trading(backtest: Backtest): Promise<Partial<Backtest>> {
    const { model, loaded, version } = await this.inputs(backtest);
    const p = backtest.parameters as { timeColumn: string; entryThreshold: number; positionSize: number; costBps: number; slippageBps: number; initialCapital: number };
    const rows = (await this.deps.datasetRows.allRows(version, [p.timeColumn, model.targetColumn, ...model.featureColumns]))
      .map((row) => ({ row, at: Date.parse(String(row[p.timeColumn])) }))
      .filter((r) => Number.isFinite(r.at))
      .sort((a, b) => a.at - b.at);
    // Forecasts over every row (earlier rows are the first windows' history); trading only in range.
    const forecasts = await loaded.forecastEach(rows.map((r) => r.row), CHUNK);
    await this.progress(backtest, 0.5);
    const start = rows.findIndex((r) => !backtest.from || r.at >= backtest.from.getTime());
    const end = rows.length - 1 - [...rows].reverse().findIndex((r) => !backtest.to || r.at <= backtest.to.getTime());
    const slice = rows.slice(Math.max(0, start - 1), end + 1); // the period before the first traded one gives its entry price
    const prices = slice.map((r) => Number(r.row[model.targetColumn]));
    const times = slice.map((r) => r.at);
    const periodsPerYear = periodsPerYearOf(times);
    const result = tradingBacktest({
      prices, forecasts: forecasts.slice(Math.max(0, start - 1), end + 1), strategy: backtest.strategy as 'LONG_ONLY' | 'LONG_SHORT',
      entryThreshold: p.entryThreshold, positionSize: p.positionSize, costBps: p.costBps, slippageBps: p.slippageBps, initialCapital: p.initialCapital,
    }, periodsPerYear);
    return {
      rowCount: result.equity.length - 1,
      metrics: { ...performance(result.equity, periodsPerYear), hitRate: result.hitRate, trades: result.trades.length, turnover: result.turnover, periodsPerYear },
      benchmark: performance(result.benchmark, periodsPerYear),
      equity: result.steps.map((step, i) => [times[step], result.equity[i], result.benchmark[i]]),
      tradeList: result.trades.map((trade) => ({ ...trade, at: times[trade.step - 1] })),
    };
  }

  private async credit(backtest: Backtest): Promise<Partial<Backtest>> {
    const { model, loaded, version } = await this.inputs(backtest);
    const p = backtest.parameters as { profitPerGood: number; lossPerBad: number; goodLabel: string | null; timeColumn: string | null };
    let rows = await this.deps.datasetRows.allRows(version, [...model.featureColumns, model.targetColumn, ...(p.timeColumn ? [p.timeColumn] : [])]);
    if (p.timeColumn) {
      rows = rows.filter((row) => {
        const at = Date.parse(String(row[p.timeColumn!]));
        return (!backtest.from || at >= backtest.from.getTime()) && (!backtest.to || at <= backtest.to.getTime());
      });
    }
    if (rows.length === 0) throw new Error('no rows in the range');
    const probabilities: number[] = [];
    const good: boolean[] = [];
    let goodLabel = p.goodLabel;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const predictions = await loaded.score(chunk, false);
      goodLabel ??= predictions[0].probabilities[1]?.label ?? predictions[0].probabilities[0].label;
      predictions.forEach((prediction, j) => {
        probabilities.push(prediction.probabilities.find((c) => c.label === goodLabel)?.probability ?? 0);
        good.push(String(chunk[j][model.targetColumn]) === goodLabel);
      });
    }
    const { curve } = creditCurve(probabilities, good, p.profitPerGood, p.lossPerBad);
    return { rowCount: rows.length, curve, metrics: null, parameters: { ...p, goodLabel } };
  }

  private async progress(backtest: Backtest, progress: number): Promise<void> {
    await this.deps.db.transaction((m) => m.update(Backtest, { id: backtest.id }, { progress }));
    backtest.progress = progress;
    this.announce(backtest);
  }

  /** Back-tests as they finish, after the write committed: for notifications. */
  readonly finished = new Listeners<Backtest>();

  private async finish(backtest: Backtest, changes: Partial<Backtest>): Promise<void> {
    const update = { ...changes, finishedAt: new Date() };
    await this.deps.db.transaction((m) => m.update(Backtest, { id: backtest.id }, update as never));
    Object.assign(backtest, update);
    this.announce(backtest);
    this.finished.emit(backtest);
  }

  private announce(backtest: Backtest): void {
    this.deps.events.publish('BACKTEST_UPDATED', backtest.id, { backtestId: backtest.id, status: backtest.status });
  }
}
