import { GraphQLJSONObject } from 'graphql-scalars';
import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Environment } from '../deployments/environment';
import { HyperparametersInput } from '../models/hyperparameters';
import { PromotionGate } from '../models/promotion-gate';
import { Node } from '../shared/node';

export enum RetrainTrigger { SCHEDULE = 'SCHEDULE', NEW_DATA = 'NEW_DATA', DRIFT = 'DRIFT', MANUAL = 'MANUAL' }
registerEnumType(RetrainTrigger, {
  name: 'RetrainTrigger',
  description: 'What fires a retrain policy: SCHEDULE (its cron, in its time zone), NEW_DATA (its dataset gets a new version), DRIFT (a drift alert opens on the model). MANUAL: fireRetrainPolicy, for any policy.',
});

export enum RetrainStatus { TRAINING = 'TRAINING', EVALUATING = 'EVALUATING', SHADOWING = 'SHADOWING', DECIDED = 'DECIDED', FAILED = 'FAILED' }
registerEnumType(RetrainStatus, { name: 'RetrainStatus', description: 'TRAINING the challenger (a run or a sweep) → EVALUATING both versions on the same rows → (with shadowSeconds, SHADOWING beside the champion until shadowUntil) → DECIDED; FAILED when the challenger could not be trained or compared (reason says why).' });

export enum RetrainDecision { PROMOTED = 'PROMOTED', APPROVAL_REQUESTED = 'APPROVAL_REQUESTED', KEPT_CHAMPION = 'KEPT_CHAMPION', REFUSED = 'REFUSED' }
registerEnumType(RetrainDecision, {
  name: 'RetrainDecision',
  description: 'PROMOTED: the challenger went live. APPROVAL_REQUESTED: it passed the policy\'s gate and a maker-checker request carries both figures. KEPT_CHAMPION: it did not pass the policy\'s gate. REFUSED: it passed, but the deploy was refused (the model\'s own PRODUCTION gate, a signature change…).',
});

/** A sweep a policy runs instead of one run; its best run is the challenger. */
export interface PolicySweep {
  method: string;
  parameters: unknown[];
  maxRuns: number;
  parallelism: number;
  metric: string;
  goal: string;
}

/** How a model is retrained, compared and put live, automatically. */
@ObjectType({ implements: Node, description: 'A retrain policy: when it fires, a challenger is trained on the newest data, compared with the live version (the champion) on the same newest rows, and promoted only through the policy\'s gate (and the model\'s approval where required).' })
@Entity('retrain_policy')
export class RetrainPolicy implements Node {
  static readonly idPrefix = 'rtp';

  @Field(() => ID) @IdColumn() id!: string;
  @RefColumn('model_id') modelId!: string;
  @Field(() => RetrainTrigger) @Column({ type: 'varchar', length: 20 }) trigger!: RetrainTrigger;
  @Field(() => String, { nullable: true, description: 'SCHEDULE: the cron (5 fields, or 6 with seconds first).' }) @Column({ type: 'varchar', length: 120, nullable: true }) cron!: string | null;
  @Field({ description: 'The cron\'s time zone (IANA).' }) @Column({ type: 'varchar', length: 80 }) timezone!: string;
  @RefColumn('dataset_id') datasetId!: string;
  @JsonColumn({ nullable: true }) hyperparameters!: HyperparametersInput | null;
  @JsonColumn({ nullable: true }) sweep!: PolicySweep | null;
  @Field(() => Environment, { description: 'Where the challenger is put live; its live version is the champion.' }) @Column({ name: 'promote_to', type: 'varchar', length: 20 }) promoteTo!: Environment;
  @Field(() => PromotionGate, { description: 'What the challenger must reach, against the champion on the same rows (mustBeatCurrent) and/or a threshold.' }) @JsonColumn() gate!: PromotionGate;
  @Field(() => Int, { description: 'The newest rows held out for the comparison, in percent of the dataset version (the challenger trains on the older rows).' }) @Column({ name: 'test_percent', type: 'int' }) testPercent!: number;
  @Field(() => Int, { nullable: true, description: 'A challenger that passes the gate first runs as a SHADOW beside the champion for this long, then is promoted (null: promoted at once).' }) @Column({ name: 'shadow_seconds', type: 'int', nullable: true }) shadowSeconds!: number | null;
  @Field(() => Date, { nullable: true, description: 'SCHEDULE: when it fires next.' }) @TimeColumn('next_run_at', { nullable: true }) nextRunAt!: Date | null;
  @Column({ name: 'last_data_version', type: 'int', nullable: true }) lastDataVersion!: number | null;
  @RefColumn('last_alert_id', { nullable: true }) lastAlertId!: string | null;
  @RefColumn('created_by', { nullable: true }) createdBy!: string | null;
  @Field() @TimeColumn('created_at') createdAt!: Date;
  @Field() @TimeColumn('updated_at') updatedAt!: Date;
}

/** One firing of a retrain policy, from its trigger to its decision, with the numbers. */
@ObjectType({ implements: Node, description: 'One firing of a retrain policy: why it fired, the challenger it trained, both versions\' metric on the same newest rows, and the decision with its reason.' })
@Entity('retrain_event')
export class RetrainEvent implements Node {
  static readonly idPrefix = 'rte';

  @Field(() => ID) @IdColumn() id!: string;
  @RefColumn('policy_id') policyId!: string;
  @RefColumn('model_id') modelId!: string;
  @Field(() => RetrainTrigger) @Column({ type: 'varchar', length: 20 }) trigger!: RetrainTrigger;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'What fired it: the dataset version, the alert, the scheduled time.' }) @JsonColumn({ nullable: true }) detail!: Record<string, unknown> | null;
  @Field(() => RetrainStatus) @Column({ type: 'varchar', length: 20 }) status!: RetrainStatus;
  @RefColumn('dataset_version_id', { nullable: true }) datasetVersionId!: string | null;
  @RefColumn('run_id', { nullable: true }) runId!: string | null;
  @RefColumn('sweep_id', { nullable: true }) sweepId!: string | null;
  @RefColumn('challenger_version_id', { nullable: true }) challengerVersionId!: string | null;
  @RefColumn('champion_version_id', { nullable: true }) championVersionId!: string | null;
  @Field({ description: 'The gate\'s metric.' }) @Column({ type: 'varchar', length: 40 }) metric!: string;
  @Field(() => Float, { nullable: true, description: 'The challenger\'s metric on the newest rows.' }) @Column({ name: 'challenger_value', type: 'double', nullable: true }) challengerValue!: number | null;
  @Field(() => Float, { nullable: true, description: 'The champion\'s metric on the same rows.' }) @Column({ name: 'champion_value', type: 'double', nullable: true }) championValue!: number | null;
  @Field(() => Int, { nullable: true, description: 'How many rows both were measured on.' }) @Column({ name: 'compared_rows', type: 'int', nullable: true }) comparedRows!: number | null;
  @Field(() => RetrainDecision, { nullable: true }) @Column({ type: 'varchar', length: 20, nullable: true }) decision!: RetrainDecision | null;
  @Field(() => String, { nullable: true, description: 'The decision (or failure) in words, with the numbers.' }) @Column({ type: 'text', nullable: true }) reason!: string | null;
  @RefColumn('deployment_id', { nullable: true }) deploymentId!: string | null;
  @RefColumn('request_id', { nullable: true }) requestId!: string | null;
  @RefColumn('challenger_id', { nullable: true }) challengerId!: string | null;
  @Field(() => Date, { nullable: true, description: 'SHADOWING: when the shadow is promoted.' }) @TimeColumn('shadow_until', { nullable: true }) shadowUntil!: Date | null;
  @Field() @TimeColumn('created_at') createdAt!: Date;
  @Field(() => Date, { nullable: true }) @TimeColumn('decided_at', { nullable: true }) decidedAt!: Date | null;
}
