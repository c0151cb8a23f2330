import { Column, Entity } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { Architecture, ModelTask } from './model-enums';
import { Hyperparameters } from './hyperparameters';
import { PromotionGate } from './promotion-gate';
import { RiskTier } from './model-inventory';
import { IdColumn, JsonColumn, TimeColumn } from '../../engines/db/entity-columns';

/** A named model definition: what it predicts, from which columns, with which network. */
@ObjectType({ implements: Node, description: 'A named model: the task, the network, the feature and target columns, and default training settings. Training produces its versions.' })
@Entity('model')
export class Model implements Node {
  /** Ids of this type read `mdl_<ULID>`. */
  static readonly idPrefix = 'mdl';

  @Field(() => ID, { description: 'Global id, `mdl_…`.' })
  @IdColumn()
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
  @JsonColumn({ name: 'feature_columns' })
  featureColumns!: string[];

  @Field({ description: 'The column to predict.' })
  @Column({ name: 'target_column', type: 'varchar', length: 200 })
  targetColumn!: string;

  @Field(() => Hyperparameters, { description: 'Default training settings.' })
  @JsonColumn()
  hyperparameters!: Hyperparameters;

  @Field({ description: 'PRODUCTION deploys need an APPROVER other than the requester (maker-checker). Default true.' })
  @Column({ name: 'requires_approval', type: 'boolean', default: true })
  requiresApproval!: boolean;

  @Field(() => PromotionGate, { nullable: true, description: 'What a version must reach to go live in PRODUCTION; null: no gate.' })
  @JsonColumn({ name: 'promotion_gate', nullable: true })
  promotionGate!: PromotionGate | null;

  @Field(() => String, { nullable: true, description: 'The person or team accountable for the model (a principal).' })
  @Column({ type: 'varchar', length: 200, nullable: true })
  owner!: string | null;

  @Field(() => RiskTier, { description: 'The model-risk tier; MEDIUM until an APPROVER or ADMIN sets it.' })
  @Column({ name: 'risk_tier', type: 'varchar', length: 10, default: RiskTier.MEDIUM })
  riskTier!: RiskTier;

  @Field(() => String, { nullable: true, description: 'What the model is for and what it decides.' })
  @Column({ name: 'intended_use', type: 'text', nullable: true })
  intendedUse!: string | null;

  @Field(() => String, { nullable: true, description: 'Where it should not be relied on.' })
  @Column({ name: 'known_limitations', type: 'text', nullable: true })
  knownLimitations!: string | null;

  @Field(() => String, { nullable: true, description: 'The business line that uses it.' })
  @Column({ name: 'business_line', type: 'varchar', length: 200, nullable: true })
  businessLine!: string | null;

  @Field(() => [String], { description: 'Regulations it falls under, as tags.' })
  @JsonColumn()
  regulations!: string[];

  @Field(() => Date, { nullable: true, description: 'When the model was archived; archived models are hidden from lists by default and cannot be trained.' })
  @TimeColumn('archived_at', { nullable: true })
  archivedAt!: Date | null;

  @Field({ description: 'When the model was created.' })
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field({ description: 'When the model was last changed.' })
  @TimeColumn('updated_at')
  updatedAt!: Date;
}
