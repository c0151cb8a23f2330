import { LRUCache } from 'lru-cache';
import { In, IsNull } from 'typeorm';
import type { EventBus } from '../shared/topics';
import type { Config } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { badInput, notFound } from '../../core/errors';
import { checkedName } from '../../core/names';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import { ApiKey } from './api-key.entity';
import { generateToken, hashToken, prefixOf, sameSecret, tokenMatches } from './api-key-token';
import type { Caller } from '../shared/caller';
import { Role } from '../shared/role';

export interface NewApiKey {
  name: string;
  role: Role;
  /** Model ids (the resolver turns names into ids); required for PARTNER, refused for other roles. */
  modelScope?: string[] | null;
  /** Who the key is for; by default the principal of the key that creates it. */
  principal?: string | null;
}

/**
 * Issues, revokes and checks API keys. Checking is on every request, so known keys are cached for
 * a few seconds; revoking clears this instance's cache at once (others within CACHE_MS).
 */
export class ApiKeyService {
  private static readonly CACHE_MS = 5000;
  private readonly cache = new LRUCache<string, ApiKey | false>({ max: 10_000, ttl: ApiKeyService.CACHE_MS });
  /**
   * The token that last matched each cached key (gone with the cache entry): a request with the
   * same token is compared to it in constant time instead of being hashed again, the SHA-256 and
   * its buffers being most of a cache hit's cost.
   */
  private readonly verifiedTokens = new WeakMap<ApiKey, string>();
  /** Uses not yet written to lastUsedAt: written together once a minute, not a write per request. */
  private static readonly LAST_USED_MS = 60_000;
  private readonly unwrittenUses = new Map<string, Date>();
  private usesTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly config: Pick<Config, 'maxPageSize' | 'bootstrapAdminKey'>,
    private readonly log?: Logger,
    /** Hears each revocation, so open WebSockets of the key are closed (on every instance). */
    private readonly events?: EventBus,
  ) {}

  /**
   * Creates a key and returns it with its secret, which is not stored and cannot be shown again.
   * The key belongs to `input.principal`, or else to the creator's principal: an ADMIN who mints
   * itself an APPROVER key is still the same person to maker-checker.
   */
  async create(input: NewApiKey, creator: { keyId: string; principal: string } | null): Promise<{ apiKey: ApiKey; secret: string }> {
    const name = checkedName(input.name, 'input.name');
    const principal = input.principal != null ? checkedName(input.principal, 'input.principal') : creator?.principal ?? name;
    const modelScope = this.checkedScope(input.role, input.modelScope);
    const { token, prefix } = generateToken();
    return { apiKey: await this.insert({ name, principal, role: input.role, modelScope, createdBy: creator?.keyId ?? null }, token, prefix), secret: token };
  }

  /** The principal each of these keys belongs to (maker-checker compares principals). */
  async principalsOf(keyIds: string[]): Promise<Map<string, string>> {
    if (keyIds.length === 0) return new Map();
    const keys = await this.db.manager.find(ApiKey, { select: { id: true, principal: true }, where: { id: In(keyIds) } });
    return new Map(keys.map((key) => [key.id, key.principal]));
  }

  async revoke(id: string): Promise<ApiKey> {
    const key = await this.db.manager.findOneBy(ApiKey, { id });
    if (!key) throw notFound('ApiKey', id);
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await this.db.transaction((manager) => manager.update(ApiKey, { id }, { revokedAt: key.revokedAt }));
    }
    this.cache.delete(key.prefix);
    this.events?.publish('API_KEY_REVOKED', 'all', { keyId: key.id });
    return key;
  }

  /** Which of these keys still work (exist and are not revoked): sockets of the others are closed. */
  async activeKeyIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const keys = await this.db.manager.find(ApiKey, { select: { id: true }, where: { id: In(ids), revokedAt: IsNull() } });
    return new Set(keys.map((key) => key.id));
  }

  async list(filter: { role?: Role | null; includeRevoked?: boolean } | null | undefined, page: PageArgs): Promise<Page<ApiKey>> {
    await this.writeUses();
    const qb = this.db.manager.createQueryBuilder(ApiKey, 'k');
    if (filter?.role) qb.andWhere('k.role = :role', { role: filter.role });
    if (!filter?.includeRevoked) qb.andWhere('k.revoked_at IS NULL');
    return paginate(qb, 'k', page, { direction: 'DESC' }, this.config.maxPageSize);
  }

  /** The caller a token stands for, or null when it is unknown or revoked. */
  async authenticate(token: string): Promise<Caller | null> {
    const prefix = prefixOf(token);
    let key = this.cache.get(prefix);
    if (key === undefined) {
      key = (await this.db.manager.findOneBy(ApiKey, { prefix })) ?? false;
      this.cache.set(prefix, key);
    }
    if (!key || key.revokedAt) return null;
    if (!this.verifiedTokens.has(key) || !sameSecret(this.verifiedTokens.get(key)!, token)) {
      if (!tokenMatches(token, key.secretHash)) return null;
      this.verifiedTokens.set(key, token);
    }
    this.noteUse(key.id);
    return { keyId: key.id, keyName: key.name, principal: key.principal, role: key.role, modelScope: key.modelScope };
  }

  /** Remembers that a key was used; lastUsedAt is written within a minute (or on the next listing). */
  private noteUse(id: string): void {
    this.unwrittenUses.set(id, new Date());
    this.usesTimer ??= setTimeout(() => void this.writeUses(), ApiKeyService.LAST_USED_MS).unref();
  }

  /** Writes the remembered uses (keys listed, the server stopping, or a minute after a use). */
  async writeUses(): Promise<void> {
    if (this.usesTimer) clearTimeout(this.usesTimer);
    this.usesTimer = null;
    if (this.unwrittenUses.size === 0) return;
    const uses = [...this.unwrittenUses];
    this.unwrittenUses.clear();
    try {
      await this.db.transaction(async (manager) => {
        for (const [id, at] of uses) await manager.update(ApiKey, { id }, { lastUsedAt: at });
      });
    } catch (error) {
      this.log?.warn({ err: error }, 'Could not record when API keys were last used');
    }
  }

  /**
   * On a database without keys, creates the first ADMIN key: AIMASS_BOOTSTRAP_ADMIN_KEY when set,
   * otherwise a generated one that is printed once, here, and never again.
   */
  async bootstrap(): Promise<string | null> {
    if ((await this.db.manager.count(ApiKey)) > 0) return null;
    const token = this.config.bootstrapAdminKey ?? generateToken().token;
    await this.insert({ name: 'bootstrap-admin', principal: 'bootstrap-admin', role: Role.ADMIN, modelScope: null, createdBy: null }, token, prefixOf(token));
    if (!this.config.bootstrapAdminKey) {
      this.log?.warn({ apiKey: token }, `Created the first ADMIN API key; it is shown only now: ${token}`);
    }
    return token;
  }

  private async insert(fields: Pick<ApiKey, 'name' | 'principal' | 'role' | 'modelScope' | 'createdBy'>, token: string, prefix: string) {
    const key = Object.assign(new ApiKey(), {
      id: newId(ApiKey), ...fields, prefix, secretHash: hashToken(token), createdAt: new Date(), revokedAt: null, lastUsedAt: null,
    });
    await this.db.transaction((manager) => manager.insert(ApiKey, key));
    return key;
  }

  /** PARTNER keys must name their models; other roles see every model. */
  private checkedScope(role: Role, scope: string[] | null | undefined): string[] | null {
    if (role !== Role.PARTNER) {
      if (scope?.length) throw badInput('modelScope applies to PARTNER keys only', { field: 'input.modelScope' });
      return null;
    }
    if (!scope?.length) throw badInput('a PARTNER key needs a modelScope naming at least one model', { field: 'input.modelScope' });
    return [...new Set(scope)];
  }
}
