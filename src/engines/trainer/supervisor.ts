import { fork, type ChildProcess } from 'node:child_process';
import type { ModelArtifact } from '../../ml/model-artifact';
import { compiledScript } from '../../core/compiled-script';
import { residentBytes } from './process-memory';
import type { TrainingConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import { isChildMessage, toColumns, type ChildMessage, type EvaluateJob, type EvaluationResult, type MetricPointMessage, type ParentMessage, type RowColumns, type RowStream, type TrainJob } from './protocol';

/** What the supervisor reports while a child trains; each hook is awaited in message order. */
export interface TrainingHooks {
  onStarted(info: { backend: string; libraryVersions: Record<string, string> }): Promise<void>;
  onMetrics(points: MetricPointMessage[]): Promise<void>;
  onProgress(epochsCompleted: number, progress: number): Promise<void>;
}

/** Permutation importance, which a child computes after its run succeeded: the list (null: nothing to measure), or why it is missing. */
export type ImportanceOutcome =
  | { kind: 'ready'; featureImportance: { feature: string; importance: number }[] | null }
  | { kind: 'failed'; error: string };

export type TrainingOutcome =
  /** `importance` settles when the child has exited; it never rejects. */
  | { kind: 'succeeded'; artifact: ModelArtifact; evaluation: EvaluationResult; summary: Record<string, number>; importance: Promise<ImportanceOutcome> }
  | { kind: 'failed'; error: string }
  | { kind: 'cancelled' };

/** How a child's run ended, as its messages say, before the importance is known. */
type RunEnd = Exclude<TrainingOutcome, { kind: 'succeeded' }> | Omit<Extract<TrainingOutcome, { kind: 'succeeded' }>, 'importance'>;

/** How often a child's resident memory is compared with TRAINING_MAX_MEMORY_MB. */
const MEMORY_CHECK_MS = 250;

/**
 * A job's rows: objects, columns, still being read (the child starts meanwhile, and they are
 * sent when they are there), or a stream of column chunks sent as they are read.
 */
export type RowSource = Record<string, unknown>[] | RowColumns | RowStream | Promise<Record<string, unknown>[] | RowColumns>;
export type PendingJob<J extends { rows: Record<string, unknown>[] }> = Omit<J, 'rows'> & { rows: RowSource };

/** Pooled children that may die while idle in a row before the pool stops replacing them (jobs then fork their own child). */
const MAX_IDLE_DEATHS = 3;
/** Delay before a pooled child that died idle is replaced. */
const REPLACE_DELAY_MS = 1000;

/** An idle pooled child: started, loading TensorFlow.js (ready false) or waiting for a job. */
interface WarmChild {
  process: ChildProcess;
  ready: boolean;
  stderr: string;
  /** Detaches the idle-time listeners when a job takes the child. */
  release(): void;
}

/** Starts a process; injected so tests can substitute it (Immich's process repository idea). */
export type Spawn = (script: string, execArgv: string[]) => ChildProcess;

const defaultSpawn: Spawn = (script, execArgv) =>
  fork(script, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });

/**
 * Runs each training in its own child process, with a heap limit and a wall-clock limit, and
 * turns whatever happens to it (success, a thrown error, a crash, a signal, a timeout, a
 * cancel) into one outcome. The API process is never at risk.
 */
export class TrainingSupervisor {
  private readonly children = new Map<string, { child: ReturnType<TrainingSupervisor['launch']>; cancelled: boolean; succeeded: boolean }>();
  /** Idle pooled children (TRAINING_WARM_CHILDREN), oldest first. */
  private readonly warm: WarmChild[] = [];
  private warmTarget = 0;
  private idleDeaths = 0;
  private replaceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly config: TrainingConfig, private readonly log?: Logger, private readonly spawn: Spawn = defaultSpawn, private readonly script = trainProcessScript()) {}

  /**
   * Keeps `count` idle children with TensorFlow.js and its backend loaded (TRAINING_WARM_CHILDREN),
   * so a job skips the child's start. Each child still runs one job only and then exits; a fresh
   * one replaces it. Idle children are not running jobs: TRAINING_CONCURRENCY does not count them.
   */
  startPool(count = this.config.warmChildren ?? 0): void {
    this.warmTarget = count;
    this.idleDeaths = 0;
    this.refill();
  }

  /** Stops the idle children (at shutdown); running jobs are not touched. */
  stopPool(): void {
    this.warmTarget = 0;
    clearTimeout(this.replaceTimer);
    for (const warm of this.warm.splice(0)) {
      warm.release();
      warm.process.kill('SIGKILL');
    }
  }

  /** Process ids of the idle pooled children (for operators and tests). */
  get warmPids(): number[] {
    return this.warm.map((w) => w.process.pid).filter((pid): pid is number => pid !== undefined);
  }

  private refill(): void {
    while (this.warm.length < this.warmTarget && this.idleDeaths < MAX_IDLE_DEATHS) this.warm.push(this.startWarm());
  }

  private startWarm(): WarmChild {
    const child = this.spawn(this.script, [`--max-old-space-size=${this.config.maxMemoryMb}`]);
    const warm: WarmChild = { process: child, ready: false, stderr: '', release: () => undefined };
    const onStderr = (data: Buffer) => { warm.stderr = (warm.stderr + data.toString()).slice(-4000); };
    const onMessage = (message: unknown) => { if (isChildMessage(message) && message.type === 'ready') warm.ready = true; };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      const index = this.warm.indexOf(warm);
      if (index < 0) return;
      this.warm.splice(index, 1);
      this.idleDeaths++;
      this.log?.warn({ pid: child.pid, code, signal, stderr: warm.stderr.trim().split('\n').slice(-3).join(' ') || undefined }, 'an idle training child exited');
      if (this.idleDeaths >= MAX_IDLE_DEATHS) {
        this.log?.error({ deaths: this.idleDeaths }, 'idle training children keep exiting: no more are started; each run starts its own child');
        return;
      }
      clearTimeout(this.replaceTimer);
      this.replaceTimer = setTimeout(() => this.refill(), REPLACE_DELAY_MS);
      this.replaceTimer.unref();
    };
    child.stderr?.on('data', onStderr);
    child.on('message', onMessage);
    child.on('exit', onExit);
    // A spawn that fails (EAGAIN, EMFILE) emits 'error' and never 'exit': free its slot the same way.
    child.on('error', () => onExit(null, null));
    warm.release = () => {
      child.stderr?.off('data', onStderr);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.removeAllListeners('error');
      child.on('error', () => undefined);
      child.ref();
      child.channel?.ref();
      pipeOf(child)?.ref?.();
    };
    // An idle child must not keep this process alive (it exits on its own when this one goes):
    // neither the process, its IPC channel, nor its stderr pipe, which holds a handle while read.
    child.unref();
    child.channel?.unref();
    pipeOf(child)?.unref?.();
    child.send({ type: 'warm', backend: this.config.backend } satisfies ParentMessage, (error) => { if (error) child.kill('SIGKILL'); });
    return warm;
  }

  /** An idle pooled child (a ready one first, else one still loading), or a new one; the pool is topped up. */
  private acquire(): { child: ChildProcess; stderr: string; pooled: boolean } {
    const index = this.warm.findIndex((w) => w.ready && w.process.exitCode === null && w.process.signalCode === null);
    const pick = index >= 0 ? index : this.warm.findIndex((w) => w.process.exitCode === null && w.process.signalCode === null);
    if (pick < 0) return { child: this.spawn(this.script, [`--max-old-space-size=${this.config.maxMemoryMb}`]), stderr: '', pooled: false };
    const [warm] = this.warm.splice(pick, 1);
    warm.release();
    // A pooled child lived long enough to be given a job: the pool is healthy.
    this.idleDeaths = 0;
    this.refill();
    return { child: warm.process, stderr: warm.stderr, pooled: true };
  }

  /**
   * Trains `job` in a child. Resolves once the child sent its model and test figures (succeeded,
   * with the permutation importance still to come in `importance`), or once it is gone.
   */
  async run(job: PendingJob<TrainJob>, hooks: TrainingHooks): Promise<TrainingOutcome> {
    let outcome = undefined as RunEnd | undefined;
    const hasModel = () => outcome?.kind === 'succeeded';
    let importance: ImportanceOutcome | undefined;
    let hooksDone: Promise<unknown> = Promise.resolve();
    let doneSeen!: () => void;
    const succeeded = new Promise<void>((resolve) => { doneSeen = resolve; });
    const child = this.launch({ type: 'start', job }, (message, kill) => {
      hooksDone = hooksDone.then(async () => {
        // After 'done' the run has succeeded: what follows concerns the importance only.
        if (hasModel()) {
          if (message.type === 'importance') importance ??= { kind: 'ready', featureImportance: message.featureImportance };
          if (message.type === 'error') importance ??= { kind: 'failed', error: message.message };
          return;
        }
        await this.handle(message, hooks, (o) => { outcome ??= o; });
        if (hasModel()) doneSeen();
      }).catch((error) => {
        this.log?.error({ err: error, runId: job.runId }, 'training hook failed');
        outcome ??= { kind: 'failed', error: `server could not record the run: ${error instanceof Error ? error.message : error}` };
        kill();
      });
    }, () => {
      if (hasModel()) importance ??= { kind: 'failed', error: 'training process sent a malformed message' };
      else outcome ??= { kind: 'failed', error: 'training process sent a malformed message' };
    });
    const entry = { child, cancelled: false, succeeded: false };
    this.children.set(job.runId, entry);
    const exited = child.exited.then(async (exit) => {
      await hooksDone;
      this.children.delete(job.runId);
      return exit;
    });
    await Promise.race([exited, succeeded]);

    if (outcome?.kind === 'succeeded' && !entry.cancelled) {
      // A cancel now comes too late: the run has its model; the child finishes the importance.
      entry.succeeded = true;
      return {
        ...outcome,
        importance: exited.then((exit): ImportanceOutcome => importance
          ?? { kind: 'failed', error: exit.code === 0 ? 'training process exited without it' : describeExit(exit, { timedOut: child.timedOut(), overMemory: child.overMemory() }, this.config, child.stderr()) }),
      };
    }
    const exit = await exited;
    if (entry.cancelled) return { kind: 'cancelled' };
    const rowsError = child.rowsError();
    if (rowsError !== null) return { kind: 'failed', error: rowsError };
    if (outcome && outcome.kind !== 'succeeded') return outcome;
    return { kind: 'failed', error: describeExit(exit, { timedOut: child.timedOut(), overMemory: child.overMemory() }, this.config, child.stderr()) };
  }

  /** Scores a stored model on rows in a child process (the API process never loads tfjs). */
  async evaluate(job: PendingJob<EvaluateJob>): Promise<EvaluationResult> {
    let result: EvaluationResult | undefined;
    let error: string | undefined;
    const child = this.launch({ type: 'evaluate', job }, (message) => {
      if (message.type === 'evaluated') result = message.evaluation;
      if (message.type === 'error') error = message.message;
    }, () => { error ??= 'evaluation process sent a malformed message'; });
    const exit = await child.exited;
    if (result) return result;
    throw new Error(error ?? child.rowsError() ?? describeExit(exit, { timedOut: child.timedOut(), overMemory: child.overMemory() }, this.config, child.stderr()));
  }

  /**
   * Starts a child (a pooled one when there is one) with the heap and wall-clock limits, sends it
   * `message`, passes on every valid message (a malformed one kills it), and resolves `exited`
   * when it is gone. A pooled child that dies before it says anything about the job (it died
   * idle, between 'ready' and the job) is replaced once by a fresh child, which gets the job.
   */
  private launch(message: { type: 'start'; job: PendingJob<TrainJob> } | { type: 'evaluate'; job: PendingJob<EvaluateJob> }, onMessage: (message: ChildMessage, kill: () => void) => void, onMalformed: () => void) {
    let { child, stderr, pooled } = this.acquire();
    let rowsError: string | null = null;
    let timedOut = false;
    let overMemory = false;
    // Set when this side stops the child (limits, cancel, a malformed message, failed rows): no retry then.
    let stopped = false;
    let acknowledged = false;
    const kill = (signal: NodeJS.Signals = 'SIGKILL') => { stopped = true; child.kill(signal); };
    const timer = setTimeout(() => { timedOut = true; kill(); }, this.config.timeoutSeconds * 1000);
    // The whole process is bounded, not only V8's heap: TensorFlow.js's WASM memory is outside it.
    const limitBytes = this.config.maxMemoryMb * 1024 * 1024;
    const watchdog = setInterval(() => {
      const rss = child.pid === undefined ? null : residentBytes(child.pid);
      if (rss !== null && rss > limitBytes) {
        overMemory = true;
        kill();
      }
    }, MEMORY_CHECK_MS);
    watchdog.unref();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const attach = (current: ChildProcess) => {
        let ended = false;
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
          if (ended) return;
          ended = true;
          if (pooled && !acknowledged && !stopped && rowsError === null) {
            this.log?.warn({ pid: current.pid, code, signal }, 'a pooled training child died before it took its job: the job goes to a fresh child');
            ({ child, stderr, pooled } = { child: this.spawn(this.script, [`--max-old-space-size=${this.config.maxMemoryMb}`]), stderr: '', pooled: false });
            attach(child);
            return;
          }
          clearTimeout(timer);
          clearInterval(watchdog);
          resolve({ code, signal });
        };
        current.stderr?.on('data', (data: Buffer) => { stderr = (stderr + data.toString()).slice(-4000); });
        current.on('message', (received: unknown) => {
          if (isChildMessage(received) && received.type === 'ready') return; // a pooled child that finished loading after it was given the job
          acknowledged = true;
          if (isChildMessage(received)) return onMessage(received, () => kill());
          onMalformed();
          kill();
        });
        // A pooled child may have died between the pick and now.
        if (current.exitCode !== null || current.signalCode !== null) return onExit(current.exitCode, current.signalCode);
        current.once('exit', onExit);
        current.once('error', () => onExit(null, null));
        // The rows are read while the child starts; they cross as columns (a stream a chunk at a
        // time, read again from the start for a fresh child that takes over the job).
        const rows = message.job.rows;
        const sent = isRowStream(rows)
          ? streamRows(current, message, rows)
          : Promise.resolve(rows).then((ready) => {
            if (current.exitCode !== null || current.signalCode !== null) return;
            // A send that fails means the child is dying: its exit decides (a retry when it never took the job).
            current.send({ type: message.type, job: { ...message.job, rows: Array.isArray(ready) ? toColumns(ready) : ready } } as ParentMessage, (error) => { if (error) current.kill('SIGKILL'); });
          });
        sent.catch((error: unknown) => { rowsError = error instanceof Error ? error.message : String(error); kill(); });
      };
      attach(child);
    });
    return {
      /** The child running the job now (after a retry, the fresh one). */
      get process() { return child; },
      exited, kill,
      stderr: () => stderr, timedOut: () => timedOut, overMemory: () => overMemory, rowsError: () => rowsError,
    };
  }

  /** Training processes alive now (a run's child counts until it exits, importance included). */
  get running(): number {
    return this.children.size;
  }

  /** SIGTERM, then SIGKILL after the grace period. False when the run has no process here, or already has its model. */
  cancel(runId: string): boolean {
    const entry = this.children.get(runId);
    // A run that has its model is not cancelled: its child is finishing the importance.
    if (!entry || entry.succeeded) return false;
    entry.cancelled = true;
    entry.child.kill('SIGTERM');
    const force = setTimeout(() => entry.child.kill('SIGKILL'), this.config.cancelGraceMs);
    void entry.child.exited.then(() => clearTimeout(force));
    return true;
  }

  /** Process id of a run's child, for operators (and the crash test); also while it computes the importance. */
  pidOf(runId: string): number | undefined {
    return this.children.get(runId)?.child.process.pid;
  }

  /** Kills every child, e.g. at shutdown; their runs end FAILED or CANCELLED as usual (an importance still computing: FAILED). The pool stops too. */
  killAll(): void {
    this.stopPool();
    for (const { child } of this.children.values()) child.kill();
  }

  private async handle(message: ChildMessage, hooks: TrainingHooks, settle: (outcome: RunEnd) => void): Promise<void> {
    switch (message.type) {
      case 'started': return hooks.onStarted(message);
      case 'metrics': return hooks.onMetrics(message.points);
      case 'progress': return hooks.onProgress(message.epochsCompleted, message.progress);
      case 'done': return settle({ kind: 'succeeded', artifact: message.artifact, evaluation: message.evaluation, summary: message.summary });
      case 'error': return settle({ kind: 'failed', error: message.message });
      case 'evaluated':
      case 'importance': return;
    }
  }
}

const isRowStream = (rows: RowSource): rows is RowStream => 'chunks' in rows && !Array.isArray(rows);

/** Resolves when `child` has taken `message` off this process (its write completed): the backpressure of a stream. */
function sendTo(child: ChildProcess, message: ParentMessage): Promise<void> {
  return new Promise((resolve, reject) => child.send(message, (error) => (error ? reject(error) : resolve())));
}

/**
 * Sends the job, then its rows a chunk at a time as they are read, each after the previous one
 * has been written: this process holds about one chunk, whatever the dataset's size. Stops
 * reading (closing the read) as soon as the child is gone (cancelled, crashed or timed out).
 */
async function streamRows(child: ChildProcess, message: { type: 'start' | 'evaluate'; job: { rows: RowSource } }, rows: RowStream): Promise<void> {
  const alive = () => child.exitCode === null && child.signalCode === null && child.connected;
  // A failed write means the child is gone or its channel broke: it is stopped, and its exit says why.
  const send = (next: ParentMessage) => sendTo(child, next).then(() => true, () => { child.kill('SIGKILL'); return false; });
  if (!alive() || !(await send({ type: message.type, job: { ...message.job, rows: { streamed: true, expected: rows.expected, names: rows.names } } } as ParentMessage))) return;
  let count = 0;
  // A read error ends the loop and is the run's error (the caller kills the child).
  for await (const chunk of rows.chunks()) {
    if (!alive() || !(await send({ type: 'rows', chunk }))) return;
    count += chunk.count;
  }
  if (alive()) await send({ type: 'rowsEnd', count });
}

/** A readable reason for a child that died without saying why. */
function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }, stopped: { timedOut: boolean; overMemory: boolean }, config: TrainingConfig, stderr: string): string {
  if (stopped.overMemory) return `training process used more than TRAINING_MAX_MEMORY_MB (${config.maxMemoryMb.toLocaleString('en-US')} MB) of memory and was stopped`;
  if (stopped.timedOut) return `training exceeded TRAINING_TIMEOUT_SECONDS (${config.timeoutSeconds} s) and was stopped`;
  if (/heap out of memory|Allocation failed/i.test(stderr)) return `training process ran out of memory (TRAINING_MAX_MEMORY_MB is ${config.maxMemoryMb})`;
  if (exit.signal) return `training process was killed by ${exit.signal}`;
  return `training process exited with code ${exit.code}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`;
}

/** A child's stderr pipe (a socket), which can be unref'd like the process. */
const pipeOf = (child: ChildProcess) => child.stderr as unknown as { ref?(): void; unref?(): void } | null;

/** The compiled child entry (tests run from src/ but fork dist/). */
export function trainProcessScript(): string {
  return compiledScript('engines/trainer/train-process.js');
}
