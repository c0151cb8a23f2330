import { Column, Entity, PrimaryColumn } from 'typeorm';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { jsonTransformer } from '../../engines/db/json-transformer';
import { Environment } from '../deployments/environment';
import { RowPrediction } from './prediction.types';

/** One served row in the prediction log: written in bulk after the response, sampled and expired by configuration. */
@ObjectType({ implements: Node, description: 'One served row from the prediction log: the inputs as sent, the answer, the version that gave it and how long the request took.' })
@Entity('prediction')
export class Prediction implements Node {
  /** Ids of this type read `pred_<ULID>`. */
  static readonly idPrefix = 'pred';

  @Field(() => ID, { description: 'Global id, `pred_…`.' })
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ name: 'model_id', type: 'varchar', length: 40 })
  modelId!: string;

  @Column({ name: 'model_version_id', type: 'varchar', length: 40 })
  modelVersionId!: string;

  @Field(() => Environment)
  @Column({ type: 'varchar', length: 20 })
  environment!: Environment;

  @Field(() => GraphQLJSONObject, { description: 'The row as the client sent it.' })
  @Column({ type: 'text', transformer: jsonTransformer })
  inputs!: Record<string, unknown>;

  @Field(() => RowPrediction, { description: 'The answer given.' })
  @Column({ type: 'text', transformer: jsonTransformer })
  outputs!: RowPrediction;

  @Field(() => Float, { description: 'Latency of the whole request the row came in, in milliseconds.' })
  @Column({ name: 'latency_ms', type: 'double' })
  latencyMs!: number;

  @Field(() => String, { nullable: true, description: 'The request id (x-request-id) of the request.' })
  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  @Field({ description: 'When it was served.' })
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
