import { fork, type ChildProcess } from 'node:child_process';
import type { ModelArtifact } from '../../ml/model-artifact';
import { compiledScript } from '../../core/compiled-script';
import { residentBytes } from './process-memory';
import type { TrainingConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import { isChildMessage, type ChildMessage, type EvaluateJob, type EvaluationResult, type MetricPointMessage, type ParentMessage, type TrainJob } from './protocol';

/** What the supervisor reports while a child trains; each hook is awaited in message order. */
export interface TrainingHooks {
  onStarted(info: { backend: string; libraryVersions: Record<string, string> }): Promise<void>;
  onMetrics(points: MetricPointMessage[]): Promise<void>;
  onProgress(epochsCompleted: number, progress: number): Promise<void>;
}

export type TrainingOutcome =
  | { kind: 'succeeded'; artifact: ModelArtifact; evaluation: EvaluationResult; summary: Record<string, number> }
  | { kind: 'failed'; error: string }
  | { kind: 'cancelled' };

/** How often a child's resident memory is compared with TRAINING_MAX_MEMORY_MB. */
const MEMORY_CHECK_MS = 250;

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
  private readonly children = new Map<string, { child: ChildProcess; cancelled: boolean }>();

  constructor(private readonly config: TrainingConfig, private readonly log?: Logger, private readonly spawn: Spawn = defaultSpawn, private readonly script = trainProcessScript()) {}

  async run(job: TrainJob, hooks: TrainingHooks): Promise<TrainingOutcome> {
    let outcome: TrainingOutcome | undefined;
    let hooksDone: Promise<unknown> = Promise.resolve();
    const child = this.launch({ type: 'start', job }, (message, kill) => {
      hooksDone = hooksDone.then(() => this.handle(message, hooks, (o) => { outcome ??= o; })).catch((error) => {
        this.log?.error({ err: error, runId: job.runId }, 'training hook failed');
        outcome ??= { kind: 'failed', error: `server could not record the run: ${error instanceof Error ? error.message : error}` };
        kill();
      });
    }, () => { outcome ??= { kind: 'failed', error: 'training process sent a malformed message' }; });
    const entry = { child: child.process, cancelled: false };
    this.children.set(job.runId, entry);
    const exit = await child.exited;
    await hooksDone;
    this.children.delete(job.runId);

    if (entry.cancelled) return { kind: 'cancelled' };
    if (outcome?.kind === 'succeeded' && exit.code === 0) return outcome;
    if (outcome) return outcome.kind === 'succeeded' ? { kind: 'failed', error: `training process exited with code ${exit.code}` } : outcome;
    return { kind: 'failed', error: describeExit(exit, { timedOut: child.timedOut(), overMemory: child.overMemory() }, this.config, child.stderr()) };
  }

  /** Scores a stored model on rows in a child process (the API process never loads tfjs). */
  async evaluate(job: EvaluateJob): Promise<EvaluationResult> {
    let result: EvaluationResult | undefined;
    let error: string | undefined;
    const child = this.launch({ type: 'evaluate', job }, (message) => {
      if (message.type === 'evaluated') result = message.evaluation;
      if (message.type === 'error') error = message.message;
    }, () => { error ??= 'evaluation process sent a malformed message'; });
    const exit = await child.exited;
    if (result) return result;
    throw new Error(error ?? describeExit(exit, { timedOut: child.timedOut(), overMemory: child.overMemory() }, this.config, child.stderr()));
  }

  /**
   * Forks a child with the heap and wall-clock limits, sends it `message`, passes on every valid
   * message (a malformed one kills it), and resolves `exited` when it is gone.
   */
  private launch(message: ParentMessage, onMessage: (message: ChildMessage, kill: () => void) => void, onMalformed: () => void) {
    const child = this.spawn(this.script, [`--max-old-space-size=${this.config.maxMemoryMb}`]);
    const kill = () => child.kill('SIGKILL');
    let stderr = '';
    let timedOut = false;
    let overMemory = false;
    child.stderr?.on('data', (data: Buffer) => { stderr = (stderr + data.toString()).slice(-4000); });
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
    child.on('message', (received: unknown) => {
      if (isChildMessage(received)) return onMessage(received, kill);
      onMalformed();
      kill();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const done = (result: { code: number | null; signal: NodeJS.Signals | null }) => {
        clearTimeout(timer);
        clearInterval(watchdog);
        resolve(result);
      };
      child.once('exit', (code, signal) => done({ code, signal }));
      child.once('error', () => done({ code: null, signal: null }));
      child.send(message);
    });
    return { process: child, exited, stderr: () => stderr, timedOut: () => timedOut, overMemory: () => overMemory };
  }

  /** SIGTERM, then SIGKILL after the grace period. False when the run has no process here. */
  /** Training processes alive now. */
  get running(): number {
    return this.children.size;
  }

  cancel(runId: string): boolean {
    const entry = this.children.get(runId);
    if (!entry) return false;
    entry.cancelled = true;
    entry.child.kill('SIGTERM');
    const force = setTimeout(() => entry.child.kill('SIGKILL'), this.config.cancelGraceMs);
    entry.child.once('exit', () => clearTimeout(force));
    return true;
  }

  /** Process id of a run's child, for operators (and the crash test). */
  pidOf(runId: string): number | undefined {
    return this.children.get(runId)?.child.pid;
  }

  /** Kills every child, e.g. at shutdown; their runs end FAILED or CANCELLED as usual. */
  killAll(): void {
    for (const { child } of this.children.values()) child.kill('SIGKILL');
  }

  private async handle(message: ChildMessage, hooks: TrainingHooks, settle: (outcome: TrainingOutcome) => void): Promise<void> {
    switch (message.type) {
      case 'started': return hooks.onStarted(message);
      case 'metrics': return hooks.onMetrics(message.points);
      case 'progress': return hooks.onProgress(message.epochsCompleted, message.progress);
      case 'done': return settle({ kind: 'succeeded', artifact: message.artifact, evaluation: message.evaluation, summary: message.summary });
      case 'error': return settle({ kind: 'failed', error: message.message });
      case 'evaluated': return;
    }
  }
}

/** A readable reason for a child that died without saying why. */
function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }, stopped: { timedOut: boolean; overMemory: boolean }, config: TrainingConfig, stderr: string): string {
  if (stopped.overMemory) return `training process used more than TRAINING_MAX_MEMORY_MB (${config.maxMemoryMb.toLocaleString('en-US')} MB) of memory and was stopped`;
  if (stopped.timedOut) return `training exceeded TRAINING_TIMEOUT_SECONDS (${config.timeoutSeconds} s) and was stopped`;
  if (/heap out of memory|Allocation failed/i.test(stderr)) return `training process ran out of memory (TRAINING_MAX_MEMORY_MB is ${config.maxMemoryMb})`;
  if (exit.signal) return `training process was killed by ${exit.signal}`;
  return `training process exited with code ${exit.code}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`;
}

/** The compiled child entry (tests run from src/ but fork dist/). */
export function trainProcessScript(): string {
  return compiledScript('engines/trainer/train-process.js');
}
