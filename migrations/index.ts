import { InitialSchema1764400000000 } from './1764400000000-initial-schema';
import { ApiKeysAndAuditLog1764500000000 } from './1764500000000-api-keys-and-audit-log';
import { Training1764600000000 } from './1764600000000-training';
import { MetricRollups1764700000000 } from './1764700000000-metric-rollups';
import { Serving1764800000000 } from './1764800000000-serving';
import { Monitoring1764900000000 } from './1764900000000-monitoring';

/** Every migration in order; listed by class so tsc output and vitest load the same set. */
export const MIGRATIONS = [InitialSchema1764400000000, ApiKeysAndAuditLog1764500000000, Training1764600000000, MetricRollups1764700000000, Serving1764800000000, Monitoring1764900000000];
