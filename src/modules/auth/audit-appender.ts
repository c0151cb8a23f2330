import type { Database } from '../../engines/db/database';
import { AuditEntry } from './audit-entry.entity';
import { auditEntryHash } from './audit-chain';

/** The chain head's row; writers lock it to append, so the chain has one order across instances. */
export const CHAIN_HEAD_TABLE = 'audit_chain_head';

/** Most entries appended in one transaction (one multi-row insert stays far below MySQL's packet limit). */
const MAX_BATCH = 100;

interface Waiting {
  entry: AuditEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Appends audit entries to the hash chain. Each transaction locks the head row (FOR UPDATE on
 * MySQL, so every instance sharing the database appends in one order; SQLite's transactions are
 * serialised already), links the entries to it and moves it. Entries that arrive while a
 * transaction runs wait and go together in the next one: one lock and one commit for many
 * entries, which is what keeps a per-database chain from serialising every request (see the
 * audit benchmark). A caller's promise settles once its entry is committed.
 */
export class AuditAppender {
  private readonly waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly db: Database) {}

  append(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          await this.commit(batch.map((w) => w.entry));
          for (const w of batch) w.resolve();
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          // One bad entry must not lose its neighbours: each is retried alone.
          for (const w of batch) await this.commit([w.entry]).then(w.resolve, w.reject);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private commit(entries: AuditEntry[]): Promise<void> {
    return this.db.transaction(async (manager) => {
      const [head] = await manager.query(`SELECT sequence, hash FROM ${CHAIN_HEAD_TABLE} WHERE id = 1${this.db.kind === 'sqlite' ? '' : ' FOR UPDATE'}`);
      let sequence = Number(head.sequence);
      let previousHash = String(head.hash);
      for (const entry of entries) {
        entry.sequence = ++sequence;
        entry.previousHash = previousHash;
        previousHash = entry.hash = auditEntryHash(entry);
      }
      await manager.insert(AuditEntry, entries);
      await manager.query(`UPDATE ${CHAIN_HEAD_TABLE} SET sequence = ?, hash = ? WHERE id = 1`, [sequence, previousHash]);
    });
  }
}
