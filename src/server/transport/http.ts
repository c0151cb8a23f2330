import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { errorCodeOf, forbidden, serviceUnavailable } from '../../core/errors';
import type { AuditService } from '../../modules/auth/audit.service';
import type { HttpRoute } from '../../modules/shared/module-definition';
import type { Services } from '../../modules/shared/context';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { databaseUnavailable } from '../../engines/db/unreachable';
import type { RedisConnections } from '../../engines/cluster/redis-connections';
import type { Database } from '../../engines/db/database';
import type { NetworkCounters } from '../../engines/telemetry/network-counters';
import type { PrometheusMetrics } from '../../engines/telemetry/prometheus';
import type { ApiKeyService } from '../../modules/auth/api-key.service';
import type { Context } from '../../modules/shared/context';
import type { EventBus } from '../../modules/shared/topics';
import type { ContextFactory } from '../context';
import type { Caller } from '../../modules/shared/caller';
import { answerClientErrors } from './client-error';
import { applyConnectionLimits } from './connection-limits';
import { createErrorFormatter } from './format-error';
import { mountConsole, schemaRoute } from './console-routes';
import { createSseHandler } from './sse';
import { statusOfCode } from './status-of-code';
import type { RequestGate } from './request-gate';
import { requestIdFrom, type RequestObserver } from './request-observer';
import { startWsServer } from './ws';

/** Listening transports: the URL and a graceful stop. */
export interface Transports {
  url: string;
  port: number;
  httpServer: http.Server;
  /** Stops accepting, lets requests in flight finish (up to SHUTDOWN_GRACE_MS), closes sockets. */
  close(): Promise<void>;
}

/** What the transports need: settings, the request pipeline, and the few engines the side routes read. */
export interface TransportDeps {
  config: Config;
  log: Logger;
  /** For /readyz. */
  db: Pick<Database, 'isReady'>;
  redis: Pick<RedisConnections, 'ready'> | null;
  /** For /metrics. */
  prometheus: PrometheusMetrics;
  contexts: ContextFactory;
  gate: RequestGate;
  observer: RequestObserver;
  /** Revocations, for the WebSocket transport. */
  events: EventBus;
  /** Bytes and connections, for health snapshots. */
  network: NetworkCounters;
  apiKeys: Pick<ApiKeyService, 'activeKeyIds'>;
  /** The modules' plain HTTP routes (exports), their services, and the audit log they write to. */
  routes: readonly HttpRoute[];
  services: Services;
  audit: Pick<AuditService, 'record'>;
}

/** What the /graphql middlewares leave for each other and the context function in `res.locals`. */
interface GraphQLLocals {
  requestId: string;
  startedAt: number;
  clientAddress: string | null;
  /** Set once the gate admitted the request. */
  caller?: Caller;
  /** The body limit that applied (for the 413 message). */
  bodyLimit?: number;
}

/** What a refused request's body may be for it to be read (to audit a refused mutation). */
const REFUSED_BODY_BYTES = 64 * 1024;

/**
 * HTTP (Apollo) and WebSocket (graphql-ws) on one port, both at /graphql, plus /healthz, /readyz
 * and /metrics. The database is the caller's: close it after `close()`.
 */
export async function startTransports(schema: GraphQLSchema, deps: TransportDeps, port = deps.config.port): Promise<Transports> {
  const { config, log, db, prometheus, contexts, gate, observer, events, apiKeys, network } = deps;
  const app = express();
  const httpServer = http.createServer(app);
  answerClientErrors(httpServer);
  applyConnectionLimits(httpServer, config, log);
  network.attach(httpServer);
  const formatError = createErrorFormatter(log, { hideSuggestions: !config.introspection });
  const limiter = gate.limits;
  const wsCleanup = startWsServer(httpServer, schema, { config, contexts, gate, log, events, apiKeys, network }, formatError, observer);

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT; a second stop() from Apollo's own handler would never resolve.
    stopOnTerminationSignals: false,
    // Explicit, so NODE_ENV=production (which flips Apollo's default) does not decide it.
    introspection: config.introspection,
    validationRules: limiter?.validationRules ?? [],
    parseOptions: limiter?.parseOptions,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      // No cache hints are used; Apollo's default cache-control plugin would wrap every field resolver to look for them.
      ApolloServerPluginCacheControlDisabled(),
      // The console serves GraphiQL from this server instead (Apollo's landing page loads from a CDN).
      ApolloServerPluginLandingPageDisabled(),
      observer,
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      {
        async requestDidStart() {
          return {
            // Cost depends on variables (`first: $n`), so it is checked per request, not per document.
            async didResolveOperation({ document, request }) {
              const error = limiter?.checkCost(document, request.variables, request.operationName, request.query);
              if (error) throw error;
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', async (_req, res) => {
    const database = await db.isReady();
    const redisUp = deps.redis ? deps.redis.ready : undefined;
    const ready = database && redisUp !== false;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database, ...(deps.redis ? { redis: redisUp } : {}) });
  });
  // For Prometheus to scrape. Unauthenticated like /healthz: it holds counts and ids, no data;
  // where that is too much, keep the path off the public ingress.
  app.get('/metrics', async (_req, res) => {
    res.type(prometheus.contentType).send(await prometheus.metricsText());
  });
  for (const route of [...deps.routes, schemaRoute(schema)]) mountRoute(app, route, deps);
  mountConsole(app, config.consoleDir, log);
  // Browsers of the listed origins only; preflights (which carry no key) are answered here.
  const corsPolicy = cors({
    origin: config.corsOrigins,
    credentials: true,
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight', 'accept'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  // GraphQL over SSE, before the /graphql stack (whose path is a prefix of this one).
  const sse = createSseHandler(schema, { config, contexts, gate, events }, formatError);
  app.use('/graphql/stream', corsPolicy, express.json({ limit: config.maxRequestBytes }), (req, res, next) => {
    res.setHeader('x-request-id', requestIdFrom(req.headers['x-request-id']));
    sse(req, res).catch(next);
  });
  app.use('/graphql', corsPolicy);
  // What a request passes before Apollo, in one middleware (each of express's layers costs its
  // path match and prefix trimming on every request): the request id, first, so every /graphql
  // answer echoes it, the 400/401/413/429 refusals included; the key before anything else, so a
  // request without a valid one is refused before its body is read (beyond a small one, to audit
  // a refused mutation) and before any GraphQL work; the body, large only for keys whose role may
  // upload datasets; then the selection caps before Apollo validates: its standard rules' overlap
  // check is quadratic in the fields of a selection set, and a hook inside Apollo's pipeline
  // cannot refuse with a 400.
  const refusedBody = express.json({ limit: REFUSED_BODY_BYTES });
  const uploadBody = express.json({ limit: config.maxUploadBytes * 2 + 1024 * 1024 });
  const smallBody = express.json({ limit: config.maxRequestBytes });
  app.use('/graphql', async (req, res, next) => {
    const locals = res.locals as GraphQLLocals;
    locals.requestId = requestIdFrom(req.headers['x-request-id']);
    locals.startedAt = performance.now();
    locals.clientAddress = req.socket.remoteAddress ?? null;
    res.setHeader('x-request-id', locals.requestId);
    try {
      // Charged by the declared size (a chunked body without one pays one token; its size is still capped).
      locals.caller = await gate.admit(req.headers.authorization, locals.clientAddress, { bytes: Number(req.headers['content-length'] ?? 0) });
    } catch (thrown) {
      const error = refusalOf(thrown, log);
      observer.recordRefusal(locals, error);
      refusedBody(req, res, async (bodyError?: unknown) => {
        const params = (req.method === 'GET' ? req.query : bodyError ? null : req.body) ?? {};
        await gate.auditRefusal({ query: params.query, operationName: params.operationName, variables: params.variables, error, clientAddress: locals.clientAddress, requestId: locals.requestId }).catch(() => undefined);
        sendRefusal(res, error);
      });
      return;
    }
    locals.bodyLimit = gate.bodyLimit(locals.caller);
    (locals.bodyLimit > config.maxRequestBytes ? uploadBody : smallBody)(req, res, (bodyError?: unknown) => {
      if (bodyError) return next(bodyError);
      try {
        checkBody();
      } catch (error) {
        next(error);
      }
    });
    function checkBody() {
      const params = (req.method === 'GET' ? req.query : req.body) ?? {};
      if (gate.allowList) {
        // A known hash brings its text; any other operation is refused before it is parsed.
        const extensions = typeof params.extensions === 'string' ? safeJson(params.extensions) : params.extensions;
        const allowed = gate.allowList.resolve(params.query, extensions?.persistedQuery?.sha256Hash);
        if ('error' in allowed) {
          observer.recordRefusal({ ...locals, operationName: params.operationName }, allowed.error);
          return sendRefusal(res, allowed.error);
        }
        params.query = allowed.query;
      }
      const checked = gate.checkDocument(params.query);
      if (!checked.error) return next();
      observer.recordRefusal({ ...locals, document: checked.document, operationName: params.operationName }, checked.error);
      sendRefusal(res, checked.error);
    }
  });
  app.use('/graphql', expressMiddleware(apollo, {
    context: async ({ res }) => {
      const { requestId, clientAddress, caller } = res.locals as GraphQLLocals;
      return contexts.create({ caller, clientAddress, requestId });
    },
  }));
  app.use((error: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      const limit = (res.locals as GraphQLLocals).bodyLimit ?? config.maxRequestBytes;
      const why = limit > config.maxRequestBytes ? `MAX_UPLOAD_BYTES is ${config.maxUploadBytes}` : `MAX_REQUEST_BYTES, for keys whose role does not upload datasets`;
      res.status(413).json({ errors: [{ message: `Request body is over the limit of ${limit} bytes (${why})`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    } else if (error.type === 'entity.parse.failed' || error.status === 400) {
      res.status(400).json({ errors: [{ message: `Request body is not valid JSON: ${error.message}`, extensions: { code: 'BAD_REQUEST' } }] });
    } else {
      next(error);
    }
  });

  await new Promise<void>((resolve) => httpServer.listen(port, resolve));
  const actualPort = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/graphql`,
    port: actualPort,
    httpServer,
    close: () => apollo.stop(),
  };
}

/** A refusal from the gate, in the shape Apollo answers errors (status from `extensions.http`, which is not sent). */
/** JSON in a GET parameter, or null. */
function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * A module's GET route: the key checked as on /graphql (rate limits included), then its role,
 * then the module's checks; the answer streamed with backpressure; one audit row either way.
 */
function mountRoute(app: express.Express, route: HttpRoute, deps: TransportDeps): void {
  app.get(route.path, async (req, res) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const clientAddress = req.socket.remoteAddress ?? null;
    res.setHeader('x-request-id', requestId);
    let caller: Caller | null = null;
    let args: Record<string, unknown> = { path: req.path, query: req.query };
    const audit = (outcome: string, error?: unknown) => deps.audit.record({
      caller, operation: route.operation, args, outcome, errorMessage: error instanceof Error ? error.message : null, clientAddress, requestId,
    }).catch((auditError) => deps.log.error({ err: auditError }, 'could not audit an export'));
    try {
      caller = await deps.gate.admit(req.headers.authorization, clientAddress, { bytes: 0 });
      if (!caller || !route.roles.includes(caller.role)) throw forbidden(`${caller ? `a ${caller.role} key` : 'this request'} may not use ${route.operation}`);
      const out = await route.handle({ params: req.params as Record<string, string>, query: req.query as Record<string, string | undefined> }, caller, deps.services);
      args = out.audit;
      res.setHeader('content-type', out.contentType);
      res.setHeader('content-disposition', `attachment; filename="${out.filename.replace(/[^\w.-]/g, '_')}"`);
      await pipeline(out.body, res);
      await audit('OK');
    } catch (error) {
      await audit(errorCodeOf(error), error);
      if (res.headersSent) {
        res.destroy(error instanceof Error ? error : undefined);
        return;
      }
      if (error instanceof GraphQLError && !(error.extensions as { http?: unknown }).http) {
        res.status(statusOfCode(error.extensions.code)).json({ errors: [{ message: error.message, extensions: error.extensions }] });
        return;
      }
      if (error instanceof GraphQLError) return sendRefusal(res, error);
      deps.log.error({ err: error, route: route.path }, 'export failed');
      res.status(500).json({ errors: [{ message: 'Unexpected error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    }
  });
}

/** GraphQL over HTTP's media type, answered when the client lists it (as Apollo does for what it answers itself). */
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

/**
 * What to answer when admitting a request failed: the gate's own refusals as they are; the
 * database failing while the key was looked up is an outage (503, retry later), anything else a
 * 500. (Thrown from here, such an error was an unhandled rejection that ended the process.)
 */
function refusalOf(error: unknown, log: Logger): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const outage = databaseUnavailable(error);
  if (outage) return serviceUnavailable(`Service unavailable: ${outage.reason}`, { reason: outage.code });
  log.error({ err: error }, 'unexpected error while admitting a request');
  return new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } } });
}

function sendRefusal(res: Response, error: unknown): void {
  if (!(error instanceof GraphQLError)) throw error;
  const { http: httpExtension, ...extensions } = error.extensions as { http?: { status?: number; headers?: Map<string, string> } };
  for (const [name, value] of httpExtension?.headers ?? []) res.setHeader(name, value);
  const body = JSON.stringify({ errors: [{ message: error.message, extensions }] });
  const accept = String(res.req.headers.accept ?? '');
  res.status(httpExtension?.status ?? 400).type(accept.includes(GRAPHQL_RESPONSE) ? `${GRAPHQL_RESPONSE}; charset=utf-8` : 'application/json; charset=utf-8').send(body);
}
