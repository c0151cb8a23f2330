import { getMetadataStorage } from 'type-graphql';
import type { Role } from '../shared/role';

let byOperation: Map<string, readonly Role[]> | null = null;

/**
 * Every root operation (`Query.models`, `Mutation.deployModelVersion`, …) with the roles its
 * `@Authorized(...)` lists, read from type-graphql's own metadata: the same lists authChecker
 * enforces, so what a user interface offers cannot drift from what the server allows.
 */
function operationRoles(): Map<string, readonly Role[]> {
  if (byOperation) return byOperation;
  const storage = getMetadataStorage();
  const rolesOf = (target: Function, method: string): readonly Role[] | undefined =>
    (storage.authorizedFields.find((a) => a.target === target && a.fieldName === method)
      ?? storage.authorizedResolver.find((a) => a.target === target))?.roles as Role[] | undefined;
  const map = new Map<string, readonly Role[]>();
  const kinds = [['Query', storage.queries], ['Mutation', storage.mutations], ['Subscription', storage.subscriptions]] as const;
  for (const [kind, resolvers] of kinds) {
    for (const resolver of resolvers) {
      const roles = rolesOf(resolver.target, resolver.methodName);
      if (roles) map.set(`${kind}.${resolver.schemaName}`, roles);
    }
  }
  return (byOperation = map);
}

/** The root operations a role may call, sorted; operations open to any key (an empty list) included. */
export function operationsOf(role: Role): string[] {
  return [...operationRoles()].filter(([, roles]) => roles.length === 0 || roles.includes(role)).map(([name]) => name).sort();
}
