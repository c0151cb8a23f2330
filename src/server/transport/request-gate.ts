import type { GraphQLSchema } from 'graphql';
import type { Config } from '../../core/config';
import { unauthenticated } from '../../core/errors';
import { bearerToken } from '../../modules/auth/api-key-token';
import type { ApiKeyService } from '../../modules/auth/api-key.service';
import type { Caller } from '../../modules/shared/caller';
import { Role } from '../../modules/shared/role';
import { QueryLimiter } from './query-limits';
import { RateLimiter } from './rate-limiter';

/** Stands in for every request when security is off (the security benchmark's baseline only). */
const INSECURE_CALLER: Caller = { keyId: 'key_insecure', keyName: 'insecure', role: Role.ADMIN, modelScope: null };

/**
 * The checks every operation passes, over HTTP and WebSocket alike: who is calling (the API key),
 * the caller's rate limit, and the document's limits (tokens while parsing, depth and aliases
 * while validating, cost with its variables). The transports differ only in where they read the
 * key and how they report a refusal.
 */
export class RequestGate {
  /** Parse options and validation rules; null when security is off. */
  readonly limits: QueryLimiter | null;
  private readonly rateLimiter: RateLimiter;

  constructor(
    schema: GraphQLSchema,
    private readonly config: Pick<Config, 'limits' | 'introspection' | 'rateLimits'>,
    private readonly apiKeys: Pick<ApiKeyService, 'authenticate'>,
    private readonly insecure = false,
  ) {
    this.limits = insecure ? null : new QueryLimiter(schema, config.limits, config.introspection);
    this.rateLimiter = new RateLimiter(config.rateLimits);
  }

  /**
   * The caller an Authorization value stands for, charged one token of its rate limit. Null when
   * no key was sent; UNAUTHENTICATED (401) when one was sent but is malformed, unknown or revoked
   * (a bad key is never treated as no key); RATE_LIMITED (429) when its bucket is empty.
   */
  async admit(authorization: unknown, clientAddress: string | null): Promise<Caller | null> {
    if (this.insecure) return INSECURE_CALLER;
    const caller = await this.authenticate(authorization);
    this.rateLimiter.check(caller, clientAddress);
    return caller;
  }

  /** The caller alone, with no rate-limit charge (a WebSocket's connection_init). */
  async authenticate(authorization: unknown): Promise<Caller | null> {
    if (this.insecure) return INSECURE_CALLER;
    const token = bearerToken(authorization);
    if (token === null) return null;
    if (token === undefined) throw unauthenticated('Malformed Authorization: use "Bearer <API key>"');
    const caller = await this.apiKeys.authenticate(token);
    if (!caller) throw unauthenticated('Unknown or revoked API key');
    return caller;
  }
}
