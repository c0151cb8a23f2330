import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { notFound } from '../../core/errors';
import type { Context } from '../shared/context';
import { ApiKey } from './api-key.entity';
import { ApiKeyConnection, AuditEntryConnection } from './auth.connection';
import { operationsOf } from './operation-roles';
import { ApiKeysArgs, AuditLogArgs, CreateApiKeyInput, CreatedApiKey, VerifyAuditLogArgs, Viewer } from './auth.inputs';
import { AuditVerification } from './audit-verification.type';
import { Role, Roles } from '../shared/role';

@Resolver()
export class AuthResolver {
  @Authorized(...Roles.ANY)
  @Query(() => Viewer, { description: 'The key this request authenticated with: its name, role and model scope.' })
  viewer(@Ctx() { caller }: Context): Viewer {
    return Object.assign(new Viewer(), { keyId: caller!.keyId, name: caller!.keyName, principal: caller!.principal, role: caller!.role, modelScope: caller!.modelScope, operations: operationsOf(caller!.role) });
  }

  @Authorized(...Roles.ADMINS)
  @Query(() => ApiKeyConnection, { description: 'API keys, newest first; revoked keys only with includeRevoked. ADMIN only.' })
  async apiKeys(@Args() { filter, ...page }: ApiKeysArgs, @Ctx() { services }: Context) {
    return ApiKeyConnection.from(await services.apiKeys.list(filter, page));
  }

  @Authorized(...Roles.ADMINS)
  @Mutation(() => CreatedApiKey, { description: 'Issues an API key; the secret is in the answer and nowhere else. ADMIN only.' })
  async createApiKey(@Arg('input') input: CreateApiKeyInput, @Ctx() { services, caller, nodes }: Context) {
    // Names become ids here, where the request's lookups are; the service checks the rest (and refuses a scope on other roles).
    const modelScope = input.role !== Role.PARTNER || !input.modelScope ? input.modelScope : (await Promise.all(input.modelScope.map(async (ref) => {
      const id = await nodes.modelId(ref);
      if (!id) throw notFound('Model', ref);
      return id;
    })));
    return Object.assign(new CreatedApiKey(), await services.apiKeys.create({ ...input, modelScope }, caller));
  }

  @Authorized(...Roles.ADMINS)
  @Mutation(() => ApiKey, { description: 'Revokes a key at once; requests with it then get UNAUTHENTICATED. Revoking twice is harmless. ADMIN only.' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.apiKeys.revoke(id);
  }

  @Authorized(...Roles.AUDIT_READERS)
  @Query(() => AuditEntryConnection, { description: 'Every mutation call, newest first: who, what, arguments (redacted), outcome. APPROVER, VALIDATOR and ADMIN.' })
  async auditLog(@Args() { filter, ...page }: AuditLogArgs, @Ctx() { services }: Context) {
    return AuditEntryConnection.from(await services.audit.list(filter, page));
  }

  @Authorized(...Roles.AUDIT_READERS)
  @Query(() => AuditVerification, { description: 'Recomputes the audit log\'s hash chain over the entries created in [from, to) (all when both are omitted) and reports the first changed, missing or relinked entry. Open-ended ranges also check the recorded head, so entries deleted at the end are found. APPROVER, VALIDATOR and ADMIN.' })
  verifyAuditLog(@Args() { from, to }: VerifyAuditLogArgs, @Ctx() { services }: Context) {
    return services.audit.verify(from, to);
  }
}
