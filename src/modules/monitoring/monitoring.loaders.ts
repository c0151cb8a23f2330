import type { Database } from '../../engines/db/database';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { Alert } from './alert.entity';
import { AlertRule } from './alert-rule.entity';

/** Per-request DataLoaders for alerts and alert rules. */
export class MonitoringLoaders {
  constructor(private readonly db: Database) {}

  readonly alertById = byIdLoader(this.db, Alert);
  readonly ruleById = byIdLoader(this.db, AlertRule);
}
