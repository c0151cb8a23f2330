import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { JsonColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Environment } from '../deployments/environment';

/** What a binary credit model's score decides. */
export enum Decision {
  APPROVE = 'APPROVE',
  DECLINE = 'DECLINE',
}
registerEnumType(Decision, { name: 'Decision', description: 'APPROVE when the score (the positive class\'s probability) is at least the decision threshold, DECLINE below it.' });

@ObjectType({ description: 'The score below which an application in one environment is declined.' })
export class EnvironmentThreshold {
  @Field(() => Environment) environment!: Environment;
  @Field(() => Float, { description: 'Strictly between 0 and 1.' }) threshold!: number;
}

@ObjectType({ description: 'The reason code and the text an applicant is given when a feature counts against them.' })
export class ReasonCode {
  @Field({ description: 'A feature of the model.' }) feature!: string;
  @Field({ description: 'A stable code, e.g. `R01` (1 to 20 of letters, digits, `_` and `-`).' }) code!: string;
  @Field({ description: 'What the applicant reads, e.g. "Length of employment" (1 to 300 characters).' }) text!: string;
}

/**
 * A binary model's decision policy (ECOA / Regulation B adverse-action notices): the decision
 * threshold per environment, and the reason code of each feature. Owned by the predictions module,
 * which applies it when a predict asks for adverseActionReasons.
 */
@ObjectType({ description: 'A binary model\'s decision policy: the decision threshold per environment (0.5 where none is set), and the reason code and text of each feature, for adverse-action notices.' })
@Entity('decision_policy')
export class DecisionPolicy {
  @PrimaryColumn({ name: 'model_id', type: 'varchar', length: 40 })
  modelId!: string;

  @Field(() => [EnvironmentThreshold])
  @JsonColumn()
  thresholds!: EnvironmentThreshold[];

  @Field(() => [ReasonCode])
  @JsonColumn()
  reasons!: ReasonCode[];

  @Field(() => String, { nullable: true, description: 'The principal who set it.' })
  @Column({ name: 'updated_by', type: 'varchar', length: 200, nullable: true })
  updatedBy!: string | null;

  @Field()
  @TimeColumn('updated_at')
  updatedAt!: Date;
}
