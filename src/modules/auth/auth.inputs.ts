import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { ApiKey } from './api-key.entity';
import { Role } from '../shared/role';

@InputType({ description: 'A new API key.' })
export class CreateApiKeyInput {
  @Field({ description: 'Who or what the key is for, 1 to 200 characters.' })
  @Length(1, 200)
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'The person or service account the key is for (1 to 200 characters). By default the principal of the key that creates it: to maker-checker, all keys of one principal are one person.' })
  @IsOptional() @Length(1, 200)
  principal?: string | null;

  @Field(() => [String], { nullable: true, description: 'PARTNER keys only, and required for them: model ids or names the key may use (at most 100).' })
  @IsOptional() @ArrayMaxSize(100) @MaxLength(200, { each: true })
  modelScope?: string[] | null;
}

@ObjectType({ description: 'A new key and its secret. Store the secret now: the server keeps only a hash and cannot show it again.' })
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'The secret, `aim_…`. Send it as `Authorization: Bearer <secret>`, or as `authorization` in graphql-ws connectionParams.' })
  secret!: string;
}

@InputType({ description: 'Narrows the API keys list.' })
export class ApiKeyFilter {
  @Field(() => Role, { nullable: true })
  role?: Role | null;

  @Field({ defaultValue: false, description: 'Include revoked keys (default false).' })
  includeRevoked!: boolean;
}

@ArgsType()
export class ApiKeysArgs extends PageArgs {
  @Field(() => ApiKeyFilter, { nullable: true })
  filter?: ApiKeyFilter | null;
}

@InputType({ description: 'Narrows the audit log; all given conditions must hold.' })
export class AuditLogFilter {
  @Field(() => String, { nullable: true, description: 'The API key: its id or its name.' })
  @IsOptional() @MaxLength(200)
  actor?: string | null;

  @Field(() => String, { nullable: true, description: 'A mutation name, e.g. `createDataset`.' })
  @IsOptional() @MaxLength(100)
  operation?: string | null;

  @Field(() => String, { nullable: true, description: '`ok` or an error code, e.g. `FORBIDDEN`.' })
  @IsOptional() @MaxLength(40)
  outcome?: string | null;

  @Field(() => Date, { nullable: true, description: 'At or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Before this time.' })
  to?: Date | null;
}

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilter, { nullable: true })
  filter?: AuditLogFilter | null;
}

@ArgsType()
export class VerifyAuditLogArgs {
  @Field(() => Date, { nullable: true, description: 'Check entries created at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Check entries created before this time.' })
  to?: Date | null;
}

@ObjectType({ description: 'The key this request authenticated with.' })
export class Viewer {
  @Field(() => ID) keyId!: string;
  @Field() name!: string;
  @Field({ description: 'The person or service account the key belongs to.' }) principal!: string;
  @Field(() => Role) role!: Role;
  @Field(() => [ID], { nullable: true, description: 'Models a PARTNER key may use; null = no restriction.' }) modelScope!: string[] | null;
  @Field(() => [String], { description: 'The root operations this key\'s role may call, as `Query.models` or `Mutation.deployModelVersion`: a user interface offers only these.' })
  operations!: string[];
}

