import { Column, Entity } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Node } from '../shared/node';
import { Environment } from './environment';

export enum DeploymentMode { LIVE = 'LIVE', SHADOW = 'SHADOW', CANARY = 'CANARY' }
registerEnumType(DeploymentMode, {
  name: 'DeploymentMode',
  description: 'LIVE: the version answers every request. SHADOW: beside the live version, it gets a copy of every predict after the live answer has gone out, and its answers are only logged. CANARY: beside the live version, it answers trafficPercent of the requests (the same routingKey always meets the same version).',
  valuesConfig: { LIVE: { description: 'Answers every request.' }, SHADOW: { description: 'Sees every request, answers none.' }, CANARY: { description: 'Answers trafficPercent of the requests.' } },
});

/** Which route served a logged prediction. */
export enum PredictionRoute { LIVE = 'LIVE', SHADOW = 'SHADOW', CANARY = 'CANARY' }
registerEnumType(PredictionRoute, { name: 'PredictionRoute', description: 'LIVE: the live version answered. CANARY: the canary answered. SHADOW: a shadow\'s answer, logged and never sent.' });

export enum ChallengerEnd { ENDED = 'ENDED', PROMOTED = 'PROMOTED' }
registerEnumType(ChallengerEnd, { name: 'ChallengerEnd', description: 'ENDED by endChallenger; PROMOTED when its version went live.' });

/** A version running beside the live one in an environment, as a shadow or a canary. */
@ObjectType({ implements: Node, description: 'A challenger: a version beside the live one (the champion) in one environment, in SHADOW or CANARY, until it is promoted or ended.' })
@Entity('challenger')
export class Challenger implements Node {
  /** Ids of this type read `chal_<ULID>`. */
  static readonly idPrefix = 'chal';

  @Field(() => ID, { description: 'Global id, `chal_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @Field(() => Environment)
  @Column({ type: 'varchar', length: 20 })
  environment!: Environment;

  @RefColumn('model_version_id')
  modelVersionId!: string;

  /** The version live when the challenger started: what the report compares it with. */
  @RefColumn('champion_version_id')
  championVersionId!: string;

  @Field(() => DeploymentMode, { description: 'SHADOW or CANARY.' })
  @Column({ type: 'varchar', length: 10 })
  mode!: DeploymentMode;

  @Field(() => Int, { nullable: true, description: 'CANARY: the share of requests it answers, 1 to 99.' })
  @Column({ name: 'traffic_percent', type: 'int', nullable: true })
  trafficPercent!: number | null;

  @Column({ name: 'active_key', type: 'varchar', length: 80, nullable: true })
  activeKey!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @RefColumn('started_by', { nullable: true })
  startedById!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that started it.' })
  @Column({ name: 'started_by_name', type: 'varchar', length: 200, nullable: true })
  startedBy!: string | null;

  @Field()
  @TimeColumn('started_at')
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn('ended_at', { nullable: true })
  endedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that ended it (null when a promotion did).' })
  @Column({ name: 'ended_by_name', type: 'varchar', length: 200, nullable: true })
  endedBy!: string | null;

  @Field(() => ChallengerEnd, { nullable: true })
  @Column({ name: 'end_reason', type: 'varchar', length: 20, nullable: true })
  endReason!: ChallengerEnd | null;
}

/** The unique key of the challenger running in (model, environment). */
export const activeKeyOf = (modelId: string, environment: string) => `${modelId}:${environment}`;
