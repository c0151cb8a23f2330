import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { jsonTransformer } from '../../engines/db/json-transformer';
import { Architecture, ModelTask } from './model-enums';
import { Hyperparameters } from './hyperparameters';
import { PromotionGate } from './promotion-gate';

/** A named model definition: what it predicts, from which columns, with which network. */
@ObjectType({ implements: Node, description: 'A named model: the task, the network, the feature and target columns, and default training settings. Training produces its versions.' })
@Entity('model')
export class Model implements Node {
  /** Ids of this type read `mdl_<ULID>`. */
  static readonly idPrefix = 'mdl';

  @Field(() => ID, { description: 'Global id, `mdl_…`.' })
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Field({ description: 'Unique name; predict accepts it in place of the id.' })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text for people.' })
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Field(() => ModelTask, { description: 'What the model predicts.' })
  @Column({ type: 'varchar', length: 40 })
  task!: ModelTask;

  @Field(() => Architecture, { description: 'The network.' })
  @Column({ type: 'varchar', length: 40 })
  architecture!: Architecture;

  @Field(() => [String], { description: 'Input columns, in order.' })
  @Column({ name: 'feature_columns', type: 'text', transformer: jsonTransformer })
  featureColumns!: string[];

  @Field({ description: 'The column to predict.' })
  @Column({ name: 'target_column', type: 'varchar', length: 200 })
  targetColumn!: string;

  @Field(() => Hyperparameters, { description: 'Default training settings.' })
  @Column({ type: 'text', transformer: jsonTransformer })
  hyperparameters!: Hyperparameters;

  @Field({ description: 'PRODUCTION deploys need an APPROVER other than the requester (maker-checker). Default true.' })
  @Column({ name: 'requires_approval', type: 'boolean', default: true })
  requiresApproval!: boolean;

  @Field(() => PromotionGate, { nullable: true, description: 'What a version must reach to go live in PRODUCTION; null: no gate.' })
  @Column({ name: 'promotion_gate', type: 'text', nullable: true, transformer: jsonTransformer })
  promotionGate!: PromotionGate | null;

  @Field(() => Date, { nullable: true, description: 'When the model was archived; archived models are hidden from lists by default and cannot be trained.' })
  @Column({ name: 'archived_at', type: 'datetime', nullable: true })
  archivedAt!: Date | null;

  @Field({ description: 'When the model was created.' })
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Field({ description: 'When the model was last changed.' })
  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
