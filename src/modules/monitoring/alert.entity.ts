import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Authorized, Field, Float, ID, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { Roles } from '../shared/role';
import { AlertComparator, AlertMetric, AlertSeverity, AlertState } from './alert-enums';
import { IdColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

/** One firing of a rule for one subject (the process, a model, or a training run). */
@ObjectType({ implements: Node, description: 'A rule that started firing: opened once, kept (not repeated) while it keeps firing, resolved when it clears.' })
@Entity('alert')
export class Alert implements Node {
  /** Ids of this type read `alr_<ULID>`. */
  static readonly idPrefix = 'alr';

  @Field(() => ID, { description: 'Global id, `alr_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('rule_id')
  ruleId!: string;

  @Field({ description: 'The rule\'s name when the alert opened.' })
  @Column({ name: 'rule_name', type: 'varchar', length: 200 })
  ruleName!: string;

  @Field(() => AlertMetric)
  @Column({ type: 'varchar', length: 40 })
  metric!: AlertMetric;

  @Field(() => AlertSeverity)
  @Column({ type: 'varchar', length: 20 })
  severity!: AlertSeverity;

  @Field(() => AlertState)
  @Column({ type: 'varchar', length: 20 })
  state!: AlertState;

  /** What fired: '' for the process, a model id, or a run id. */
  @Column({ type: 'varchar', length: 64 })
  subject!: string;

  @RefColumn('model_id', { nullable: true })
  modelId!: string | null;

  @RefColumn('run_id', { nullable: true })
  runId!: string | null;

  @Field(() => Float, { nullable: true, description: 'The metric\'s value when the alert opened.' })
  @Column({ type: 'double', nullable: true })
  value!: number | null;

  @Field(() => Float)
  @Column({ type: 'double' })
  threshold!: number;

  @Field(() => AlertComparator)
  @Column({ type: 'varchar', length: 10 })
  comparator!: AlertComparator;

  @Field({ description: 'What happened, for people, e.g. "p95 predict latency of credit-mlp is 1,240 ms (> 1,000 ms)".' })
  @Column({ type: 'text' })
  message!: string;

  @Field({ description: 'When it opened.' })
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn('acknowledged_at', { nullable: true })
  acknowledgedAt!: Date | null;

  // An internal key name: partners, who may read their models' alerts, do not see it.
  @Authorized(...Roles.READERS)
  @Field(() => String, { nullable: true, description: 'Name of the API key that acknowledged it.' })
  @Column({ name: 'acknowledged_by', type: 'varchar', length: 200, nullable: true })
  acknowledgedBy!: string | null;

  @Field(() => Date, { nullable: true })
  @TimeColumn('resolved_at', { nullable: true })
  resolvedAt!: Date | null;
}

/** A stored health snapshot (one per HEALTH_PERSIST_SECONDS), for healthHistory. */
@Entity('health_snapshot')
export class StoredHealthSnapshot {
  @PrimaryColumn({ name: 'taken_at', type: 'datetime' })
  takenAt!: Date;

  @Column({ type: 'text' })
  data!: string;
}
