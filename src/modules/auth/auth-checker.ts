import type { AuthChecker } from 'type-graphql';
import type { Context } from '../shared/context';
import { forbidden, unauthenticated } from '../../core/errors';
import type { Role } from '../shared/role';

/**
 * type-graphql's check behind every `@Authorized(...roles)`: no key → UNAUTHENTICATED, a key whose
 * role is not listed → FORBIDDEN naming the roles that may.
 */
export const authChecker: AuthChecker<Context, Role> = ({ context, info }, roles) => {
  const caller = context.caller;
  if (!caller) throw unauthenticated();
  if (roles.length > 0 && !roles.includes(caller.role)) {
    throw forbidden(`${info.parentType.name}.${info.fieldName} needs one of the roles ${roles.join(', ')}; this key is ${caller.role}`);
  }
  return true;
};
