import { InitialSchema1764400000000 } from './1764400000000-initial-schema';
import { ApiKeysAndAuditLog1764500000000 } from './1764500000000-api-keys-and-audit-log';

/** Every migration in order; listed by class so tsc output and vitest load the same set. */
export const MIGRATIONS = [InitialSchema1764400000000, ApiKeysAndAuditLog1764500000000];
