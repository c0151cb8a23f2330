import { randomBytes } from 'node:crypto';
import { In, IsNull } from 'typeorm';
import type { WebhookConfig } from '../../core/config';
import { badInput, forbidden, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { checkWebhookUrl } from '../../engines/notify/address-guard';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import type { Caller } from '../shared/caller';
import type { ModelService } from '../models/model.service';
import type { DeliveryLoop } from './delivery-loop';
import { Webhook, WebhookDelivery, WebhookDeliveryStatus, type WebhookEvent } from './webhook.entity';
import type { CreateWebhookInput } from './webhook.inputs';

/** Active webhooks a server keeps: each event is checked against all of them. */
export const MAX_WEBHOOKS = 200;

/** Something that happened, to tell the webhooks that asked for it. */
export interface Happening {
  event: WebhookEvent;
  /** Unique per happening (e.g. `run:run_…:SUCCEEDED`): a webhook gets one delivery per key. */
  key: string;
  modelId: string | null;
  data: Record<string, unknown>;
}

/** Creates and lists webhooks, and turns happenings into stored deliveries for the delivery loop. */
export class WebhookService {
  constructor(private readonly deps: { db: Database; config: WebhookConfig; maxPageSize: number; models: ModelService; loop: DeliveryLoop }) {}

  async create(input: CreateWebhookInput, caller: Caller | null): Promise<{ webhook: Webhook; secret: string }> {
    const { db, config, models } = this.deps;
    if (new Set(input.events).size !== input.events.length) throw badInput('events lists an event twice', { field: 'input.events' });
    if (caller?.modelScope && !input.modelId) throw forbidden('a PARTNER key\'s webhook must name one of its models (input.modelId)');
    const problem = await checkWebhookUrl(input.url, config.allowPrivate);
    if (problem) throw badInput(`url ${problem}`, { field: 'input.url' });
    const modelId = input.modelId ? (await models.byRef(input.modelId, 'input.modelId')).id : null;
    if ((await db.manager.countBy(Webhook, { deletedAt: IsNull() })) >= MAX_WEBHOOKS) {
      throw badInput(`this server already has ${MAX_WEBHOOKS} webhooks; delete one first`, { field: 'input', limit: MAX_WEBHOOKS });
    }
    const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const webhook = Object.assign(new Webhook(), {
      id: newId(Webhook), url: input.url, events: input.events, modelId, secret, createdBy: caller?.keyName ?? null, createdAt: new Date(), deletedAt: null,
    });
    await db.transaction((m) => m.insert(Webhook, webhook));
    return { webhook, secret };
  }

  /** A webhook the caller may see (a PARTNER: one of its models'); FORBIDDEN otherwise, NOT_FOUND when unknown or deleted. */
  async get(id: string, caller: Caller | null): Promise<Webhook> {
    const webhook = await this.deps.db.manager.findOneBy(Webhook, { id, deletedAt: IsNull() });
    if (!webhook) throw notFound('Webhook', id);
    const scope = caller?.modelScope;
    if (scope && !(webhook.modelId && scope.includes(webhook.modelId))) throw forbidden(`this key may not use webhook ${JSON.stringify(id)}`);
    return webhook;
  }

  async delete(id: string, caller: Caller | null): Promise<Webhook> {
    const webhook = await this.get(id, caller);
    webhook.deletedAt = new Date();
    await this.deps.db.transaction((m) => m.update(Webhook, { id }, { deletedAt: webhook.deletedAt }));
    return webhook;
  }

  list(page: PageArgs, scope: string[] | null): Promise<Page<Webhook>> {
    const qb = this.deps.db.manager.createQueryBuilder(Webhook, 'w').where('w.deleted_at IS NULL');
    if (scope) qb.andWhere('w.model_id IN (:...scope)', { scope: scope.length ? scope : ['none'] });
    return paginate(qb, 'w', page, { direction: 'DESC' }, this.deps.maxPageSize);
  }

  async deliveries(filter: { webhookId?: string | null; status?: WebhookDeliveryStatus | null }, page: PageArgs, caller: Caller | null): Promise<Page<WebhookDelivery>> {
    const qb = this.deps.db.manager.createQueryBuilder(WebhookDelivery, 'd');
    if (filter.webhookId) {
      await this.get(filter.webhookId, caller);
      qb.andWhere('d.webhook_id = :webhookId', { webhookId: filter.webhookId });
    } else if (caller?.modelScope) {
      const own = await this.deps.db.manager.find(Webhook, { select: { id: true }, where: { modelId: In(caller.modelScope.length ? caller.modelScope : ['none']) } });
      qb.andWhere('d.webhook_id IN (:...own)', { own: own.length ? own.map((w) => w.id) : ['none'] });
    }
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    return paginate(qb, 'd', page, { direction: 'DESC' }, this.deps.maxPageSize);
  }

  /** Sends a delivery again (a DEAD one, or any finished one): PENDING now; its attempts go on counting. */
  async redeliver(deliveryId: string, caller: Caller | null): Promise<WebhookDelivery> {
    const { db, loop } = this.deps;
    const delivery = await db.manager.findOneBy(WebhookDelivery, { id: deliveryId });
    if (!delivery) throw notFound('WebhookDelivery', deliveryId);
    await this.get(delivery.webhookId, caller);
    if (delivery.status === WebhookDeliveryStatus.PENDING || delivery.status === WebhookDeliveryStatus.SENDING) {
      throw badInput(`delivery ${deliveryId} is ${delivery.status}: it will be sent anyway`, { field: 'deliveryId' });
    }
    const changes = { status: WebhookDeliveryStatus.PENDING, nextAttemptAt: new Date(), leaseUntil: null, deliveredAt: null };
    await db.transaction((m) => m.update(WebhookDelivery, { id: deliveryId, status: delivery.status }, changes));
    loop.poke();
    return Object.assign(delivery, changes);
  }

  /** Stores one delivery per webhook that asked for this happening (once, however many instances hear it), then wakes the loop. */
  async enqueue(happening: Happening): Promise<number> {
    const { db, models, loop } = this.deps;
    const webhooks = (await db.manager.findBy(Webhook, { deletedAt: IsNull() }))
      .filter((w) => w.events.includes(happening.event) && (w.modelId === null || w.modelId === happening.modelId));
    if (!webhooks.length) return 0;
    const model = happening.modelId ? await models.get(happening.modelId).then((m) => ({ id: m.id, name: m.name }), () => ({ id: happening.modelId, name: null })) : null;
    let written = 0;
    for (const webhook of webhooks) {
      const id = newId(WebhookDelivery);
      const delivery = Object.assign(new WebhookDelivery(), {
        id, webhookId: webhook.id, event: happening.event, eventKey: happening.key,
        payload: { id, event: happening.event, occurredAt: new Date().toISOString(), model, data: happening.data },
        status: WebhookDeliveryStatus.PENDING, attempts: 0, attemptLog: [], nextAttemptAt: new Date(), leaseUntil: null, createdAt: new Date(), deliveredAt: null,
      });
      try {
        await db.transaction((m) => m.insert(WebhookDelivery, delivery));
        written++;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error; // another instance wrote it first
      }
    }
    if (written) loop.poke();
    return written;
  }
}
