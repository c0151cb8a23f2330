import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { WebhookDeliveryStatus, WebhookEvent } from './webhook.entity';

@InputType({ description: 'A new webhook. PARTNER keys must name one of their models.' })
export class CreateWebhookInput {
  @Field({ description: 'Where deliveries are POSTed: http or https, at most 2,000 characters. Private, loopback and link-local addresses are refused unless WEBHOOK_ALLOW_PRIVATE is set.' })
  @Length(1, 2000)
  url!: string;

  @Field(() => [WebhookEvent], { description: 'What to be told about (1 to 8, distinct).' })
  @ArrayMinSize(1) @ArrayMaxSize(8)
  events!: WebhookEvent[];

  @Field(() => ID, { nullable: true, description: 'Only this model\'s events (its id or name). Omitted: every event, those of no model (e.g. a worker lost) included.' })
  @IsOptional() @MaxLength(200)
  modelId?: string | null;

  @Field(() => String, { nullable: true, description: 'The signing secret, 16 to 200 characters; generated when omitted. Returned once, now.' })
  @IsOptional() @Length(16, 200)
  secret?: string | null;
}

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this webhook\'s deliveries.' }) webhookId?: string | null;
  @Field(() => WebhookDeliveryStatus, { nullable: true }) status?: WebhookDeliveryStatus | null;
}
