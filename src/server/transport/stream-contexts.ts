import { execute, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { sharedSubscribe } from '../../engines/events/shared-subscribe';
import type { Caller } from '../../modules/shared/caller';
import type { Context } from '../../modules/shared/context';
import type { EventBus } from '../../modules/shared/topics';
import type { ContextFactory } from '../context';
import type { OperationPayload } from './operation-check';

/** Who asked for an operation over a streaming transport. */
export interface StreamRequest {
  caller: Caller | null;
  clientAddress: string | null;
  requestId: string;
}

/**
 * Execution for the streaming transports (graphql-ws, graphql-sse): each subscription event runs
 * with a fresh context (new DataLoaders) built from its subscription's request, and subscribers
 * of the same operation with the same permissions share one execution per event. Every
 * subscription ends with StreamInterruptedError when the event bus reports it missed events.
 */
export class StreamContexts {
  private readonly sharingKeys = new WeakMap<Context, string>();
  private readonly requests = new WeakMap<Context, StreamRequest>();

  constructor(private readonly schema: GraphQLSchema, private readonly contexts: ContextFactory, private readonly events: Pick<EventBus, 'onInterrupted'>) {}

  /** The arguments to execute `payload` with for `request`. */
  args(request: StreamRequest, document: DocumentNode, payload: OperationPayload): ExecutionArgs {
    const contextValue = this.contexts.create(request);
    this.requests.set(contextValue, request);
    // What a shared event result may depend on besides the event: the operation and the caller's permissions.
    this.sharingKeys.set(contextValue, JSON.stringify([payload.query, payload.operationName ?? null, payload.variables ?? null, request.caller?.role ?? null, request.caller?.modelScope ?? null]));
    return { schema: this.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
  }

  readonly execute = execute;

  readonly subscribe = sharedSubscribe(
    (args) => this.sharingKeys.get(args.contextValue as Context) ?? null,
    (args) => {
      const request = this.requests.get(args.contextValue as Context);
      return request ? this.contexts.create(request) : args.contextValue;
    },
    (listener) => this.events.onInterrupted(listener),
  );
}
