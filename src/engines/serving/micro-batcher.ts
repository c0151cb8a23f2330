import { BatchCostModel } from './batch-cost-model';
import { nextBatchStep } from './batch-policy';

/** How a batch decides when to go: see {@link MicroBatcherOptions.policy}. */
export type BatchPolicy = 'ADAPTIVE' | 'FIXED';

/** Tuning for {@link MicroBatcher}. */
export interface MicroBatcherOptions {
  /** Most rows in one combined call (default 256). */
  maxBatchSize: number;
  /** The longest the first waiting request may wait for others before the batch runs (default 2 ms). 0 = run on the next macrotask (setImmediate), still coalescing requests that arrive in the same tick. */
  maxDelayMs: number;
  /** false: every request runs alone, at once (the same code path minus the waiting). */
  enabled: boolean;
  /**
   * ADAPTIVE (default): a batch goes as soon as the model is idle and the requests already readable
   * have joined; it waits longer only while a call is in flight or while requests keep arriving
   * faster than a call's fitted fixed cost, never past maxDelayMs (see batch-policy.ts).
   * FIXED: every batch waits maxDelayMs from its first request, or until full.
   */
  policy?: BatchPolicy;
  /** Milliseconds, monotonic (default performance.now); tests pass their own to drive the cost model. */
  clock?: () => number;
}

/** Runs the model on `rows` rows whose inputs are concatenated in `input` (rows × inputWidth values, row-major). Returns rows × outputWidth values. */
export type BatchRunner = (input: Float32Array, rows: number) => Promise<Float32Array>;

interface Request {
  input: Float32Array;
  rows: number;
  resolve: (output: Float32Array) => void;
  reject: (error: unknown) => void;
}

interface PendingBatch {
  requests: Request[];
  rows: number;
  cancelTimer: () => void;
  /** ADAPTIVE: when the first request joined and when the policy last looked. */
  openedAt: number;
  lookedAt: number;
  /** ADAPTIVE: requests and rows that joined since the policy last looked. */
  arrivedRequests: number;
  arrivedRows: number;
  /** ADAPTIVE: waiting for the call in flight to end. */
  holding: boolean;
}

/**
 * Coalesces concurrent prediction requests for one model version into one model call, as TF Serving's
 * batching does: one call on many rows costs far less than many calls on a few rows each.
 * Requests are never split; each caller gets exactly its own rows back. Callers must not modify a
 * submitted input until its promise settles (it is copied only when the batch runs).
 */
export class MicroBatcher {
  /** Statistics for benchmarks and monitoring: model calls made (isolation re-runs included), rows passed to them, and valid requests submitted. */
  readonly stats = { batches: 0, rows: 0, requests: 0 };
  /** The fitted cost of this version's calls (read by the ADAPTIVE policy; exposed for tests and monitoring). */
  readonly cost = new BatchCostModel();
  private pending: PendingBatch | undefined;
  private inFlight = 0;
  /** ADAPTIVE: when the last request arrived, and the mean gap between requests (moving average). */
  private lastArrivalAt = Number.NaN;
  private gapMs = Number.POSITIVE_INFINITY;
  private readonly policy: BatchPolicy;
  private readonly clock: () => number;

  constructor(
    private readonly run: BatchRunner,
    private readonly inputWidth: number,
    private readonly outputWidth: number,
    private readonly options: MicroBatcherOptions,
  ) {
    // Misconfiguration is a programming error, so it fails loudly here rather than on every request.
    for (const [name, value] of [['inputWidth', inputWidth], ['outputWidth', outputWidth], ['maxBatchSize', options.maxBatchSize]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
    if (!(options.maxDelayMs >= 0) || !Number.isFinite(options.maxDelayMs)) {
      throw new RangeError(`maxDelayMs must be a finite number >= 0, got ${options.maxDelayMs}`);
    }
    this.policy = options.policy ?? 'ADAPTIVE';
    if (this.policy !== 'ADAPTIVE' && this.policy !== 'FIXED') throw new RangeError(`policy must be ADAPTIVE or FIXED, got ${String(this.policy)}`);
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Submits one request's rows (input.length must be rows × inputWidth, else the promise rejects with a RangeError); resolves with that request's own rows × outputWidth slice of the output. */
  submit(input: Float32Array, rows: number): Promise<Float32Array> {
    // Rejecting (not throwing) keeps one error channel for callers that only attach .catch / await.
    if (!Number.isInteger(rows) || rows <= 0) {
      return Promise.reject(new RangeError(`rows must be a positive integer, got ${rows}`));
    }
    if (input.length !== rows * this.inputWidth) {
      return Promise.reject(new RangeError(`input has ${input.length} values; expected ${rows} rows × ${this.inputWidth} = ${rows * this.inputWidth}`));
    }
    this.stats.requests++;
    return new Promise<Float32Array>((resolve, reject) => {
      const request: Request = { input, rows, resolve, reject };
      const { enabled, maxBatchSize } = this.options;
      // A request that fills a batch by itself gains nothing from waiting, and must not hold up the queue.
      if (!enabled || rows >= maxBatchSize) {
        void this.execute([request]);
        return;
      }
      // Never exceed maxBatchSize: the pending batch goes first and this request starts the next one.
      if (this.pending && this.pending.rows + rows > maxBatchSize) this.flush();
      if (this.policy === 'ADAPTIVE') this.arrived();
      const batch = (this.pending ??= this.open());
      batch.requests.push(request);
      batch.rows += rows;
      batch.arrivedRequests++;
      batch.arrivedRows += rows;
      // A full batch cannot grow, so waiting any longer would only add latency.
      if (batch.rows === maxBatchSize) this.flush();
    });
  }

  /** ADAPTIVE: the mean gap between requests, weighted to the last ~20 (what the next one is expected after). */
  private arrived(): void {
    const now = this.clock();
    const gap = now - this.lastArrivalAt;
    this.lastArrivalAt = now;
    if (!(gap >= 0)) return;
    this.gapMs = Number.isFinite(this.gapMs) ? this.gapMs + (gap - this.gapMs) / 20 : gap;
  }

  private open(): PendingBatch {
    const now = this.policy === 'ADAPTIVE' ? this.clock() : 0;
    const batch: PendingBatch = { requests: [], rows: 0, cancelTimer: () => {}, openedAt: now, lookedAt: now, arrivedRequests: 0, arrivedRows: 0, holding: false };
    if (this.policy === 'FIXED') batch.cancelTimer = this.startTimer();
    else this.nextTurn(batch);
    return batch;
  }

  /** ADAPTIVE: look again after this event-loop turn, when the requests already readable have joined. */
  private nextTurn(batch: PendingBatch): void {
    const handle = setImmediate(() => this.decide());
    batch.cancelTimer = () => clearImmediate(handle);
  }

  /** ADAPTIVE: send the pending batch, give it one more turn, or hold it while a call is in flight. */
  private decide(): void {
    const batch = this.pending;
    if (!batch) return;
    const now = this.clock();
    const step = nextBatchStep({
      busy: this.inFlight > 0, waitedMs: now - batch.openedAt, arrivedRequests: batch.arrivedRequests, arrivedRows: batch.arrivedRows,
      lastTurnMs: now - batch.lookedAt, fixedMs: this.cost.fixedMs, perRowMs: this.cost.perRowMs, maxDelayMs: this.options.maxDelayMs,
      gapMs: this.gapMs, timerMs: 1,
    });
    batch.lookedAt = now;
    batch.arrivedRequests = 0;
    batch.arrivedRows = 0;
    if (step.kind === 'send') return this.flush();
    if (step.kind === 'turn') return this.nextTurn(batch);
    batch.holding = step.kind === 'hold';
    const handle = setTimeout(() => this.decide(), step.ms);
    batch.cancelTimer = () => clearTimeout(handle);
  }

  /** ADAPTIVE: the model went idle; a batch held for it goes after this turn's arrivals. */
  private idle(): void {
    const batch = this.pending;
    if (!batch?.holding) return;
    batch.holding = false;
    batch.cancelTimer();
    this.nextTurn(batch);
  }

  /** FIXED: one timer per pending batch, started by its first request, so no request waits longer than maxDelayMs. */
  private startTimer(): () => void {
    if (this.options.maxDelayMs === 0) {
      const handle = setImmediate(() => this.flush());
      return () => clearImmediate(handle);
    }
    const handle = setTimeout(() => this.flush(), this.options.maxDelayMs);
    return () => clearTimeout(handle);
  }

  /** Runs the pending batch now. Not awaited: calls may overlap, and the model call decides whether to serialise. */
  private flush(): void {
    const batch = this.pending;
    if (!batch) return;
    this.pending = undefined;
    batch.cancelTimer();
    void this.execute(batch.requests);
  }

  /** Runs a batch and settles every request in it; never rejects. */
  private async execute(requests: Request[]): Promise<void> {
    let output: Float32Array;
    try {
      output = await this.call(requests);
    } catch (error) {
      if (requests.length === 1) {
        requests[0].reject(error);
        return;
      }
      // One bad request (e.g. a NaN the model rejects) must not fail its neighbours: re-run each alone,
      // sequentially so a failing batch does not suddenly put many concurrent calls on the model.
      for (const request of requests) await this.execute([request]);
      return;
    }
    let offset = 0;
    for (const request of requests) {
      const end = offset + request.rows * this.outputWidth;
      // A copy, not a view: a caller must neither keep the whole batch's buffer alive nor see others' rows.
      request.resolve(output.slice(offset, end));
      offset = end;
    }
  }

  /** One model call on the requests' concatenated rows; checks the output size so slicing cannot go wrong silently. */
  private async call(requests: Request[]): Promise<Float32Array> {
    const rows = requests.reduce((sum, request) => sum + request.rows, 0);
    // A lone request's input is already exactly the call's input, so copying it would be waste.
    let input = requests[0].input;
    if (requests.length > 1) {
      input = new Float32Array(rows * this.inputWidth);
      let offset = 0;
      for (const request of requests) {
        input.set(request.input, offset);
        offset += request.input.length;
      }
    }
    this.stats.batches++;
    this.stats.rows += rows;
    this.inFlight++;
    const started = this.clock();
    let output: Float32Array;
    try {
      output = await this.run(input, rows);
      // Failed calls are left out of the fit: they may have stopped anywhere.
      this.cost.record(rows, this.clock() - started);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idle();
    }
    const expected = rows * this.outputWidth;
    if (output?.length !== expected) {
      throw new Error(`Model returned the wrong number of values for ${rows} rows: expected ${expected}, got ${output?.length}`);
    }
    return output;
  }
}
