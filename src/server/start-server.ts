import 'reflect-metadata';
import type http from 'node:http';
import { redactUrl, type Config } from '../core/config';
import { createLogger, type Logger } from '../core/logger';
import { Database } from '../engines/db/database';
import type { Services } from '../modules/shared/context';
import type { AimassModule } from '../modules/shared/module-definition';
import { ContextFactory } from './context';
import { checkRegistry, databaseSchema, MODULES } from './registry';
import { createSchema } from './schema';
import { createServices } from './services';
import { startTransports } from './transport/http';
import { RequestGate } from './transport/request-gate';
import { RequestObserver } from './transport/request-observer';

export interface StartOptions {
  /** HTTP and WebSocket port; PORT (config.port) by default, 0 for a free one. */
  port?: number;
  /** false: everything but the HTTP and WebSocket listeners (scripts and benchmark fixtures). Default true. */
  listen?: boolean;
  /**
   * false: build and initialise the modules but start no background work (queues stay unconsumed,
   * no timers), so service tests can drive state transitions step by step. Default true.
   */
  start?: boolean;
  /** Loads data once the modules are initialised and before anything starts (main.ts: the demo seed). */
  seed?: (services: Services) => Promise<unknown>;
  /** Keys, limits, rate limits and audit off: the security benchmark's baseline only. */
  insecure?: boolean;
  /** The modules to run (the registry's by default). */
  modules?: readonly AimassModule[];
  /** Where logs go; a pino logger at LOG_LEVEL on stdout by default (tests pass one that records). */
  log?: Logger;
  /** The training child's script: the compiled train-process by default (tests: a wrapper that pauses it at a chosen point). */
  trainingProcess?: string;
}

/** A started aimass: its services, where it listens (unless listen: false), and how to stop it. */
export interface RunningServer {
  services: Services;
  /** `http://127.0.0.1:<port>/graphql`; empty with listen: false. */
  url: string;
  port: number;
  httpServer: http.Server | null;
  /** Stops in reverse start order: listeners (requests in flight finish), modules, database. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts aimass: the one start path of main.ts, the tests, the benchmarks and the scripts. The
 * order is written once, here:
 * 1. open the database and apply every module's migrations;
 * 2. build the platform and each module's services, in registry order;
 * 3. delete artifacts left by writes that died (older than an hour);
 * 4. `init` each module (the first ADMIN key, built-in alert rules, open alerts);
 * 5. seed, when asked;
 * 6. `start` each module (recover and consume the job queues, the prediction log, monitoring);
 * 7. listen on HTTP and WebSocket.
 * `close()` undoes it in reverse. A failure part-way stops what had started and rethrows.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const modules = options.modules ?? MODULES;
  checkRegistry(modules);
  const log = options.log ?? createLogger(config.logLevel);
  const db = await Database.open(config.database, databaseSchema(modules), log);
  log.info({ database: config.database.kind, where: config.database.kind === 'sqlite' ? config.database.file : redactUrl(config.database.url) }, 'database ready, migrations applied');
  const started: AimassModule[] = [];
  let services: Services | undefined;
  const stopModules = async () => {
    for (const module of started.splice(0).reverse()) await module.stop?.(services!);
  };
  try {
    services = createServices(config, db, log, modules, { trainingProcess: options.trainingProcess });
    await services.redis?.connected();
    const swept = await services.artifacts.deleteOrphans(modules.flatMap((m) => m.artifactReferences ?? []));
    if (swept) log.info({ swept }, 'deleted artifacts left by failed writes');
    for (const module of modules) await module.init?.(services);
    if (options.seed) await options.seed(services);
    if (options.start !== false) {
      for (const module of modules) {
        started.push(module);
        await module.start?.(services);
      }
    }
    const transports = options.listen === false ? null : await listen(services, modules, options);
    let closing: Promise<void> | null = null;
    return {
      services,
      url: transports?.url ?? '',
      port: transports?.port ?? 0,
      httpServer: transports?.httpServer ?? null,
      close: () => (closing ??= (async () => {
        await transports?.close();
        await stopModules();
        await services!.redis?.close();
        await db.close();
      })()),
    };
  } catch (error) {
    await stopModules().catch((stopError) => log.error({ err: stopError }, 'could not stop after a failed start'));
    await services?.redis?.close();
    await db.close();
    throw error;
  }
}

/** The schema, the request pipeline and the HTTP + WebSocket listeners over started services. */
async function listen(services: Services, modules: readonly AimassModule[], options: StartOptions) {
  const { config, log, db, prometheus, requestStats, apiKeys, audit, events } = services;
  const schema = await createSchema({ events, insecure: options.insecure, modules });
  return startTransports(schema, {
    config, log, db, redis: services.redis, prometheus, events, apiKeys, network: services.network,
    routes: modules.flatMap((m) => m.httpRoutes ?? []), services, audit,
    contexts: new ContextFactory(services, modules),
    gate: new RequestGate(schema, config, { apiKeys, audit, log, buckets: services.buckets }, options.insecure),
    observer: new RequestObserver({ log, requestStats, prometheus, maxTokens: config.limits.maxTokens }),
  }, options.port ?? config.port);
}
