import type { Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from '../../core/logger';

/**
 * TypeORM logger that counts every SQL statement and forwards it to pino at debug level.
 * The count is how tests and benchmarks prove a nested query issues a constant number of
 * statements (DataLoaders doing their job).
 */
export class QueryCounter implements TypeOrmLogger {
  private statements = 0;

  constructor(private readonly logger?: Logger) {}

  /** Statements issued since the process started (or since the last reset). */
  get count(): number {
    return this.statements;
  }

  reset(): void {
    this.statements = 0;
  }

  logQuery(query: string, parameters?: unknown[]): void {
    this.statements++;
    if (this.logger?.isLevelEnabled('trace')) this.logger.trace({ query, parameters }, 'sql');
  }
  logQueryError(error: string | Error, query: string): void {
    this.logger?.debug({ err: error, query }, 'sql error');
  }
  logQuerySlow(time: number, query: string): void {
    this.logger?.warn({ time, query }, 'slow sql');
  }
  logSchemaBuild(message: string): void {
    this.logger?.debug(message);
  }
  logMigration(message: string): void {
    this.logger?.info(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger?.warn(String(message));
    else this.logger?.debug(String(message));
  }
}
