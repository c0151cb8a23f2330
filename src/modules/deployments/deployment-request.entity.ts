import { Column, Entity } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { Environment } from './environment';
import { GateCheck } from '../models/promotion-gate';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { DeploymentMode } from './challenger.entity';

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
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @RefColumn('model_version_id')
  modelVersionId!: string;

  @Field(() => Environment)
  @Column({ type: 'varchar', length: 20 })
  environment!: Environment;

  @Field(() => DeploymentRequestStatus)
  @Column({ type: 'varchar', length: 20 })
  status!: DeploymentRequestStatus;

  @Field(() => DeploymentMode, { description: 'LIVE, or CANARY: a canary in an environment that needs approval is asked for like a deploy.' })
  @Column({ type: 'varchar', length: 10, default: DeploymentMode.LIVE })
  mode!: DeploymentMode;

  @Field(() => Int, { nullable: true, description: 'CANARY: the share of requests it would answer.' })
  @Column({ name: 'traffic_percent', type: 'int', nullable: true })
  trafficPercent!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the requester wants it live.' })
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Field(() => GateCheck, { nullable: true, description: 'The promotion gate\'s numbers when the request was made (null when the model has no gate).' })
  @JsonColumn({ nullable: true })
  gate!: GateCheck | null;

  @RefColumn('requested_by', { nullable: true })
  requestedById!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that asked.' })
  @Column({ name: 'requested_by_name', type: 'varchar', length: 200, nullable: true })
  requestedBy!: string | null;

  @RefColumn('decided_by', { nullable: true })
  decidedById!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that approved or rejected it.' })
  @Column({ name: 'decided_by_name', type: 'varchar', length: 200, nullable: true })
  decidedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'The approver\'s comment or the reason for rejecting.' })
  @Column({ name: 'decision_comment', type: 'text', nullable: true })
  decisionComment!: string | null;

  @Field(() => Date, { nullable: true })
  @TimeColumn('decided_at', { nullable: true })
  decidedAt!: Date | null;

  @RefColumn('deployment_id', { nullable: true })
  deploymentId!: string | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;
}
