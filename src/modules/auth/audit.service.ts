import type { Config } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { newId } from '../../core/ids';
import { AuditEntry } from './audit-entry.entity';
import type { Caller } from '../shared/caller';
import { redactArguments } from './audit-redaction';

export interface AuditRecord {
  caller: Caller | null;
  operation: string;
  args: Record<string, unknown>;
  outcome: string;
  errorMessage?: string | null;
  clientAddress?: string | null;
  requestId: string;
}

export interface AuditFilter {
  /** A key id, or a key name. */
  actor?: string | null;
  operation?: string | null;
  outcome?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Appends to and reads the audit log. There is no update or delete, here or anywhere. */
export class AuditService {
  constructor(private readonly db: Database, private readonly config: Pick<Config, 'maxPageSize'>) {}

  async record(record: AuditRecord): Promise<void> {
    const entry = Object.assign(new AuditEntry(), {
      id: newId(AuditEntry),
      actorKeyId: record.caller?.keyId ?? null,
      actorName: record.caller?.keyName ?? null,
      actorPrincipal: record.caller?.principal ?? null,
      actorRole: record.caller?.role ?? null,
      operation: record.operation,
      arguments: redactArguments(record.args) as Record<string, unknown>,
      outcome: record.outcome,
      errorMessage: record.errorMessage?.slice(0, 2000) ?? null,
      clientAddress: record.clientAddress?.slice(0, 64) ?? null,
      requestId: record.requestId.slice(0, 100),
      createdAt: new Date(),
    });
    await this.db.transaction((manager) => manager.insert(AuditEntry, entry));
  }

  list(filter: AuditFilter | null | undefined, page: PageArgs): Promise<Page<AuditEntry>> {
    const qb = this.db.manager.createQueryBuilder(AuditEntry, 'a');
    if (filter?.actor) qb.andWhere('(a.actor_key_id = :actor OR a.actor_name = :actor)', { actor: filter.actor });
    if (filter?.operation) qb.andWhere('a.operation = :operation', { operation: filter.operation });
    if (filter?.outcome) qb.andWhere('a.outcome = :outcome', { outcome: filter.outcome });
    if (filter?.from) qb.andWhere('a.created_at >= :from', { from: this.db.sqlDate(filter.from) });
    if (filter?.to) qb.andWhere('a.created_at < :to', { to: this.db.sqlDate(filter.to) });
    return paginate(qb, 'a', page, { direction: 'DESC' }, this.config.maxPageSize);
  }
}
