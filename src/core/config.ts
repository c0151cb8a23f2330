import os from 'node:os';
import path from 'node:path';
import { packageRoot } from './package-root';

/** Which database the server talks to, parsed from `DATABASE_URL`. */
export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'mysql'; url: string; database: string };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Every setting of the server, read from the environment once at start. */
export interface Config {
  /** HTTP and WebSocket port (`PORT`, default 4000; 0 picks a free port). */
  port: number;
  /** `DATABASE_URL`: `sqlite:<file>` (default `sqlite:./data/aimass.sqlite`) or `mysql://user:pass@host:3306/db`. */
  database: DatabaseConfig;
  /** `LOG_LEVEL` (default `info`). */
  logLevel: LogLevel;
  /** `SEED_DEMO` (default true): load demo datasets and models into an empty database at start. */
  seedDemo: boolean;
  /** `MAX_UPLOAD_BYTES` (default 20 MB): the largest CSV accepted by createDataset/appendDatasetRows. */
  maxUploadBytes: number;
  /**
   * `MAX_REQUEST_BYTES` (default 4 MB): the largest request body from a key whose role cannot
   * upload datasets (VIEWER, APPROVER, PARTNER). DATA_SCIENTIST and ADMIN keys may send
   * MAX_UPLOAD_BYTES of CSV (twice that in bytes, for JSON escaping, plus 1 MB).
   */
  maxRequestBytes: number;
  /**
   * `DATASET_IMPORT_DIR` (default unset = off): a server-side folder from which createDataset may
   * read a CSV file by path. Files are streamed, so they may exceed MAX_UPLOAD_BYTES.
   */
  datasetImportDir: string | null;
  /** `MAX_DATASET_COLUMNS` (default 2000): the most columns a dataset's CSV may have. */
  maxDatasetColumns: number;
  /** `MAX_PAGE_SIZE` (default 100): the largest `first` a list accepts. */
  maxPageSize: number;
  /** `VALIDATION_PERIOD_MONTHS_HIGH`, `…_MEDIUM`, `…_LOW` (12, 24, 36): how long a validation's approval holds, per risk tier. */
  revalidationMonths: Record<'HIGH' | 'MEDIUM' | 'LOW', number>;
  /** `SHUTDOWN_GRACE_MS` (default 10000): how long SIGTERM waits for requests in flight. */
  shutdownGraceMs: number;
  /**
   * `HTTP_KEEP_ALIVE_TIMEOUT_MS` (default 65000): how long an idle HTTP keep-alive connection is
   * kept, and advertised in `Keep-Alive: timeout=`. Longer than a load balancer's idle timeout
   * (60 s for AWS ALB and nginx), so the client side, not the server, closes idle connections.
   */
  keepAliveTimeoutMs: number;
  /** `MAX_CONNECTIONS` (default 10000): open HTTP and WebSocket connections at once; more are closed as they arrive. */
  maxConnections: number;
  /**
   * `AIMASS_BOOTSTRAP_ADMIN_KEY` (default unset): the ADMIN key created when the database has no
   * key yet. Unset: a key is generated and printed once at start-up.
   */
  bootstrapAdminKey: string | null;
  /** `INTROSPECTION` (default true): whether clients may read the schema through introspection. */
  introspection: boolean;
  /**
   * `CONSOLE_DIR` (default `dist/console`, which `npm run build` writes): the built web console,
   * served at `/` and `/graphiql`.
   */
  consoleDir: string;
  /**
   * `CORS_ORIGINS` (default empty): browser origins allowed to call the API, exact and
   * comma-separated (e.g. `https://console.bank.example,https://app.bank.example`). Others get no
   * CORS headers, and Apollo's CSRF protection stays on for every request.
   */
  corsOrigins: string[];
  /**
   * `REDIS_URL` (default unset: events and queues in this process) and `REDIS_PREFIX` (default
   * `aimass`): with a URL, events go over Redis pub/sub and jobs over BullMQ, so several API
   * instances and workers form one cluster. The prefix namespaces its channels, keys and queues.
   */
  redis: { url: string; prefix: string } | null;
  /**
   * `SCHEDULER_LEASE_SECONDS` (default 15): in a cluster, the process holding this lease runs the
   * schedules (alert evaluation, drift checks, retention); if it dies another takes over within
   * about this long.
   */
  schedulerLeaseSeconds: number;
  /** `RETRAIN_CHECK_SECONDS` (default 15): how often the scheduler's holder looks for retrain policies due by their cron. */
  retrainCheckSeconds: number;
  /** `WORKER_HEARTBEAT_SECONDS` (default 5): a worker's heartbeat period; silent for three, it leaves systemInfo.workers. */
  heartbeatSeconds: number;
  /** Limits on each operation, the same over HTTP and WebSocket. */
  limits: QueryLimits;
  /**
   * Per-key token buckets, by role, plus ANONYMOUS: per client address, the budget of requests and
   * WebSocket connections that fail authentication (no key, a bad key); past it, 429 before any check.
   */
  rateLimits: Record<RateLimitedRole, RateLimit | null>;
  training: TrainingConfig;
  serving: ServingConfig;
  monitoring: MonitoringConfig;
  webhooks: WebhookConfig;
  /**
   * `PERSISTED_OPERATIONS_ONLY` (default false) with `PERSISTED_OPERATIONS_FILE` (an Apollo
   * persisted query manifest, e.g. from `npm run persisted:manifest`): only those operations run,
   * on every transport.
   */
  persistedOperationsFile: string | null;
}

export interface WebhookConfig {
  /** `WEBHOOK_ALLOW_PRIVATE` (default false): allow webhook URLs that resolve to loopback, private or link-local addresses (off: an SSRF guard). */
  allowPrivate: boolean;
  /** `WEBHOOK_MAX_ATTEMPTS` (default 8): attempts of one delivery before it is dead-lettered. */
  maxAttempts: number;
  /** `WEBHOOK_RETRY_BASE_MS` (default 1000): the first retry's delay; each next one doubles (with full jitter), at most 10 minutes. */
  retryBaseMs: number;
  /** `WEBHOOK_TIMEOUT_MS` (default 5000): how long one attempt waits for the receiver's answer. */
  timeoutMs: number;
  /** `WEBHOOK_CONCURRENCY` (default 4): deliveries in flight per process, so slow receivers cannot take more. */
  concurrency: number;
  /** `WEBHOOK_POLL_MS` (default 500): how often a process looks for deliveries due while it knows of unfinished ones (idle: at start, every 5 minutes, and when an event is written). */
  pollMs: number;
  /**
   * `SMTP_URL` (default unset: no e-mail), e.g. `smtp://user:pass@mail.example.com:587` or
   * `smtps://…:465`; with `ALERT_EMAIL_TO` (comma-separated), alerts at or above
   * `ALERT_EMAIL_MIN_SEVERITY` (default WARNING) are mailed as they open and resolve, from
   * `ALERT_EMAIL_FROM` (default `aimass <aimass@localhost>`).
   */
  email: { smtpUrl: string; to: string[]; from: string; minSeverity: 'INFO' | 'WARNING' | 'CRITICAL' } | null;
}

export interface MonitoringConfig {
  /** `HEALTH_INTERVAL_SECONDS` (default 5; 0 = off): how often a health snapshot is taken and alert rules are evaluated. */
  intervalSeconds: number;
  /** `HEALTH_WINDOW_SECONDS` (default 60): the sliding window rates and percentiles cover. */
  windowSeconds: number;
  /** `HEALTH_PERSIST_SECONDS` (default 60): one snapshot this often is stored for healthHistory. */
  persistSeconds: number;
  /** `HEALTH_RETENTION_DAYS` (default 7): stored snapshots older than this are deleted. */
  retentionDays: number;
  /** `MAX_RSS_MB` (default 2048): the memory budget the built-in RSS rule compares with (alert above 80 %). */
  maxRssMb: number;
  /** `DRIFT_CHECK_INTERVAL_SECONDS` (default 300; 0 = off): how often PRODUCTION models are checked for drift. */
  driftCheckSeconds: number;
  /** `DRIFT_WINDOW_SECONDS` (default 3600): served rows of this recent period are compared with training. */
  driftWindowSeconds: number;
  /** `DRIFT_MIN_ROWS` (default 500): fewer served rows than this give status INSUFFICIENT_DATA, and no drift alert. */
  driftMinRows: number;
}

const DURABILITY = ['DURABLE', 'ASYNC'] as const;

export interface ServingConfig {
  /** `MAX_PREDICT_ROWS` (default 10000): most rows in one predict request. */
  maxPredictRows: number;
  /** `MICRO_BATCHING` (default true): coalesce concurrent predicts of one version into one tensor call. */
  microBatching: boolean;
  /** `MICRO_BATCH_MAX_SIZE` (default 256): most rows in one coalesced call. */
  maxBatchSize: number;
  /** `MICRO_BATCH_MAX_DELAY_MS` (default 2): the longest a request may wait for others to join its batch. */
  maxBatchDelayMs: number;
  /** `MICRO_BATCH_POLICY` (default ADAPTIVE): ADAPTIVE sends a batch as soon as the model is idle and waiting no longer pays; FIXED waits MICRO_BATCH_MAX_DELAY_MS for every batch. */
  batchPolicy: 'ADAPTIVE' | 'FIXED';
  /** `MODEL_CACHE_MAX_MB` (default 512): weights kept loaded, least recently used dropped first. */
  modelCacheMaxMb: number;
  /** `PREDICT_UNKNOWN_FIELDS` (default IGNORE): what predict does with row fields the model does not use: IGNORE or REJECT. */
  unknownFields: 'IGNORE' | 'REJECT';
  /**
   * `PREDICTION_LOG_DURABILITY_PRODUCTION` / `_PREVIEW` / `_TEST` (default DURABLE / ASYNC / ASYNC):
   * DURABLE answers a predict only once its rows are committed (group commit); ASYNC writes them
   * within PREDICTION_LOG_FLUSH_MS, sampled, and may lose the last ones in a crash.
   */
  logDurability: Record<'PRODUCTION' | 'PREVIEW' | 'TEST', 'DURABLE' | 'ASYNC'>;
  /** `PREDICTION_LOG_SAMPLE_RATE` (default 1): share of served rows of ASYNC environments written to the prediction log, 0 to 1 (DURABLE ones keep every row). */
  logSampleRate: number;
  /** `PREDICTION_LOG_RETENTION_DAYS` (default 30): older log rows are deleted hourly; 0 keeps them forever. */
  logRetentionDays: number;
  /** `PREDICTION_LOG_FLUSH_MS` (default 250): how often buffered log rows are written. */
  logFlushMs: number;
  /** `PREDICT_TIMEOUT_MS` (default 10000): a predict call's deadline when it names none; past it the answer is TIMEOUT. */
  timeoutMs: number;
  /** `MAX_PREDICT_TIMEOUT_MS` (default 60000): the longest deadline a call may ask for (PredictInput.timeoutMs). */
  maxTimeoutMs: number;
  /** `PREDICT_POOL_THREADS` (default: cores − 1, at least 1; 0 = off): worker threads for large predicts and explanations. */
  poolThreads: number;
  /** `PREDICT_POOL_MIN_ROWS` (default 500): requests of this many rows or more score on the pool; smaller ones micro-batch on the event loop. */
  poolMinRows: number;
  /** `PREDICT_CONCURRENCY_PRODUCTION` / `_PREVIEW` / `_TEST` (default 64 / 16 / 16): predict calls each environment runs at once. */
  environmentConcurrency: Record<'PRODUCTION' | 'PREVIEW' | 'TEST', number>;
  /**
   * `PREDICT_YIELD_CONCURRENCY` (default 1; 0 = off): while PRODUCTION is serving, PREVIEW and
   * TEST run at most this many predicts at once (the rest wait in their queues).
   */
  yieldConcurrency: number;
  /** `PREDICT_QUEUE_LIMIT` (default 1000): calls that may wait per environment beyond that; more are SERVICE_UNAVAILABLE. */
  queueLimit: number;
  /** `MAX_PREDICT_CELLS` (default 500000): rows × features (× features + 1 with explain) in one call. */
  maxCells: number;
  /** `MAX_PREDICT_CELLS_PARTNER` (default 100000): the same limit for PARTNER keys. */
  maxCellsPartner: number;
}

export interface TrainingConfig {
  /** `TRAINING_CONCURRENCY` (default: cores − 1, at least 1): training processes at once. */
  concurrency: number;
  /** `TRAINING_MAX_MEMORY_MB` (default 2048): V8 heap limit of each training process. */
  maxMemoryMb: number;
  /** `TRAINING_TIMEOUT_SECONDS` (default 3600): wall-clock limit of one run. */
  timeoutSeconds: number;
  /** `TFJS_BACKEND` (default: the fastest that loads): tensorflow, wasm or cpu. */
  backend: 'tensorflow' | 'wasm' | 'cpu' | null;
  /** `TRAINING_CANCEL_GRACE_MS` (default 3000): SIGTERM to SIGKILL delay when cancelling. */
  cancelGraceMs: number;
  /**
   * `TRAINING_WARM_CHILDREN` (default 1): idle training children kept with TensorFlow.js and its
   * backend loaded, so a run skips the child's start (each child still runs one job only).
   * Idle children do not count in TRAINING_CONCURRENCY; 0 forks a child per run.
   */
  warmChildren?: number;
  /**
   * `TRAINING_SHUTDOWN_GRACE_SECONDS` (default 30): on SIGTERM, how long running trainings may go
   * on to finish; those still running then are stopped and put back in the queue, not failed.
   */
  shutdownGraceSeconds: number;
  /** `MAX_QUEUED_RUNS` (default 1000): runs waiting in all; past it startTrainingRun is SERVICE_UNAVAILABLE. */
  maxQueuedRuns: number;
  /** `MAX_QUEUED_RUNS_PER_KEY` (default 50): runs one API key may have waiting; past it RATE_LIMITED. */
  maxQueuedRunsPerKey: number;
  /**
   * `RUN_WORKER` (default true): this process trains runs and scores batch predictions from the
   * queue. false (an API-only instance) needs REDIS_URL: workers elsewhere (`npm run worker`) do it.
   */
  runWorker: boolean;
  /**
   * `TRAINING_STALLED_POLICY` (default RETRY): a run whose worker stopped (its job lock ran out) is
   * trained once more from the start by another worker (RETRY; a second stop fails it), or FAILED
   * at once (FAIL). Cluster form only.
   */
  stalledPolicy: 'RETRY' | 'FAIL';
  /**
   * `WORKER_LOCK_SECONDS` (default 30) and `WORKER_STALLED_CHECK_SECONDS` (default 15): a job's
   * lock, renewed by its living worker; and how often workers look for jobs whose lock ran out.
   * A dead worker's run is taken up within about their sum.
   */
  lockSeconds: number;
  stalledCheckSeconds: number;
}

export interface QueryLimits {
  /** `MAX_QUERY_DEPTH` (default 10): deepest field nesting. */
  maxDepth: number;
  /** `MAX_QUERY_COST` (default 10000): estimated cost; a list field costs its `first` times its selection. */
  maxCost: number;
  /** `MAX_QUERY_ALIASES` (default 30): aliases in one operation. */
  maxAliases: number;
  /** `MAX_QUERY_TOKENS` (default 5000): lexical tokens in one document, checked while parsing. */
  maxTokens: number;
  /** `MAX_SUBSCRIPTIONS_PER_CONNECTION` (default 20): live subscriptions on one WebSocket. */
  maxSubscriptionsPerConnection: number;
  /** `WS_CONNECTION_INIT_TIMEOUT_MS` (default 3000): a WebSocket that sends no connection_init by then is closed (4408). */
  connectionInitTimeoutMs: number;
  /** `MAX_SELECTION_FIELDS` (default 100): fields and fragments in one selection set, checked before validation. */
  maxSelectionFields: number;
  /** `MAX_QUERY_SELECTIONS` (default 1000): fields and fragments in the whole document, checked before validation. */
  maxSelections: number;
}

export const RATE_LIMITED_ROLES = ['VIEWER', 'DATA_SCIENTIST', 'APPROVER', 'VALIDATOR', 'ADMIN', 'PARTNER', 'ANONYMOUS'] as const;
export type RateLimitedRole = (typeof RATE_LIMITED_ROLES)[number];

/** A token bucket: `perSecond` tokens added each second, at most `burst` saved up. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

const DEFAULT_RATE_LIMITS: Record<RateLimitedRole, RateLimit> = {
  VIEWER: { perSecond: 50, burst: 100 },
  DATA_SCIENTIST: { perSecond: 50, burst: 100 },
  APPROVER: { perSecond: 50, burst: 100 },
  VALIDATOR: { perSecond: 50, burst: 100 },
  ADMIN: { perSecond: 100, burst: 200 },
  PARTNER: { perSecond: 20, burst: 40 },
  ANONYMOUS: { perSecond: 5, burst: 10 },
};

/** Thrown when an environment variable has a bad value; lists every bad variable at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses and validates the configuration; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${env[name]}"`);
    return fallback;
  };

  const oneOf = <T extends string>(name: string, values: readonly T[]): T | null => {
    const raw = read(name);
    if (raw === undefined) return null;
    if (!values.includes(raw as T)) problems.push(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    return values.includes(raw as T) ? (raw as T) : null;
  };

  const fraction = (name: string, fallback: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      problems.push(`${name} must be a number from 0 to 1, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const origins = (name: string): string[] => {
    const list = (read(name) ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
    for (const origin of list) {
      let url: URL | null = null;
      try {
        url = new URL(origin);
      } catch {
        // reported below
      }
      // An origin is scheme://host[:port] exactly, as browsers send it: no path, no wildcard.
      if (!url || url.origin !== origin) problems.push(`${name} must list origins like https://app.example.com (scheme, host, optional port; no path or wildcard), got "${origin}"`);
    }
    return list;
  };

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const importDir = read('DATASET_IMPORT_DIR');
  const bootstrapAdminKey = read('AIMASS_BOOTSTRAP_ADMIN_KEY') ?? null;
  if (bootstrapAdminKey !== null && bootstrapAdminKey.length < 24) {
    problems.push('AIMASS_BOOTSTRAP_ADMIN_KEY must be at least 24 characters (use a random secret)');
  }
  const rateLimits = Object.fromEntries(RATE_LIMITED_ROLES.map((role) => {
    const name = `RATE_LIMIT_${role}`;
    const raw = read(name);
    if (raw === undefined) return [role, DEFAULT_RATE_LIMITS[role]];
    if (raw.toLowerCase() === 'off') return [role, null];
    const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(raw);
    if (!match || Number(match[1]) <= 0 || Number(match[2]) < 1) {
      problems.push(`${name} must be "<requests per second>/<burst>" (e.g. 50/100) or "off", got "${raw}"`);
      return [role, DEFAULT_RATE_LIMITS[role]];
    }
    return [role, { perSecond: Number(match[1]), burst: Number(match[2]) }];
  })) as Record<RateLimitedRole, RateLimit | null>;

  const config: Config = {
    port: integer('PORT', 4000, 0, 65535),
    database: parseDatabaseUrl(read('DATABASE_URL') ?? 'sqlite:./data/aimass.sqlite', problems),
    logLevel,
    seedDemo: boolean('SEED_DEMO', true),
    maxUploadBytes: integer('MAX_UPLOAD_BYTES', 20 * 1024 * 1024, 1024, 2 ** 31 - 1),
    maxRequestBytes: integer('MAX_REQUEST_BYTES', 4 * 1024 * 1024, 1024, 2 ** 31 - 1),
    datasetImportDir: importDir ? path.resolve(importDir) : null,
    maxDatasetColumns: integer('MAX_DATASET_COLUMNS', 2000, 1, 100_000),
    maxPageSize: integer('MAX_PAGE_SIZE', 100, 1, 10_000),
    revalidationMonths: {
      HIGH: integer('VALIDATION_PERIOD_MONTHS_HIGH', 12, 1, 120),
      MEDIUM: integer('VALIDATION_PERIOD_MONTHS_MEDIUM', 24, 1, 120),
      LOW: integer('VALIDATION_PERIOD_MONTHS_LOW', 36, 1, 120),
    },
    shutdownGraceMs: integer('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    // At least 1 s: Node reads 0 as "never time out", and the advertised hint is in whole seconds.
    keepAliveTimeoutMs: integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1000, 3_600_000),
    maxConnections: integer('MAX_CONNECTIONS', 10_000, 1, 10_000_000),
    bootstrapAdminKey,
    introspection: boolean('INTROSPECTION', true),
    consoleDir: path.resolve(read('CONSOLE_DIR') ?? path.join(packageRoot(), 'dist', 'console')),
    corsOrigins: origins('CORS_ORIGINS'),
    redis: parseRedis(read('REDIS_URL'), read('REDIS_PREFIX') ?? 'aimass', problems),
    schedulerLeaseSeconds: integer('SCHEDULER_LEASE_SECONDS', 15, 2, 3600),
    retrainCheckSeconds: integer('RETRAIN_CHECK_SECONDS', 15, 1, 3600),
    heartbeatSeconds: integer('WORKER_HEARTBEAT_SECONDS', 5, 1, 600),
    limits: {
      maxDepth: integer('MAX_QUERY_DEPTH', 10, 2, 100),
      maxCost: integer('MAX_QUERY_COST', 10_000, 10, 10_000_000),
      maxAliases: integer('MAX_QUERY_ALIASES', 30, 0, 10_000),
      maxTokens: integer('MAX_QUERY_TOKENS', 5000, 100, 1_000_000),
      maxSubscriptionsPerConnection: integer('MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 10_000),
      connectionInitTimeoutMs: integer('WS_CONNECTION_INIT_TIMEOUT_MS', 3000, 100, 600_000),
      maxSelectionFields: integer('MAX_SELECTION_FIELDS', 100, 1, 100_000),
      maxSelections: integer('MAX_QUERY_SELECTIONS', 1000, 1, 1_000_000),
    },
    rateLimits,
    training: {
      concurrency: integer('TRAINING_CONCURRENCY', Math.max(1, os.cpus().length - 1), 1, 256),
      maxMemoryMb: integer('TRAINING_MAX_MEMORY_MB', 2048, 64, 1_048_576),
      timeoutSeconds: integer('TRAINING_TIMEOUT_SECONDS', 3600, 1, 7 * 24 * 3600),
      backend: oneOf('TFJS_BACKEND', ['tensorflow', 'wasm', 'cpu'] as const),
      cancelGraceMs: integer('TRAINING_CANCEL_GRACE_MS', 3000, 0, 600_000),
      warmChildren: integer('TRAINING_WARM_CHILDREN', 1, 0, 64),
      shutdownGraceSeconds: integer('TRAINING_SHUTDOWN_GRACE_SECONDS', 30, 0, 3600),
      maxQueuedRuns: integer('MAX_QUEUED_RUNS', 1000, 1, 1_000_000),
      maxQueuedRunsPerKey: integer('MAX_QUEUED_RUNS_PER_KEY', 50, 1, 1_000_000),
      runWorker: boolean('RUN_WORKER', true),
      stalledPolicy: oneOf('TRAINING_STALLED_POLICY', ['RETRY', 'FAIL'] as const) ?? 'RETRY',
      lockSeconds: integer('WORKER_LOCK_SECONDS', 30, 1, 3600),
      stalledCheckSeconds: integer('WORKER_STALLED_CHECK_SECONDS', 15, 1, 3600),
    },
    serving: {
      maxPredictRows: integer('MAX_PREDICT_ROWS', 10_000, 1, 1_000_000),
      microBatching: boolean('MICRO_BATCHING', true),
      maxBatchSize: integer('MICRO_BATCH_MAX_SIZE', 256, 1, 100_000),
      maxBatchDelayMs: integer('MICRO_BATCH_MAX_DELAY_MS', 2, 0, 1000),
      batchPolicy: oneOf('MICRO_BATCH_POLICY', ['ADAPTIVE', 'FIXED'] as const) ?? 'ADAPTIVE',
      modelCacheMaxMb: integer('MODEL_CACHE_MAX_MB', 512, 1, 1_048_576),
      unknownFields: oneOf('PREDICT_UNKNOWN_FIELDS', ['IGNORE', 'REJECT'] as const) ?? 'IGNORE',
      logDurability: {
        PRODUCTION: oneOf('PREDICTION_LOG_DURABILITY_PRODUCTION', DURABILITY) ?? 'DURABLE',
        PREVIEW: oneOf('PREDICTION_LOG_DURABILITY_PREVIEW', DURABILITY) ?? 'ASYNC',
        TEST: oneOf('PREDICTION_LOG_DURABILITY_TEST', DURABILITY) ?? 'ASYNC',
      },
      logSampleRate: fraction('PREDICTION_LOG_SAMPLE_RATE', 1),
      logRetentionDays: integer('PREDICTION_LOG_RETENTION_DAYS', 30, 0, 36_500),
      logFlushMs: integer('PREDICTION_LOG_FLUSH_MS', 250, 10, 60_000),
      timeoutMs: integer('PREDICT_TIMEOUT_MS', 10_000, 1, 3_600_000),
      maxTimeoutMs: integer('MAX_PREDICT_TIMEOUT_MS', 60_000, 1, 3_600_000),
      poolThreads: integer('PREDICT_POOL_THREADS', Math.max(1, os.cpus().length - 1), 0, 256),
      poolMinRows: integer('PREDICT_POOL_MIN_ROWS', 500, 1, 1_000_000),
      environmentConcurrency: {
        PRODUCTION: integer('PREDICT_CONCURRENCY_PRODUCTION', 64, 1, 100_000),
        PREVIEW: integer('PREDICT_CONCURRENCY_PREVIEW', 16, 1, 100_000),
        TEST: integer('PREDICT_CONCURRENCY_TEST', 16, 1, 100_000),
      },
      queueLimit: integer('PREDICT_QUEUE_LIMIT', 1000, 0, 1_000_000),
      yieldConcurrency: integer('PREDICT_YIELD_CONCURRENCY', 1, 0, 100_000),
      maxCells: integer('MAX_PREDICT_CELLS', 500_000, 1, 1_000_000_000),
      maxCellsPartner: integer('MAX_PREDICT_CELLS_PARTNER', 100_000, 1, 1_000_000_000),
    },
    monitoring: {
      intervalSeconds: integer('HEALTH_INTERVAL_SECONDS', 5, 0, 3600),
      windowSeconds: integer('HEALTH_WINDOW_SECONDS', 60, 5, 3600),
      persistSeconds: integer('HEALTH_PERSIST_SECONDS', 60, 1, 86_400),
      retentionDays: integer('HEALTH_RETENTION_DAYS', 7, 1, 3650),
      maxRssMb: integer('MAX_RSS_MB', 2048, 64, 1_048_576),
      driftCheckSeconds: integer('DRIFT_CHECK_INTERVAL_SECONDS', 300, 0, 86_400),
      driftWindowSeconds: integer('DRIFT_WINDOW_SECONDS', 3600, 60, 30 * 86_400),
      driftMinRows: integer('DRIFT_MIN_ROWS', 500, 1, 1_000_000),
    },
    persistedOperationsFile: (() => {
      const only = boolean('PERSISTED_OPERATIONS_ONLY', false);
      const file = read('PERSISTED_OPERATIONS_FILE') ?? null;
      if (only && !file) problems.push('PERSISTED_OPERATIONS_ONLY is true but PERSISTED_OPERATIONS_FILE names no manifest');
      return only ? file : null;
    })(),
    webhooks: {
      allowPrivate: boolean('WEBHOOK_ALLOW_PRIVATE', false),
      maxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
      retryBaseMs: integer('WEBHOOK_RETRY_BASE_MS', 1000, 1, 3_600_000),
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', 5000, 100, 120_000),
      concurrency: integer('WEBHOOK_CONCURRENCY', 4, 1, 256),
      pollMs: integer('WEBHOOK_POLL_MS', 500, 10, 60_000),
      email: (() => {
        const smtpUrl = read('SMTP_URL');
        const to = (read('ALERT_EMAIL_TO') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
        const minSeverity = oneOf('ALERT_EMAIL_MIN_SEVERITY', ['INFO', 'WARNING', 'CRITICAL'] as const) ?? 'WARNING';
        const from = read('ALERT_EMAIL_FROM') ?? 'aimass <aimass@localhost>';
        if (!smtpUrl) return null;
        if (!/^smtps?:\/\//.test(smtpUrl)) problems.push(`SMTP_URL must start with smtp:// or smtps://, got "${smtpUrl.replace(/\/\/[^@]*@/, '//…@')}"`);
        if (!to.length) problems.push('SMTP_URL is set but ALERT_EMAIL_TO names no recipient');
        return { smtpUrl, to, from, minSeverity };
      })(),
    },
  };
  if (!config.training.runWorker && !config.redis) problems.push('RUN_WORKER=false needs REDIS_URL: without a shared queue nothing would train');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseRedis(url: string | undefined, prefix: string, problems: string[]): Config['redis'] {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) problems.push(`REDIS_PREFIX must be 1 to 64 letters, digits, '.', '_' or '-', got "${prefix.slice(0, 80)}"`);
  if (url === undefined) return null;
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) {
    problems.push(`REDIS_URL must be redis://host:port or rediss://…, got "${redactUrl(url)}"`);
    return null;
  }
  return { url, prefix };
}

function parseDatabaseUrl(raw: string, problems: string[]): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) problems.push('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/aimass.sqlite');
    return { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
  }
  if (raw.startsWith('mysql://') || raw.startsWith('mariadb://')) {
    try {
      const url = new URL(raw.replace(/^mariadb:/, 'mysql:'));
      const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
      if (!url.hostname || !database) throw new Error('missing host or database');
      return { kind: 'mysql', url: url.toString(), database };
    } catch {
      problems.push(`DATABASE_URL must look like mysql://user:pass@host:3306/database, got "${redactUrl(raw)}"`);
      return { kind: 'sqlite', file: ':memory:' };
    }
  }
  problems.push(`DATABASE_URL must start with sqlite: or mysql://, got "${redactUrl(raw)}"`);
  return { kind: 'sqlite', file: ':memory:' };
}

/** Hides the password of a database URL for logs and error messages. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
