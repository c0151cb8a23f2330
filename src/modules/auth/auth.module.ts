import { ApiKeysAndAuditLog1764500000000 } from '../../../migrations/1764500000000-api-keys-and-audit-log';
import { Principals1765000000000 } from '../../../migrations/1765000000000-principals';
import { ApiKeyLastUsed1766200000000 } from '../../../migrations/1766200000000-api-key-last-used';
import { AuditChain1766350000000 } from '../../../migrations/1766350000000-audit-chain';
import { defineModule } from '../shared/module-definition';
import { ApiKey } from './api-key.entity';
import { ApiKeyService } from './api-key.service';
import { AuditEntry } from './audit-entry.entity';
import { AuditService } from './audit.service';
import { AuthResolver } from './auth.resolver';

declare module '../shared/topics' {
  interface Topics {
    /** A key was revoked; every instance closes that key's open WebSockets. */
    API_KEY_REVOKED: [scope: 'all', payload: { keyId: string }];
  }
}

declare module '../shared/context' {
  interface ServiceMap {
    apiKeys: ApiKeyService;
    audit: AuditService;
  }
}

/** API keys and the audit log. The role checks and partner scoping every module uses live here too (auth-checker, model-scope). */
export const authModule = defineModule({
  name: 'auth',
  entities: [ApiKey, AuditEntry],
  migrations: [ApiKeysAndAuditLog1764500000000, Principals1765000000000, ApiKeyLastUsed1766200000000, AuditChain1766350000000],
  resolvers: [AuthResolver],
  topics: ['API_KEY_REVOKED'],
  services: ({ db, config, log, events }) => ({
    apiKeys: new ApiKeyService(db, config, log, events),
    audit: new AuditService(db, config),
  }),
  // The first ADMIN key exists before anything is served.
  init: async ({ apiKeys }) => {
    await apiKeys.bootstrap();
  },
  // Keys used since the last write get their lastUsedAt.
  stop: ({ apiKeys }) => apiKeys.writeUses(),
});
