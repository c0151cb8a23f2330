import { Column, Entity } from 'typeorm';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { Environment } from '../deployments/environment';
import { PredictionRoute } from '../deployments/challenger.entity';
import { RowPrediction } from './prediction.types';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

/** One served row in the prediction log: written in bulk after the response, sampled and expired by configuration. */
@ObjectType({ implements: Node, description: 'One served row from the prediction log: the inputs as sent, the answer, the version that gave it and how long the request took.' })
@Entity('prediction')
export class Prediction implements Node {
  /** Ids of this type read `pred_<ULID>`. */
  static readonly idPrefix = 'pred';

  @Field(() => ID, { description: 'Global id, `pred_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @RefColumn('model_version_id')
  modelVersionId!: string;

  @Field(() => Environment)
  @Column({ type: 'varchar', length: 20 })
  environment!: Environment;

  @Field(() => GraphQLJSONObject, { description: 'The row as the client sent it.' })
  @JsonColumn()
  inputs!: Record<string, unknown>;

  @Field(() => RowPrediction, { description: 'The answer given.' })
  @JsonColumn()
  outputs!: RowPrediction;

  @Field(() => Float, { description: 'Latency of the whole request the row came in, in milliseconds.' })
  @Column({ name: 'latency_ms', type: 'double' })
  latencyMs!: number;

  @Field(() => String, { nullable: true, description: 'The request id (x-request-id) of the request.' })
  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  @Field(() => PredictionRoute, { description: 'LIVE or CANARY: the version that answered; SHADOW: a shadow\'s answer, logged and never sent.' })
  @Column({ type: 'varchar', length: 10, default: PredictionRoute.LIVE })
  route!: PredictionRoute;

  @Field(() => String, { nullable: true, description: 'The routingKey the request was sent with (a customer id, say).' })
  @Column({ name: 'routing_key', type: 'varchar', length: 200, nullable: true })
  routingKey!: string | null;

  @Field({ description: 'When it was served.' })
  @TimeColumn('created_at')
  createdAt!: Date;
}
