import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { Environment } from '../deployments/environment';
import { AlertComparator, AlertMetric, AlertSeverity } from './alert-enums';
import { IdColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

/** When to raise an alert: a metric compared with a threshold, holding for a while. */
@ObjectType({ implements: Node, description: 'When to raise an alert: `metric comparator threshold` holding for `forSeconds`, with a cool-down after it resolves. Built-in rules are on by default and can be changed or switched off, not deleted.' })
@Entity('alert_rule')
export class AlertRule implements Node {
  /** Ids of this type read `rule_<ULID>`. */
  static readonly idPrefix = 'rule';

  @Field(() => ID, { description: 'Global id, `rule_…`.' })
  @IdColumn()
  id!: string;

  @Field()
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field(() => AlertMetric)
  @Column({ type: 'varchar', length: 40 })
  metric!: AlertMetric;

  @Field(() => AlertComparator)
  @Column({ type: 'varchar', length: 10 })
  comparator!: AlertComparator;

  @Field(() => Float)
  @Column({ type: 'double' })
  threshold!: number;

  @Field(() => Int, { description: 'How long the condition must hold before an alert opens.' })
  @Column({ name: 'for_seconds', type: 'int' })
  forSeconds!: number;

  @Field(() => Int, { description: 'After an alert resolves, no new one opens for this long (per model).' })
  @Column({ name: 'cooldown_seconds', type: 'int' })
  cooldownSeconds!: number;

  @Field(() => AlertSeverity)
  @Column({ type: 'varchar', length: 20 })
  severity!: AlertSeverity;

  /** Per-model metrics: only this model (null: every model). */
  @RefColumn('model_id', { nullable: true })
  modelId!: string | null;

  @Field(() => Environment, { nullable: true, description: 'DRIFT_PSI: the environment checked (PRODUCTION).' })
  @Column({ type: 'varchar', length: 20, nullable: true })
  environment!: Environment | null;

  @Field()
  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Field(() => String, { nullable: true, description: 'The key of a built-in rule (training-failed, latency-p95, error-rate, rss, drift); null for rules made with createAlertRule.' })
  @RefColumn('built_in', { nullable: true })
  builtIn!: string | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field()
  @TimeColumn('updated_at')
  updatedAt!: Date;
}
