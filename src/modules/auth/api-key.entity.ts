import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { jsonTransformer } from '../../engines/db/json-transformer';
import { Role } from '../shared/role';

/** An API key. Only its hash is stored; the secret is shown once, when the key is created. */
@ObjectType({ description: 'An API key. The secret is shown only once, by createApiKey; the server keeps a hash.' })
@Entity('api_key')
export class ApiKey {
  /** Ids of this type read `key_<ULID>`. */
  static readonly idPrefix = 'key';

  @Field(() => ID, { description: 'Id, `key_…`.' })
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Field({ description: 'Who or what the key is for.' })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field(() => Role, { description: 'What the key may do.' })
  @Column({ type: 'varchar', length: 20 })
  role!: Role;

  @Field(() => [ID], { nullable: true, description: 'PARTNER keys: the model ids the key may use. Null for other roles.' })
  @Column({ name: 'model_scope', type: 'text', nullable: true, transformer: jsonTransformer })
  modelScope!: string[] | null;

  @Field({ description: 'Public part of the key (`aim_<prefix>_…`), to recognise it in logs without the secret.' })
  @Column({ type: 'varchar', length: 20 })
  prefix!: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  @Field(() => ID, { nullable: true, description: 'The key that created this one (null for the bootstrap key).' })
  @Column({ name: 'created_by', type: 'varchar', length: 40, nullable: true })
  createdBy!: string | null;

  @Field({ description: 'When the key was created.' })
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; a revoked key is refused.' })
  @Column({ name: 'revoked_at', type: 'datetime', nullable: true })
  revokedAt!: Date | null;
}
