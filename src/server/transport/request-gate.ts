import { LRUCache } from 'lru-cache';
import { OperationAllowList } from './allow-list';
import { GraphQLError, Kind, getOperationAST, parse, type DocumentNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import type { Config } from '../../core/config';
import { unauthenticated } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { bearerToken } from '../../modules/auth/api-key-token';
import type { ApiKeyService } from '../../modules/auth/api-key.service';
import type { AuditService } from '../../modules/auth/audit.service';
import type { Caller } from '../../modules/shared/caller';
import { Role, Roles } from '../../modules/shared/role';
import { QueryLimiter } from './query-limits';
import type { BucketStore } from '../../engines/cluster/buckets';
import { RateLimiter } from './rate-limiter';

/** Stands in for every request when security is off (the security benchmark's baseline only). */
const INSECURE_CALLER: Caller = { keyId: 'key_insecure', keyName: 'insecure', principal: 'insecure', role: Role.ADMIN, modelScope: null };

/** Roles that may send datasets, and so large bodies. */
const UPLOADERS: readonly Role[] = Roles.BUILDERS;

/** A request refused at the gate, as the transports describe it for the audit log. */
export interface Refusal {
  query: unknown;
  operationName: unknown;
  variables: unknown;
  error: unknown;
  clientAddress: string | null;
  requestId: string;
}

/**
 * The checks every operation passes, over HTTP and WebSocket alike, cheapest first and before any
 * GraphQL work: the client address's budget of failed authentications, the API key (none, or a
 * bad one, is refused here), the key's rate limit; then, on the parsed document, the selection
 * caps (before the standard validation rules, whose overlap check is quadratic), and the limits
 * of `limits` (tokens while parsing, depth and aliases while validating, cost with variables).
 */
export class RequestGate {
  /** Parse options and validation rules; null when security is off. */
  readonly limits: QueryLimiter | null;
  /** PERSISTED_OPERATIONS_ONLY's manifest; null when any operation may run. */
  readonly allowList: OperationAllowList | null;
  private readonly rateLimiter: RateLimiter;
  /** checkDocument's answers by query text: 1,000 texts, 4 MB of them at most (a longer text is not kept). */
  private readonly checkedDocuments = new LRUCache<string, { document?: DocumentNode; error: GraphQLError | null }>({ max: 1000, maxSize: 4_000_000, sizeCalculation: (_value, query) => Math.max(1, query.length) });

  constructor(
    schema: GraphQLSchema,
    private readonly config: Pick<Config, 'limits' | 'introspection' | 'rateLimits' | 'maxUploadBytes' | 'maxRequestBytes' | 'persistedOperationsFile'>,
    private readonly deps: { apiKeys: Pick<ApiKeyService, 'authenticate'>; audit: Pick<AuditService, 'record'>; log: Logger; buckets?: BucketStore },
    private readonly insecure = false,
  ) {
    this.limits = insecure ? null : new QueryLimiter(schema, config.limits, config.introspection);
    this.allowList = config.persistedOperationsFile ? new OperationAllowList(config.persistedOperationsFile) : null;
    this.rateLimiter = new RateLimiter(config.rateLimits, deps.buckets, deps.log);
  }

  /**
   * The caller an Authorization value stands for. UNAUTHENTICATED (401) when none was sent or it
   * is malformed, unknown or revoked; each such failure spends one of the address's failed
   * attempts, and an address with none left gets RATE_LIMITED (429) before its key is even
   * looked at. With `charge` (every operation; not a WebSocket's connection_init) the key's own
   * rate limit is charged for a request of `bytes` (see RateLimiter.check).
   */
  async admit(authorization: unknown, clientAddress: string | null, { charge = true, bytes = 0 } = {}): Promise<Caller> {
    if (this.insecure) return INSECURE_CALLER;
    await this.rateLimiter.checkFailures(clientAddress);
    let caller: Caller | null;
    try {
      caller = await this.authenticate(authorization);
    } catch (error) {
      await this.rateLimiter.recordFailure(clientAddress);
      throw error;
    }
    if (charge) await this.rateLimiter.check(caller, bytes);
    return caller;
  }

  /** The largest body this caller may send: an upload's size for roles that create datasets. */
  bodyLimit(caller: Caller): number {
    return UPLOADERS.includes(caller.role) ? this.config.maxUploadBytes * 2 + 1024 * 1024 : this.config.maxRequestBytes;
  }

  /**
   * Refuses a document with more than MAX_SELECTION_FIELDS fields in one selection set or more
   * than MAX_QUERY_SELECTIONS in all: one linear walk, so the quadratic validation rules never see
   * a document built to be expensive.
   */
  checkSelections(document: DocumentNode): GraphQLError | null {
    if (this.insecure) return null;
    const { maxSelectionFields, maxSelections } = this.config.limits;
    let total = 0;
    const stack: SelectionSetNode[] = [];
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) stack.push(definition.selectionSet);
    }
    for (let set = stack.pop(); set; set = stack.pop()) {
      const count = set.selections.length;
      total += count;
      if (count > maxSelectionFields) return limitError(`A selection set has ${count} fields, over the limit of ${maxSelectionFields} (MAX_SELECTION_FIELDS)`, 'selectionFields');
      if (total > maxSelections) return limitError(`The document selects more than ${maxSelections} fields (MAX_QUERY_SELECTIONS)`, 'selections');
      for (const selection of set.selections) if ('selectionSet' in selection && selection.selectionSet) stack.push(selection.selectionSet);
    }
    return null;
  }

  /**
   * checkSelections on a query's text, for a transport that has not parsed it yet. A text that
   * does not parse passes: the GraphQL pipeline answers it with its own parse error.
   */
  checkDocument(query: unknown): { document?: DocumentNode; error: GraphQLError | null } {
    if (this.insecure || typeof query !== 'string') return { error: null };
    // Clients send the same few operations again and again: each text is parsed and walked once.
    const known = this.checkedDocuments.get(query);
    if (known) return known;
    let checked: { document?: DocumentNode; error: GraphQLError | null };
    try {
      const document = parse(query, { maxTokens: this.config.limits.maxTokens, noLocation: true });
      checked = { document, error: this.checkSelections(document) };
    } catch {
      checked = { error: null };
    }
    this.checkedDocuments.set(query, checked);
    return checked;
  }

  /**
   * Writes an audit row for each mutation field of a request refused at the gate (a missing or bad
   * key), so refused mutations leave a trace whatever the reason. Refusals past the address's
   * failed-attempt budget (429) are only counted: writing a row each would let a flood write.
   */
  async auditRefusal(refusal: Refusal): Promise<void> {
    const code = refusal.error instanceof GraphQLError ? refusal.error.extensions.code : undefined;
    if (this.insecure || code !== 'UNAUTHENTICATED' || typeof refusal.query !== 'string') return;
    let document: DocumentNode;
    try {
      document = parse(refusal.query, { maxTokens: this.config.limits.maxTokens });
    } catch {
      return;
    }
    const operation = getOperationAST(document, typeof refusal.operationName === 'string' ? refusal.operationName : undefined);
    if (operation?.operation !== 'mutation') return;
    const variables = refusal.variables && typeof refusal.variables === 'object' ? refusal.variables as Record<string, unknown> : {};
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      await this.deps.audit.record({
        caller: null, operation: selection.name.value, args: { variables }, outcome: 'UNAUTHENTICATED', errorMessage: (refusal.error as Error).message,
        clientAddress: refusal.clientAddress, requestId: refusal.requestId,
      }).catch((error) => this.deps.log.error({ err: error, operation: selection.name.value }, 'could not write the audit row'));
    }
  }

  private async authenticate(authorization: unknown): Promise<Caller> {
    const token = bearerToken(authorization);
    if (token === null) throw unauthenticated();
    if (token === undefined) throw unauthenticated('Malformed Authorization: use "Bearer <API key>"');
    const caller = await this.deps.apiKeys.authenticate(token);
    if (!caller) throw unauthenticated('Unknown or revoked API key');
    return caller;
  }
}

function limitError(message: string, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, http: { status: 400 } } });
}
