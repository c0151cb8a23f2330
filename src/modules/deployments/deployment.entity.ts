import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { Environment } from './environment';
import { IdColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

export enum DeploymentAction {
  DEPLOY = 'DEPLOY',
  ROLLBACK = 'ROLLBACK',
}
registerEnumType(DeploymentAction, { name: 'DeploymentAction', description: 'DEPLOY: a version was put live. ROLLBACK: an earlier deployment\'s version was put back.' });

/**
 * One event in a model's deployment history: append-only, never updated. The live deployment of
 * a (model, environment) is the newest event (kept in `live_deployment` for a one-row look-up).
 */
@ObjectType({ implements: Node, description: 'A model version put live in an environment: who, when, from which version and why. Deployments are never changed; each deploy or rollback adds one.' })
@Entity('deployment')
export class Deployment implements Node {
  /** Ids of this type read `dep_<ULID>`. */
  static readonly idPrefix = 'dep';

  @Field(() => ID, { description: 'Global id, `dep_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @RefColumn('model_version_id')
  modelVersionId!: string;

  @Field(() => Environment)
  @Column({ type: 'varchar', length: 20 })
  environment!: Environment;

  @Field(() => DeploymentAction)
  @Column({ type: 'varchar', length: 20 })
  action!: DeploymentAction;

  /** The deployment this one replaced (null for the first in its environment). */
  @RefColumn('previous_id', { nullable: true })
  previousId!: string | null;

  /** For a rollback: the earlier deployment whose version it put back (a second rollback goes to the one before that). */
  @RefColumn('restores_id', { nullable: true })
  restoresId!: string | null;

  /** The approved request that led to it (PRODUCTION with maker-checker). */
  @RefColumn('request_id', { nullable: true })
  requestId!: string | null;

  @Field(() => String, { nullable: true, description: 'Why, in the deployer\'s words.' })
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** API key id of whoever deployed (for an approved request: the approver, who put it live). */
  @RefColumn('deployed_by', { nullable: true })
  deployedById!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that put it live (for an approved request, the approver\'s).' })
  @Column({ name: 'deployed_by_name', type: 'varchar', length: 200, nullable: true })
  deployedBy!: string | null;

  @Field({ description: 'When it went live.' })
  @TimeColumn('deployed_at')
  deployedAt!: Date;
}

/** Which deployment is live per (model, environment); the primary key makes concurrent deploys take turns. */
@Entity('live_deployment')
export class LiveDeployment {
  @PrimaryColumn({ name: 'model_id', type: 'varchar', length: 40 })
  modelId!: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  environment!: Environment;

  @RefColumn('deployment_id')
  deploymentId!: string;

  @RefColumn('model_version_id')
  modelVersionId!: string;
}
