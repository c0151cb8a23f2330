import type { Config } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { newId } from '../../core/ids';
import { escapeLike } from '../../engines/db/like';
import { AuditEntry } from './audit-entry.entity';
import type { Caller } from '../shared/caller';
import { redactArguments } from './audit-redaction';
import { ChainChecker, type ChainBreak } from './audit-chain';
import { AuditAppender, CHAIN_HEAD_TABLE } from './audit-appender';
import type { AuditVerification } from './audit-verification.type';

/** Entries read and checked per statement by verify(). */
const VERIFY_BATCH = 1000;


/** Text a database stores as given: a lone surrogate (e.g. from cutting a message) would be replaced by MySQL and break the entry's hash. */
const wellFormed = <T extends string | null>(text: T): T => (text === null ? text : (text as unknown as { toWellFormed(): string }).toWellFormed() as T);

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
  private readonly appender: AuditAppender;

  constructor(private readonly db: Database, private readonly config: Pick<Config, 'maxPageSize'>) {
    this.appender = new AuditAppender(db);
  }

  async record(record: AuditRecord): Promise<void> {
    const entry = Object.assign(new AuditEntry(), {
      id: newId(AuditEntry),
      actorKeyId: record.caller?.keyId ?? null,
      actorName: wellFormed(record.caller?.keyName ?? null),
      actorPrincipal: wellFormed(record.caller?.principal ?? null),
      actorRole: record.caller?.role ?? null,
      operation: wellFormed(record.operation),
      // As it reads back from JSON text, so the hash recomputed from the stored entry is the same.
      arguments: JSON.parse(JSON.stringify(redactArguments(record.args))) as Record<string, unknown>,
      outcome: wellFormed(record.outcome),
      errorMessage: wellFormed(record.errorMessage?.slice(0, 2000) ?? null),
      clientAddress: wellFormed(record.clientAddress?.slice(0, 64) ?? null),
      requestId: wellFormed(record.requestId.slice(0, 100)),
      createdAt: new Date(),
    });
    await this.appender.append(entry);
  }

  /**
   * Recomputes the chain over the entries created in [from, to): each entry's hash, its link to
   * the entry before it (also when that one is outside the range), no missing sequence, and, when
   * the range is open-ended, that the chain ends at the recorded head. Reads a batch at a time.
   */
  async verify(from: Date | null | undefined, to: Date | null | undefined): Promise<AuditVerification> {
    const [head] = await this.db.dataSource.query(`SELECT sequence, hash FROM ${CHAIN_HEAD_TABLE} WHERE id = 1`);
    const chainHead = { sequence: Number(head.sequence), hash: String(head.hash) };
    const bounds = this.db.manager.createQueryBuilder(AuditEntry, 'a').select('MIN(a.sequence)', 'first').addSelect('MAX(a.sequence)', 'last');
    if (from) bounds.andWhere('a.created_at >= :from', { from: this.db.sqlDate(from) });
    if (to) bounds.andWhere('a.created_at < :to', { to: this.db.sqlDate(to) });
    const range = await bounds.getRawOne<{ first: unknown; last: unknown }>();
    const first = range?.first == null ? null : Number(range.first);
    // Open-ended: up to the head, so entries deleted at the end are found too (times and sequence may differ by a few ms between instances).
    const last = to ? (range?.last == null ? null : Number(range.last)) : Math.max(Number(range?.last ?? 0), chainHead.sequence);
    let firstBreak: ChainBreak | null = null;
    let checker = new ChainChecker(null);
    if (first !== null && last !== null) {
      // The latest entry before the range: if it is not first − 1, the checker reports the gap at the first entry.
      const before = await this.db.manager.createQueryBuilder(AuditEntry, 'a').select(['a.id', 'a.sequence', 'a.hash'])
        .where('a.sequence < :first', { first }).orderBy('a.sequence', 'DESC').limit(1).getOne();
      checker = new ChainChecker(before ? { sequence: before.sequence, hash: before.hash } : null);
      for (let after = first - 1; after < last && !firstBreak;) {
        const entries = await this.db.manager.createQueryBuilder(AuditEntry, 'a')
          .where('a.sequence > :after AND a.sequence <= :last', { after, last }).orderBy('a.sequence', 'ASC').limit(VERIFY_BATCH).getMany();
        if (entries.length === 0) break;
        firstBreak = checker.check(entries);
        after = entries[entries.length - 1].sequence;
        // Hashing a batch takes a few ms; yielding between batches keeps a long check from holding up other requests.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (!firstBreak && !to && (first !== null || !from)) firstBreak = checker.checkHead(chainHead);
    return {
      ok: firstBreak === null, checkedEntries: checker.checked, firstSequence: first, lastSequence: first === null ? null : last,
      headSequence: chainHead.sequence, headHash: chainHead.hash, firstBreak,
    };
  }

  /**
   * Entries written by `before` whose arguments name any of `ids` (a version, a deployment
   * request…), oldest first, at most `limit`: the audit trail an evidence pack cites.
   */
  citing(ids: string[], before: Date, limit: number): Promise<AuditEntry[]> {
    if (ids.length === 0) return Promise.resolve([]);
    const qb = this.db.manager.createQueryBuilder(AuditEntry, 'a').where('a.created_at <= :before', { before: this.db.sqlDate(before) });
    // An id as a JSON string, quotes included, matches only itself (`_` escaped: it is a LIKE wildcard).
    qb.andWhere(`(${ids.map((_, i) => `a.arguments LIKE :id${i} ESCAPE '!'`).join(' OR ')})`, Object.fromEntries(ids.map((id, i) => [`id${i}`, `%${escapeLike(JSON.stringify(id))}%`])));
    return qb.orderBy('a.sequence', 'ASC').limit(limit).getMany();
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
