import { Column, Entity } from 'typeorm';
import { GraphQLJSONObject, GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { bigintTransformer } from '../../engines/db/json-transformer';

/** One mutation call, as the audit trail keeps it. Never updated or deleted through the API. */
@ObjectType({ description: 'One mutation call: who, what, with which arguments, and how it ended. Append-only, and hash-chained: each entry holds the SHA-256 of the one before it, so a changed or deleted entry is detected by verifyAuditLog.' })
@Entity('audit_log')
export class AuditEntry {
  /** Ids of this type read `aud_<ULID>`. */
  static readonly idPrefix = 'aud';

  @Field(() => ID, { description: 'Id, `aud_…` (time-sortable).' })
  @IdColumn()
  id!: string;

  @Field(() => ID, { nullable: true, description: 'The API key used; null for an unauthenticated call.' })
  @RefColumn('actor_key_id', { nullable: true })
  actorKeyId!: string | null;

  @Field(() => String, { nullable: true, description: 'That key\'s name at the time.' })
  @Column({ name: 'actor_name', type: 'varchar', length: 200, nullable: true })
  actorName!: string | null;

  @Field(() => String, { nullable: true, description: 'The principal (person or service account) the key belonged to at the time.' })
  @Column({ name: 'actor_principal', type: 'varchar', length: 200, nullable: true })
  actorPrincipal!: string | null;

  @Field(() => String, { nullable: true, description: 'That key\'s role at the time.' })
  @Column({ name: 'actor_role', type: 'varchar', length: 20, nullable: true })
  actorRole!: string | null;

  @Field({ description: 'The mutation, e.g. `createDataset`.' })
  @Column({ type: 'varchar', length: 100 })
  operation!: string;

  @Field(() => GraphQLJSONObject, { description: 'The arguments, with secrets redacted and large values (CSV, rows) replaced by their size and SHA-256.' })
  @JsonColumn()
  arguments!: Record<string, any>;

  @Field({ description: '`ok`, or the error code the call ended with (e.g. FORBIDDEN, BAD_USER_INPUT).' })
  @Column({ type: 'varchar', length: 40 })
  outcome!: string;

  @Field(() => String, { nullable: true, description: 'The error message, when the call failed.' })
  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Field(() => String, { nullable: true, description: 'The client\'s network address.' })
  @Column({ name: 'client_address', type: 'varchar', length: 64, nullable: true })
  clientAddress!: string | null;

  @Field({ description: 'The request id (the x-request-id header, or one the server made).' })
  @Column({ name: 'request_id', type: 'varchar', length: 100 })
  requestId!: string;

  @Field({ description: 'When the call finished.' })
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field(() => GraphQLSafeInt, { description: 'Its place in the chain: 1 for the first entry ever, then one more per entry, across every instance sharing the database.' })
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer })
  sequence!: number;

  @Field({ description: 'The SHA-256 (hex) of the entry before it (64 zeros for the first).' })
  @Column({ name: 'previous_hash', type: 'varchar', length: 64, nullable: true })
  previousHash!: string;

  @Field({ description: 'The SHA-256 (hex) of this entry\'s fields, its sequence and previousHash.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  hash!: string;
}
