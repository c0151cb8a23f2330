import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Context } from '../shared/context';

/**
 * Mutations that read rather than change: predict is recorded row by row in the prediction log
 * (sampled), and an audit row per call would put a database write on the serving path. Only
 * their refusals (a partner outside its scope, say) are audited.
 */
const REFUSALS_ONLY = new Set(['predict']);
const REFUSED = new Set(['FORBIDDEN', 'UNAUTHENTICATED']);

/**
 * Makes every mutation leave an audit row, whatever the transport (HTTP or graphql-ws) and
 * whether or not its author remembered to: the Mutation type's root resolvers are wrapped once,
 * after the schema is built. Nothing else is wrapped, so queries pay nothing.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const fields = schema.getMutationType()?.getFields() ?? {};
  for (const field of Object.values(fields)) {
    const refusalsOnly = REFUSALS_ONLY.has(field.name);
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args, context: Context, info) => {
      let outcome = 'ok';
      let errorMessage: string | null = null;
      try {
        return await resolve(source, args, context, info);
      } catch (error) {
        outcome = error instanceof GraphQLError && typeof error.extensions.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
        errorMessage = error instanceof Error ? error.message : String(error);
        throw error;
      } finally {
        if (!refusalsOnly || REFUSED.has(outcome)) await context.services.audit
          .record({ caller: context.caller, operation: field.name, args, outcome, errorMessage, clientAddress: context.clientAddress, requestId: context.requestId })
          .catch((error) => context.services.log.error({ err: error, operation: field.name }, 'could not write the audit row'));
      }
    };
  }
  return schema;
}
