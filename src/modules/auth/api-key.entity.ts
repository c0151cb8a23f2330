import { Column, Entity } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../shared/role';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

/** An API key. Only its hash is stored; the secret is shown once, when the key is created. */
@ObjectType({ description: 'An API key. The secret is shown only once, by createApiKey; the server keeps a hash.' })
@Entity('api_key')
export class ApiKey {
  /** Ids of this type read `key_<ULID>`. */
  static readonly idPrefix = 'key';

  @Field(() => ID, { description: 'Id, `key_…`.' })
  @IdColumn()
  id!: string;

  @Field({ description: 'Who or what the key is for.' })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field({ description: 'The person or service account the key belongs to. Keys of one principal count as one person for maker-checker: it may not approve what it requested or trained with any of them.' })
  @Column({ type: 'varchar', length: 200 })
  principal!: string;

  @Field(() => Role, { description: 'What the key may do.' })
  @Column({ type: 'varchar', length: 20 })
  role!: Role;

  @Field(() => [ID], { nullable: true, description: 'PARTNER keys: the model ids the key may use. Null for other roles.' })
  @JsonColumn({ name: 'model_scope', nullable: true })
  modelScope!: string[] | null;

  @Field({ description: 'Public part of the key (`aim_<prefix>_…`), to recognise it in logs without the secret.' })
  @Column({ type: 'varchar', length: 20 })
  prefix!: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  @Field(() => ID, { nullable: true, description: 'The key that created this one (null for the bootstrap key).' })
  @RefColumn('created_by', { nullable: true })
  createdBy!: string | null;

  @Field({ description: 'When the key was created.' })
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; a revoked key is refused.' })
  @TimeColumn('revoked_at', { nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When a request last authenticated with the key (each server writes it within a minute, and before listing keys); null when none has since the server began keeping it.' })
  @TimeColumn('last_used_at', { nullable: true })
  lastUsedAt!: Date | null;
}
