import { GraphQLError, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import type { Request, Response } from 'express';
import type { Config } from '../../core/config';
import type { Caller } from '../../modules/shared/caller';
import type { EventBus } from '../../modules/shared/topics';
import type { ContextFactory } from '../context';
import { errorAsLastResult } from './error-as-last-result';
import { checkOperation, refused, type OperationPayload } from './operation-check';
import type { RequestGate } from './request-gate';
import { requestIdFrom } from './request-observer';
import { StreamContexts } from './stream-contexts';
import { statusOfCode } from './status-of-code';

/**
 * GraphQL over Server-Sent Events (graphql-sse, its distinct-connections mode: one request, one
 * operation) on /graphql/stream, for clients whose proxies block WebSocket. The same gate as
 * /graphql and graphql-ws: the key in the Authorization header (rate limits included), the parse,
 * selection, validation and cost limits, the same subscriptions and partner scopes (checked in
 * their subscribe functions), and at most MAX_SUBSCRIPTIONS_PER_CONNECTION open streams per key
 * (an SSE stream is its own connection, so the cap a socket has is the key's here).
 */
export function createSseHandler(schema: GraphQLSchema, deps: { config: Pick<Config, 'limits'>; contexts: ContextFactory; gate: RequestGate; events: Pick<EventBus, 'onInterrupted'> }, formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError): (req: Request, res: Response) => Promise<void> {
  const { config, contexts, gate } = deps;
  const streams = new StreamContexts(schema, contexts, deps.events);
  const openPerKey = new Map<string, number>();
  const keyOf = new WeakMap<object, string>();
  const refuse = (error: GraphQLError): readonly [string, { status: number; statusText: string; headers: Record<string, string> }] => {
    const code = String(error.extensions.code ?? 'BAD_REQUEST');
    const { http, ...extensions } = error.extensions as { http?: { status?: number; headers?: Map<string, string> } };
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    for (const [name, value] of http?.headers ?? []) headers[name] = value;
    return [JSON.stringify({ errors: [{ message: error.message, extensions: { ...extensions, code } }] }), { status: http?.status ?? statusOfCode(code), statusText: code, headers }];
  };
  return createHandler({
    schema,
    // Distinct connections only: no stream reservations to hold for clients that never come back.
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const raw = req.raw;
      const clientAddress = raw.socket.remoteAddress ?? null;
      const requestId = requestIdFrom(raw.headers['x-request-id']);
      const payload: OperationPayload = { query: String(params.query ?? ''), operationName: params.operationName ?? null, variables: params.variables ?? null };
      let caller: Caller;
      try {
        caller = await gate.admit(raw.headers.authorization, clientAddress, { bytes: Number(raw.headers['content-length'] ?? 0) });
      } catch (error) {
        await gate.auditRefusal({ query: payload.query, operationName: payload.operationName ?? undefined, variables: payload.variables ?? undefined, error, clientAddress, requestId });
        if (error instanceof GraphQLError) return refuse(error);
        throw error;
      }
      const checked = checkOperation(schema, gate, payload);
      // Refused before execution: 400 with the errors, as /graphql answers (graphql-sse would otherwise lose them).
      if ('errors' in checked) return [JSON.stringify({ errors: checked.errors.map((e) => formatError(e.toJSON(), e)) }), { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json; charset=utf-8' } }] as const;
      const args = streams.args({ caller, clientAddress, requestId: `sse:${requestId}` }, checked.document, payload);
      if (checked.subscription) {
        const open = openPerKey.get(caller.keyId) ?? 0;
        if (open >= config.limits.maxSubscriptionsPerConnection) {
          return refuse(refused([new GraphQLError(`At most ${config.limits.maxSubscriptionsPerConnection} open streams per key (MAX_SUBSCRIPTIONS_PER_CONNECTION)`, { extensions: { limit: 'subscriptions' } })], 'RATE_LIMITED')[0]);
        }
        openPerKey.set(caller.keyId, open + 1);
        keyOf.set(args.contextValue as object, caller.keyId);
      }
      return args as never;
    },
    onOperation: (_ctx, _req, _args, result) => (Symbol.asyncIterator in result ? errorAsLastResult(result as AsyncIterableIterator<ExecutionResult>) : undefined) as never,
    onNext: (_ctx, _req, result) => ('errors' in result && result.errors ? { ...result, errors: result.errors.map((e) => formatError(e instanceof GraphQLError ? e.toJSON() : e, e)) } : result) as never,
    onComplete: (context) => {
      const ctx = context as unknown as object | undefined;
      const key = ctx ? keyOf.get(ctx) : undefined;
      if (key === undefined || !ctx) return;
      keyOf.delete(ctx);
      const open = (openPerKey.get(key) ?? 1) - 1;
      if (open > 0) openPerKey.set(key, open);
      else openPerKey.delete(key);
    },
    execute: streams.execute as never,
    subscribe: streams.subscribe as never,
  });
}
