import { Column, Entity } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { IdColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Node } from '../shared/node';
import { FindingSeverity, FindingStatus, ValidationConclusion, ValidationState } from './validation-enums';

/** An independent validation of one model version: findings while OPEN, then an attested conclusion. */
@ObjectType({ implements: Node, description: 'An independent validation of a model version (SR 11-7): opened by a VALIDATOR who neither trained, requested nor approved the version, its findings, and the attested conclusion.' })
@Entity('validation')
export class Validation implements Node {
  static readonly idPrefix = 'val';

  @Field(() => ID, { description: 'Global id, `val_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @RefColumn('model_version_id')
  modelVersionId!: string;

  @Field({ description: 'What the validation covers: data, methodology, outcomes analysis… (at most 10,000 characters).' })
  @Column({ type: 'text' })
  scope!: string;

  @Field(() => ValidationState)
  @Column({ type: 'varchar', length: 20 })
  state!: ValidationState;

  @Field({ description: 'The principal who opened it.' })
  @Column({ name: 'opened_by', type: 'varchar', length: 200 })
  openedBy!: string;

  @Field({ description: 'When it was opened.' })
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field(() => ValidationConclusion, { nullable: true, description: 'The conclusion, once CONCLUDED.' })
  @Column({ type: 'varchar', length: 30, nullable: true })
  conclusion!: ValidationConclusion | null;

  @Field(() => String, { nullable: true, description: 'The attestation: the validator\'s statement, signed by who and when below.' })
  @Column({ type: 'text', nullable: true })
  statement!: string | null;

  @Field(() => String, { nullable: true, description: 'The principal who concluded and attested it.' })
  @Column({ name: 'concluded_by', type: 'varchar', length: 200, nullable: true })
  concludedBy!: string | null;

  @Field(() => Date, { nullable: true })
  @TimeColumn('concluded_at', { nullable: true })
  concludedAt!: Date | null;
}

/** One thing a validator found, tracked to closure. */
@ObjectType({ implements: Node, description: 'A validation finding, tracked to closure: OPEN until REMEDIATED or ACCEPTED.' })
@Entity('validation_finding')
export class ValidationFinding implements Node {
  static readonly idPrefix = 'vfd';

  @Field(() => ID, { description: 'Global id, `vfd_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('validation_id')
  validationId!: string;

  @RefColumn('model_id')
  modelId!: string;

  @Field(() => FindingSeverity)
  @Column({ type: 'varchar', length: 10 })
  severity!: FindingSeverity;

  @Field({ description: 'What was found (at most 10,000 characters).' })
  @Column({ type: 'text' })
  description!: string;

  @Field(() => FindingStatus)
  @Column({ type: 'varchar', length: 20 })
  status!: FindingStatus;

  @Field({ description: 'Who must deal with it (a principal).' })
  @Column({ type: 'varchar', length: 200 })
  owner!: string;

  @Field({ description: 'When it must be dealt with.' })
  @TimeColumn('due_at')
  dueAt!: Date;

  @Field(() => String, { nullable: true, description: 'How it was remediated, or why the risk is accepted.' })
  @Column({ name: 'resolution_note', type: 'text', nullable: true })
  resolutionNote!: string | null;

  @Field({ description: 'The principal who recorded it.' })
  @Column({ name: 'recorded_by', type: 'varchar', length: 200 })
  recordedBy!: string;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field()
  @TimeColumn('updated_at')
  updatedAt!: Date;
}
