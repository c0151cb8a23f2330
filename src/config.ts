import path from 'node:path';

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
   * `DATASET_IMPORT_DIR` (default unset = off): a server-side folder from which createDataset may
   * read a CSV file by path. Files are streamed, so they may exceed MAX_UPLOAD_BYTES.
   */
  datasetImportDir: string | null;
  /** `MAX_PAGE_SIZE` (default 100): the largest `first` a list accepts. */
  maxPageSize: number;
  /** `SHUTDOWN_GRACE_MS` (default 10000): how long SIGTERM waits for requests in flight. */
  shutdownGraceMs: number;
}

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

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const importDir = read('DATASET_IMPORT_DIR');

  const config: Config = {
    port: integer('PORT', 4000, 0, 65535),
    database: parseDatabaseUrl(read('DATABASE_URL') ?? 'sqlite:./data/aimass.sqlite', problems),
    logLevel,
    seedDemo: boolean('SEED_DEMO', true),
    maxUploadBytes: integer('MAX_UPLOAD_BYTES', 20 * 1024 * 1024, 1024, 2 ** 31 - 1),
    datasetImportDir: importDir ? path.resolve(importDir) : null,
    maxPageSize: integer('MAX_PAGE_SIZE', 100, 1, 10_000),
    shutdownGraceMs: integer('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
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
