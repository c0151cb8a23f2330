import { Column, Entity } from 'typeorm';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Node } from '../shared/node';

/** What a webhook can be told about. */
export enum WebhookEvent {
  ALERT_OPENED = 'ALERT_OPENED',
  ALERT_RESOLVED = 'ALERT_RESOLVED',
  TRAINING_FINISHED = 'TRAINING_FINISHED',
  DEPLOYMENT_REQUESTED = 'DEPLOYMENT_REQUESTED',
  DEPLOYMENT_DECIDED = 'DEPLOYMENT_DECIDED',
  DEPLOYED = 'DEPLOYED',
  BATCH_FINISHED = 'BATCH_FINISHED',
  BACKTEST_FINISHED = 'BACKTEST_FINISHED',
}
registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  description: 'What a webhook is told about.',
  valuesConfig: {
    ALERT_OPENED: { description: 'A health, drift or training alert opened.' },
    ALERT_RESOLVED: { description: 'An alert resolved.' },
    TRAINING_FINISHED: { description: 'A training run ended: SUCCEEDED, FAILED, CANCELLED or STOPPED_EARLY.' },
    DEPLOYMENT_REQUESTED: { description: 'A PRODUCTION deploy waits for an APPROVER.' },
    DEPLOYMENT_DECIDED: { description: 'A PRODUCTION request was approved or rejected.' },
    DEPLOYED: { description: 'A version went live in an environment (a deploy or a rollback).' },
    BATCH_FINISHED: { description: 'A batch prediction job ended.' },
    BACKTEST_FINISHED: { description: 'A back-test ended.' },
  },
});

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  SENDING = 'SENDING',
  SUCCEEDED = 'SUCCEEDED',
  DEAD = 'DEAD',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: waiting for its next attempt. SENDING: an attempt is in flight. SUCCEEDED: the receiver answered 2xx. DEAD: every attempt failed (WEBHOOK_MAX_ATTEMPTS); redeliverWebhook sends it again.',
});

/** An HTTPS (or HTTP) endpoint told about events, signed with its secret. */
@ObjectType({ implements: Node, description: 'An endpoint told about events as they happen, each delivery signed with the webhook\'s secret (header `aimass-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`).' })
@Entity('webhook')
export class Webhook implements Node {
  /** Ids of this type read `whk_<ULID>`. */
  static readonly idPrefix = 'whk';

  @Field(() => ID, { description: 'Global id, `whk_…`.' })
  @IdColumn()
  id!: string;

  @Field()
  @Column({ type: 'varchar', length: 2000 })
  url!: string;

  @Field(() => [WebhookEvent])
  @JsonColumn()
  events!: WebhookEvent[];

  /** Only this model's events (null: every event, those of no model included). */
  @RefColumn('model_id', { nullable: true })
  modelId!: string | null;

  /** The signing secret: shown once, at creation. */
  @Column({ type: 'varchar', length: 200 })
  secret!: string;

  @Field(() => String, { nullable: true, description: 'The key that created it.' })
  @Column({ name: 'created_by', type: 'varchar', length: 200, nullable: true })
  createdBy!: string | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;

  /** Deleted webhooks keep their deliveries' history and receive nothing more. */
  @TimeColumn('deleted_at', { nullable: true })
  deletedAt!: Date | null;
}

@ObjectType({ description: 'One attempt of a delivery.' })
export class WebhookAttempt {
  @Field(() => Int, { description: 'From 1.' }) attempt!: number;
  @Field() at!: Date;
  @Field(() => Int, { nullable: true, description: 'The receiver\'s HTTP status (null when no answer came).' }) statusCode!: number | null;
  @Field(() => Int) latencyMs!: number;
  @Field(() => String, { nullable: true, description: 'Why it failed, e.g. "timeout after 5000 ms" or "HTTP 503".' }) error!: string | null;
}

/** One event for one webhook, with every attempt to deliver it. */
@ObjectType({ description: 'One event for one webhook, with its attempts. Retried with exponential back-off and jitter until it succeeds or WEBHOOK_MAX_ATTEMPTS fail (DEAD).' })
@Entity('webhook_delivery')
export class WebhookDelivery {
  /** Ids of this type read `whd_<ULID>`. */
  static readonly idPrefix = 'whd';

  @Field(() => ID, { description: '`whd_…`; also the body\'s `id` and the `aimass-delivery` header, so a receiver can drop duplicates.' })
  @IdColumn()
  id!: string;

  @RefColumn('webhook_id')
  webhookId!: string;

  @Field(() => WebhookEvent)
  @Column({ type: 'varchar', length: 40 })
  event!: WebhookEvent;

  /** What happened, once: a webhook gets one delivery per key (instances that hear the same event write it once). */
  @Column({ name: 'event_key', type: 'varchar', length: 200 })
  eventKey!: string;

  @Field(() => GraphQLJSONObject, { description: 'The body sent (JSON).' })
  @JsonColumn()
  payload!: object;

  @Field(() => WebhookDeliveryStatus)
  @Column({ type: 'varchar', length: 20 })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  @Column({ type: 'int' })
  attempts!: number;

  @Field(() => [WebhookAttempt], { description: 'Every attempt, oldest first.' })
  @JsonColumn({ name: 'attempt_log' })
  attemptLog!: WebhookAttempt[];

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (PENDING).' })
  @TimeColumn('next_attempt_at', { nullable: true })
  nextAttemptAt!: Date | null;

  /** A SENDING delivery whose lease passed was abandoned by a stopped process: due again. */
  @TimeColumn('lease_until', { nullable: true })
  leaseUntil!: Date | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn('delivered_at', { nullable: true })
  deliveredAt!: Date | null;
}
