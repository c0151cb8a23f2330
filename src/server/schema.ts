import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { createEventBus } from '../engines/events/event-bus';
import { auditMutations } from '../modules/auth/audit-mutations';
import { authChecker } from '../modules/auth/auth-checker';
import type { AimassModule } from '../modules/shared/module-definition';
import type { EventBus } from '../modules/shared/topics';
import { validateInput } from './input-validation';
import { MODULES, resolverClasses } from './registry';

/**
 * The executable schema of the registry's modules: every operation guarded by `@Authorized`
 * (authChecker) and every mutation audited. `insecure` swaps both out; only the security
 * benchmark uses it, to measure what they cost.
 */
export async function createSchema(options: { insecure?: boolean; events?: EventBus; modules?: readonly AimassModule[] } = {}): Promise<GraphQLSchema> {
  const resolvers = resolverClasses(options.modules ?? MODULES);
  const schema = await buildSchema({
    resolvers: resolvers as [Function, ...Function[]],
    pubSub: options.events ?? createEventBus(),
    authChecker: options.insecure ? () => true : authChecker,
    // Inputs are checked with class-validator (skipped for classes without constraints); failures
    // become BAD_USER_INPUT errors naming the field.
    validateFn: validateInput,
    emitSchemaFile: false,
  });
  return options.insecure ? schema : auditMutations(schema);
}
