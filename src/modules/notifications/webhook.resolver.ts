import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { ModelScoped } from '../auth/model-scope';
import { Model } from '../models/model.entity';
import { connectionType } from '../shared/connection';
import type { Context } from '../shared/context';
import { PageArgs } from '../shared/page.args';
import { Roles } from '../shared/role';
import { Webhook, WebhookDelivery } from './webhook.entity';
import { CreateWebhookInput, WebhookDeliveriesArgs } from './webhook.inputs';

const WebhookConnection = connectionType(Webhook, 'Webhook');
const WebhookDeliveryConnection = connectionType(WebhookDelivery, 'WebhookDelivery');

@ObjectType({ description: 'A new webhook and its signing secret, shown only now.' })
class CreatedWebhook {
  @Field(() => Webhook) webhook!: Webhook;
  @Field({ description: 'Verify each delivery\'s `aimass-signature` with it (see the README\'s recipe). Not shown again.' }) secret!: string;
}

@Resolver(() => Webhook)
export class WebhookResolver {
  @Authorized(...Roles.NOTIFIERS)
  @ModelScoped((args) => args.input.modelId)
  @Mutation(() => CreatedWebhook, { description: 'Registers an endpoint to be told about events, signed with its secret. BAD_USER_INPUT for a URL that is not http(s) or resolves to a private address (unless WEBHOOK_ALLOW_PRIVATE); a PARTNER key must name one of its models.' })
  async createWebhook(@Arg('input') input: CreateWebhookInput, @Ctx() { services, caller }: Context) {
    return Object.assign(new CreatedWebhook(), await services.webhooks.create(input, caller));
  }

  @Authorized(...Roles.NOTIFIERS)
  @Mutation(() => Webhook, { description: 'Stops a webhook; its deliveries stay queryable, and pending ones are dead-lettered.' })
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() { services, caller }: Context) {
    return services.webhooks.delete(id, caller);
  }

  @Authorized(...Roles.NOTIFIERS)
  @Mutation(() => WebhookDelivery, { description: 'Sends a finished delivery again (typically a DEAD one, after fixing the receiver): PENDING now, its attempts go on counting.' })
  redeliverWebhook(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() { services, caller }: Context) {
    return services.webhooks.redeliver(deliveryId, caller);
  }

  @Authorized(...Roles.NOTIFIERS)
  @Query(() => WebhookConnection, { description: 'Webhooks, newest first; a PARTNER key sees those of its models.' })
  async webhooks(@Args() page: PageArgs, @Ctx() { services, caller }: Context) {
    return WebhookConnection.from(await services.webhooks.list(page, caller?.modelScope ?? null));
  }

  @Authorized(...Roles.NOTIFIERS)
  @Query(() => WebhookDeliveryConnection, { description: 'Deliveries with every attempt (status code, latency, error), newest first; a PARTNER key sees those of its webhooks.' })
  async webhookDeliveries(@Args() { webhookId, status, ...page }: WebhookDeliveriesArgs, @Ctx() { services, caller }: Context) {
    return WebhookDeliveryConnection.from(await services.webhooks.deliveries({ webhookId, status }, page, caller));
  }

  @FieldResolver(() => Model, { nullable: true, description: 'The model whose events it gets; null: every event.' })
  model(@Root() webhook: Webhook, @Ctx() { loaders }: Context) {
    return webhook.modelId ? loaders.models.byId.load(webhook.modelId) : null;
  }
}
