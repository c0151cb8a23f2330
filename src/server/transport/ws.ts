import type { Server as HttpServer } from 'node:http';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { StreamContexts } from './stream-contexts';
import { checkOperation, refused } from './operation-check';

import type { ServerOptions } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { ApiKeyService } from '../../modules/auth/api-key.service';
import type { NetworkCounters } from '../../engines/telemetry/network-counters';
import type { Caller } from '../../modules/shared/caller';
import type { EventBus } from '../../modules/shared/topics';
import type { ContextFactory } from '../context';
import type { RequestGate } from './request-gate';
import type { RequestObserver } from './request-observer';
import { serveGraphqlWs, type SocketExtra } from './ws-adapter';

type Extra = SocketExtra & { caller?: Caller | null; authorization?: unknown; subscriptions?: Set<string> };

/** The largest message before connection_init has named a valid key (it holds only that key). */
const UNAUTHENTICATED_MESSAGE_BYTES = 64 * 1024;

/** How often the keys of open sockets are checked again: the API key cache's lifetime. */
const KEY_RECHECK_MS = 5000;
/** The close code of a socket whose key stopped working (graphql-ws's Forbidden). */
const FORBIDDEN = 4403;

/** What the WebSocket transport needs besides the request pipeline. */
export interface WsDeps {
  config: Pick<Config, 'maxUploadBytes' | 'limits'>;
  contexts: ContextFactory;
  gate: RequestGate;
  log: Logger;
  /** Revocations, announced by the auth module on every instance. */
  events: EventBus;
  apiKeys: Pick<ApiKeyService, 'activeKeyIds'>;
  network: NetworkCounters;
}

/**
 * graphql-ws on the HTTP server's /graphql path, behind the same RequestGate as HTTP: the key in
 * connectionParams (none or a bad one closes the socket with 4403), rate limits,
 * parse/validation/cost limits, plus a cap on live subscriptions per socket, and the same error
 * formatting. A socket whose key is revoked (here, on another instance, or seen at the key's next
 * recheck) is closed with 4403, ending its streams. `observer`, when given, records each
 * operation as over HTTP.
 */
export function startWsServer(
  httpServer: HttpServer,
  schema: GraphQLSchema,
  deps: WsDeps,
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
  observer?: RequestObserver,
) {
  const { config, contexts, gate, log } = deps;
  const sockets = new KeySockets();
  const streams = new StreamContexts(schema, contexts, deps.events);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.maxUploadBytes * 2 });
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const refuse = refused;

  const options: ServerOptions<Record<string, unknown>, Extra> = {
    schema,
    connectionInitWaitTimeout: config.limits.connectionInitTimeoutMs,
    // A socket without a valid key is closed at connection_init (4403), spending one of the
    // address's failed attempts: nothing is held open for strangers.
    onConnect: async (ctx) => {
      const params = ctx.connectionParams ?? {};
      try {
        ctx.extra.authorization = params.authorization ?? params.Authorization;
        ctx.extra.caller = await gate.admit(ctx.extra.authorization, ctx.extra.request.socket.remoteAddress ?? null, { charge: false });
      } catch {
        return false; // graphql-ws closes with 4403 Forbidden
      }
      sockets.add(ctx.extra.caller.keyId, ctx.extra.socket);
      ctx.extra.subscriptions = new Set();
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      const clientAddress = ctx.extra.request.socket.remoteAddress ?? null;
      try {
        // Checked again for every operation (the key lookup is cached for 5 s): a key revoked while
        // its socket is open stops working on that socket too.
        let caller: Caller;
        try {
          caller = await gate.admit(ctx.extra.authorization, clientAddress, { bytes: ctx.extra.messageBytes ?? 0 });
        } catch (error) {
          await gate.auditRefusal({ query: payload.query, operationName: payload.operationName, variables: payload.variables, error, clientAddress, requestId: `ws:${id}` });
          throw error;
        }
        ctx.extra.caller = caller;
        const checked = checkOperation(schema, gate, payload);
        if ('errors' in checked) return checked.errors;
        const { document } = checked;
        if (checked.subscription) {
          const active = ctx.extra.subscriptions!;
          if (active.size >= config.limits.maxSubscriptionsPerConnection) {
            return refuse([new GraphQLError(`At most ${config.limits.maxSubscriptionsPerConnection} subscriptions per connection (MAX_SUBSCRIPTIONS_PER_CONNECTION)`, { extensions: { limit: 'subscriptions' } })], 'RATE_LIMITED');
          }
          active.add(id);
        }
        return streams.args({ caller, clientAddress, requestId: `ws:${id}` }, document, payload);
      } catch (error) {
        if (error instanceof GraphQLError) return refuse([error], String(error.extensions.code ?? 'BAD_REQUEST'));
        throw error;
      }
    },
    // Serialised per socket by graphql-ws: serialising a shared result once and splicing its text
    // into each frame was measured (bench fanout, 2 rounds) at no gain for these small payloads
    // (18.1 against 17.5 us of server CPU per delivery, peak RSS 208 against 177 MB), so it is not done.
    onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors as GraphQLError[]) } : result),
    // graphql-ws sends its `error` messages unformatted, without a code. What a stream threw
    // (STREAM_INTERRUPTED, SUBSCRIBER_TOO_SLOW) is formatted like any error; graphql-ws's own
    // refusal ("Unable to identify operation": an operationName the document does not have) is
    // the client's mistake; the refusals of onSubscribe already carry their code.
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => {
      if (e.originalError) return formatError(e.toJSON(), e);
      return e.extensions.code ? e.toJSON() : { ...e.toJSON(), extensions: { ...e.extensions, code: 'BAD_REQUEST' } };
    }),
    onComplete: (ctx, id) => {
      ctx.extra.subscriptions?.delete(id);
    },
    execute: streams.execute,
    subscribe: streams.subscribe,
  };
  wsServer.on('connection', (socket) => deps.network.trackWebSocket(socket));
  const served = serveGraphqlWs<Record<string, unknown>, Extra>(observer ? observer.observeWs(options) : options, wsServer, log, (socket, request) => ({ socket, request }),
    // Until connection_init has named a key, only a small message; then the key's body limit, as over HTTP.
    (extra) => (extra.caller ? gate.bodyLimit(extra.caller) : UNAUTHENTICATED_MESSAGE_BYTES));

  // Revocation reaches open sockets: at once when announced, and at the latest one recheck later.
  const revocations = deps.events.subscribe('API_KEY_REVOKED', 'all')[Symbol.asyncIterator]();
  void (async () => {
    for (let next = await revocations.next(); !next.done; next = await revocations.next()) sockets.close(next.value.keyId, FORBIDDEN, 'API key revoked');
  })().catch((error) => log.error({ err: error }, 'revocation listener stopped'));
  const recheck = setInterval(() => {
    const keyIds = sockets.keyIds();
    if (keyIds.length === 0) return;
    void deps.apiKeys.activeKeyIds(keyIds).then((active) => {
      for (const keyId of keyIds) if (!active.has(keyId)) sockets.close(keyId, FORBIDDEN, 'API key revoked');
    }).catch((error) => log.warn({ err: error }, 'could not recheck the keys of open WebSockets'));
  }, KEY_RECHECK_MS);
  recheck.unref();
  return {
    async dispose(): Promise<void> {
      clearInterval(recheck);
      await revocations.return?.();
      await served.dispose();
    },
  };
}

/** The open sockets of each API key. */
class KeySockets {
  private readonly byKey = new Map<string, Set<WebSocket>>();

  add(keyId: string, socket: WebSocket): void {
    let set = this.byKey.get(keyId);
    if (!set) this.byKey.set(keyId, (set = new Set()));
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && this.byKey.get(keyId) === set) this.byKey.delete(keyId);
    });
  }

  keyIds(): string[] {
    return [...this.byKey.keys()];
  }

  close(keyId: string, code: number, reason: string): void {
    for (const socket of this.byKey.get(keyId) ?? []) socket.close(code, reason);
  }
}
