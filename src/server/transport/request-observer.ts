import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { getOperationAST, Kind, parse, type DocumentNode } from 'graphql';
import { areGraphQLErrors, type ConnectionInitMessage, type ServerOptions } from 'graphql-ws';
import type { Context } from '../../modules/shared/context';
import { outcomeKind } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { RequestStats } from '../../engines/telemetry/request-stats';
import type { PrometheusMetrics } from '../../engines/telemetry/prometheus';

/** The operation label of requests refused before their key was known. */
export const UNAUTHENTICATED_LABEL = '(unauthenticated)';

/** One finished GraphQL operation, as logged and counted. */
export interface RequestEntry {
  requestId: string;
  /** See `operationLabel`. */
  operation: string;
  /** `ok`, or the code of the first error the client received. */
  outcome: string;
  durationMs: number;
  clientAddress: string | null;
}

/** Printable ASCII (space to tilde), 1 to 100 characters: safe to log, store and echo back. */
const CLIENT_REQUEST_ID = /^[\x20-\x7e]{1,100}$/;
/** A GraphQL name; anything else a client sends as operationName is not used as a label. */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,49}$/;

/**
 * The request id to use for an HTTP request: the client's x-request-id when it is printable ASCII
 * of at most 100 characters (so one id can follow a call through the client's logs and ours),
 * otherwise a fresh UUID, since anything else could break log lines or response headers.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * The operation's label: its name, else its first root field (`predict`), else `anonymous`. The
 * root field makes unnamed operations, which most clients send, tell apart.
 */
export function operationLabel(document: DocumentNode | undefined, operationName: string | null | undefined): string {
  const operation = document ? getOperationAST(document, operationName) : null;
  const name = operation?.name?.value ?? (operationName && GRAPHQL_NAME.test(operationName) ? operationName : undefined);
  if (name) return name;
  const field = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  return field?.kind === Kind.FIELD ? field.name.value : 'anonymous';
}

/** `ok` without errors, else the first error's code (INTERNAL_SERVER_ERROR when it has none usable). */
export function outcomeOf(errors: readonly { extensions?: { code?: unknown } }[] | null | undefined): string {
  if (!errors?.length) return 'ok';
  const code = errors[0].extensions?.code;
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * Observes every GraphQL operation, over HTTP (as an Apollo plugin) and over graphql-ws (through
 * `observeWs`): one Prometheus count and duration, one RequestStats entry and one info log line
 * (`graphql request`) each.
 *
 * Every response with errors counts as failed in RequestStats, client errors (BAD_USER_INPUT,
 * FORBIDDEN, NOT_FOUND…) and partial results included: the error rate is what callers
 * experience, not only server faults. The Prometheus outcome label tells the two apart.
 */
export class RequestObserver implements ApolloServerPlugin<Context> {
  constructor(private readonly deps: { log: Logger; requestStats: RequestStats; prometheus: PrometheusMetrics; maxTokens: number }) {}

  /** Counts, stores and logs one finished operation. */
  record(entry: RequestEntry): void {
    const { requestId, operation, outcome, clientAddress } = entry;
    const durationMs = Math.round(entry.durationMs * 1000) / 1000;
    this.deps.prometheus.recordRequest(operation, outcome, durationMs / 1000);
    this.deps.requestStats.recordRequest(durationMs, outcomeKind(outcome));
    this.deps.log.info({ requestId, operation, outcome, durationMs, ...(clientAddress ? { clientAddress } : {}) }, 'graphql request');
  }

  /**
   * An HTTP request refused outside Apollo's pipeline, which Apollo plugins never see: at the gate
   * (no or a bad key, a rate limit), labelled UNAUTHENTICATED_LABEL whatever it asked (strangers
   * must not fill the operation labels, nor make the server parse their documents); or, with its
   * document, by a check after parsing.
   */
  recordRefusal(request: { requestId: string; document?: DocumentNode; operationName?: unknown; startedAt: number; clientAddress: string | null }, error: unknown): void {
    const operationName = typeof request.operationName === 'string' ? request.operationName : null;
    this.record({
      requestId: request.requestId,
      operation: request.document ? operationLabel(request.document, operationName) : UNAUTHENTICATED_LABEL,
      outcome: outcomeOf([error as { extensions?: { code?: unknown } }]),
      durationMs: performance.now() - request.startedAt,
      clientAddress: request.clientAddress,
    });
  }

  /** Apollo: from the start of the pipeline (after authentication) to the response being sent. */
  async requestDidStart({ request, contextValue }: GraphQLRequestContext<Context>): Promise<GraphQLRequestListener<Context>> {
    const startedAt = performance.now();
    return {
      willSendResponse: async ({ response, document }) => {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
        this.record({
          requestId: contextValue.requestId,
          operation: operationLabel(document, request.operationName),
          outcome: outcomeOf(errors),
          durationMs: performance.now() - startedAt,
          clientAddress: contextValue.clientAddress,
        });
      },
    };
  }

  /**
   * Wraps graphql-ws options so each query or mutation is recorded when its result is ready, and
   * a subscription once, when it starts (not per event); refusals from onSubscribe count too.
   * Needs an onSubscribe that returns the execution args (ws-server's does): they key the start time.
   */
  observeWs<P extends ConnectionInitMessage['payload'], E extends { request: IncomingMessage }>(options: ServerOptions<P, E>): ServerOptions<P, E> {
    const { onSubscribe, onOperation } = options;
    const started = new WeakMap<object, number>();
    return {
      ...options,
      onSubscribe: async (ctx, id, payload) => {
        const startedAt = performance.now();
        const prepared = await onSubscribe?.(ctx, id, payload);
        if (prepared && areGraphQLErrors(prepared)) {
          this.record({
            // ws-server names the context of a socket operation `ws:<id>`; refusals never get one.
            requestId: `ws:${id}`,
            operation: operationLabel(this.tryParse(payload.query), payload.operationName),
            outcome: outcomeOf(prepared),
            durationMs: performance.now() - startedAt,
            clientAddress: ctx.extra.request.socket.remoteAddress ?? null,
          });
        } else if (prepared) {
          started.set(prepared, startedAt);
        }
        return prepared;
      },
      onOperation: async (ctx, id, payload, args, result) => {
        const replaced = await onOperation?.(ctx, id, payload, args, result);
        const startedAt = started.get(args);
        if (startedAt !== undefined) {
          started.delete(args);
          // graphql-ws hands over the settled result; the type also allows a promise.
          const final = await (replaced || result);
          const context = args.contextValue as Partial<Context> | undefined;
          this.record({
            requestId: context?.requestId ?? `ws:${id}`,
            operation: operationLabel(args.document, args.operationName),
            outcome: Symbol.asyncIterator in final ? 'ok' : outcomeOf(final.errors),
            durationMs: performance.now() - startedAt,
            clientAddress: context?.clientAddress ?? null,
          });
        }
        return replaced;
      },
    };
  }

  private tryParse(query: unknown): DocumentNode | undefined {
    if (typeof query !== 'string') return undefined;
    try {
      return parse(query, { maxTokens: this.deps.maxTokens });
    } catch {
      return undefined;
    }
  }
}
