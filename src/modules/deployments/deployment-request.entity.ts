import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { jsonTransformer } from '../../engines/db/json-transformer';
import { Environment } from './environment';
import { GateCheck } from '../models/promotion-gate';

export enum DeploymentRequestStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(DeploymentRequestStatus, { name: 'DeploymentRequestStatus', description: 'PENDING until an APPROVER other than the requester approves (the version goes live) or rejects it.' });

/** A PRODUCTION deploy waiting for a second person (maker-checker, SR 11-7). */
@ObjectType({ implements: Node, description: 'A request to put a version live in PRODUCTION, waiting for an APPROVER who is neither the requester nor the one who trained the version.' })
@Entity('deployment_request')
export class DeploymentRequest implements Node {
  /** Ids of this type read `dreq_<ULID>`. */
  static readonly idPrefix = 'dreq';

  @Field(() => ID, { description: 'Global id, `dreq_…`.' })
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ name: 'model_id', type: 'varchar', length: 40 })
  modelId!: string;

  @Column({ name: 'model_version_id', type: 'varchar', length: 40 })
  modelVersionId!: string;

  @Field(() => Environment)
  @Column({ type: 'varchar', length: 20 })
  environment!: Environment;

  @Field(() => DeploymentRequestStatus)
  @Column({ type: 'varchar', length: 20 })
  status!: DeploymentRequestStatus;

  @Field(() => String, { nullable: true, description: 'Why the requester wants it live.' })
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Field(() => GateCheck, { nullable: true, description: 'The promotion gate\'s numbers when the request was made (null when the model has no gate).' })
  @Column({ type: 'text', nullable: true, transformer: jsonTransformer })
  gate!: GateCheck | null;

  @Column({ name: 'requested_by', type: 'varchar', length: 40, nullable: true })
  requestedById!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that asked.' })
  @Column({ name: 'requested_by_name', type: 'varchar', length: 200, nullable: true })
  requestedBy!: string | null;

  @Column({ name: 'decided_by', type: 'varchar', length: 40, nullable: true })
  decidedById!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that approved or rejected it.' })
  @Column({ name: 'decided_by_name', type: 'varchar', length: 200, nullable: true })
  decidedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'The approver\'s comment or the reason for rejecting.' })
  @Column({ name: 'decision_comment', type: 'text', nullable: true })
  decisionComment!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'decided_at', type: 'datetime', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'deployment_id', type: 'varchar', length: 40, nullable: true })
  deploymentId!: string | null;

  @Field()
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
