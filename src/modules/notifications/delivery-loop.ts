import { In, LessThanOrEqual } from 'typeorm';
import type { WebhookConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { Database } from '../../engines/db/database';
import { postJson } from '../../engines/notify/sender';
import { SIGNATURE_HEADER, signature } from '../../engines/notify/signature';
import { Webhook, WebhookDelivery, WebhookDeliveryStatus, type WebhookAttempt } from './webhook.entity';

/** The longest wait between two attempts. */
const MAX_BACKOFF_MS = 10 * 60_000;
/** Attempts kept in a delivery's log (redeliveries add more). */
const MAX_LOGGED_ATTEMPTS = 100;
/**
 * With nothing pending here, the database is still looked at this often, for deliveries a stopped
 * process left (a new event anywhere also wakes the loop, and each start looks at once).
 */
const IDLE_POLL_MS = 5 * 60_000;

/** Exponential back-off with full jitter: uniform in [0, min(cap, base × 2^(attempt − 1))]. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1)));
}

/**
 * Sends due deliveries. They live in the database, so retries survive a restart and any instance
 * may send one: a delivery is claimed by a conditional update before it is sent (SENDING, with a
 * lease; one whose lease passed was abandoned by a stopped process and is due again). At most
 * WEBHOOK_CONCURRENCY are in flight per process and each attempt has WEBHOOK_TIMEOUT_MS, so a
 * slow or failing receiver holds a slot at most that long and never delays the others' queue
 * behind it for more. Written by hand rather than with p-retry: the retry state must be stored
 * (queryable, redeliverable, crash-safe), which an in-memory retry loop is not.
 */
export class DeliveryLoop {
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private ticking = false;
  private pokeQueued = false;
  /** Aborts the attempts in flight at shutdown: unrecorded, their lease runs out and they are sent again. */
  private readonly stopping = new AbortController();
  /** This process knows of deliveries not finished yet: poll every WEBHOOK_POLL_MS, else every IDLE_POLL_MS. */
  private active = true;
  private lastPoll = 0;

  constructor(private readonly deps: { db: Database; config: WebhookConfig; log: Logger }) {}

  start(): void {
    if (!this.timer) setImmediate(() => this.tickSoon());
    this.timer ??= setInterval(() => {
      // Idle, the database is polled rarely: an idle server does not query it twice a second.
      if (this.active || Date.now() - this.lastPoll >= IDLE_POLL_MS) this.tickSoon();
    }, this.deps.config.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopping.abort();
  }

  /** Looks for due deliveries now (a new one was just written). */
  poke(): void {
    this.active = true;
    this.tickSoon();
  }

  private tickSoon(): void {
    if (this.ticking) {
      this.pokeQueued = true;
      return;
    }
    this.ticking = true;
    void this.tick().catch((error) => this.deps.log.error({ err: error }, 'webhook delivery loop failed')).finally(() => {
      this.ticking = false;
      if (this.pokeQueued) {
        this.pokeQueued = false;
        this.tickSoon();
      }
    });
  }

  private async tick(): Promise<void> {
    const room = this.deps.config.concurrency - this.inFlight;
    if (room <= 0 || !this.timer) return;
    const now = new Date();
    this.lastPoll = Date.now();
    const due = await this.deps.db.manager.find(WebhookDelivery, {
      where: [{ status: WebhookDeliveryStatus.PENDING, nextAttemptAt: LessThanOrEqual(now) }, { status: WebhookDeliveryStatus.SENDING, leaseUntil: LessThanOrEqual(now) }],
      order: { nextAttemptAt: 'ASC' }, take: room,
    });
    if (!due.length && this.inFlight === 0) {
      // Nothing due: stay quick only while something is still waiting for its retry.
      this.active = (await this.deps.db.manager.countBy(WebhookDelivery, { status: In([WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.SENDING]) })) > 0;
    }
    for (const delivery of due) {
      const leaseUntil = new Date(Date.now() + this.deps.config.timeoutMs + 10_000);
      const claimed = await this.deps.db.transaction((m) => m.update(WebhookDelivery, { id: delivery.id, status: delivery.status, attempts: delivery.attempts }, { status: WebhookDeliveryStatus.SENDING, leaseUntil }));
      if (!claimed.affected) continue; // another instance took it
      this.inFlight++;
      void this.send(delivery).catch((error) => this.deps.log.error({ err: error, deliveryId: delivery.id }, 'webhook delivery failed to record')).finally(() => {
        this.inFlight--;
        if (this.timer) this.tickSoon();
      });
    }
  }

  private async send(delivery: WebhookDelivery): Promise<void> {
    const { db, config } = this.deps;
    const webhook = await db.manager.findOneBy(Webhook, { id: delivery.webhookId });
    const attempt = delivery.attempts + 1;
    const at = new Date();
    let outcome: WebhookAttempt;
    if (!webhook || webhook.deletedAt) {
      outcome = { attempt, at, statusCode: null, latencyMs: 0, error: 'the webhook was deleted' };
    } else {
      const body = JSON.stringify(delivery.payload);
      const headers = {
        [SIGNATURE_HEADER]: signature(webhook.secret, body, Math.floor(at.getTime() / 1000)),
        'aimass-event': delivery.event, 'aimass-delivery': delivery.id, 'aimass-attempt': String(attempt),
      };
      const result = await postJson(webhook.url, body, headers, { timeoutMs: config.timeoutMs, allowPrivate: config.allowPrivate, signal: this.stopping.signal });
      if (this.stopping.signal.aborted) return;
      outcome = { attempt, at, ...result };
    }
    const succeeded = outcome.error === null;
    const dead = !succeeded && (attempt >= config.maxAttempts || !webhook || webhook.deletedAt !== null);
    const changes: Partial<WebhookDelivery> = {
      attempts: attempt,
      attemptLog: [...delivery.attemptLog, outcome].slice(-MAX_LOGGED_ATTEMPTS),
      status: succeeded ? WebhookDeliveryStatus.SUCCEEDED : dead ? WebhookDeliveryStatus.DEAD : WebhookDeliveryStatus.PENDING,
      nextAttemptAt: succeeded || dead ? null : new Date(Date.now() + backoffMs(attempt, config.retryBaseMs)),
      leaseUntil: null,
      deliveredAt: succeeded ? new Date() : null,
    };
    await db.transaction((m) => m.update(WebhookDelivery, { id: delivery.id, status: WebhookDeliveryStatus.SENDING, attempts: delivery.attempts }, changes));
  }
}
