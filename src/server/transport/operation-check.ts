import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { RequestGate } from './request-gate';

/** An operation as a streaming transport (graphql-ws, graphql-sse) receives it. */
export interface OperationPayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** Errors refused before execution, coded as Apollo codes them over HTTP (minus HTTP-only extensions). */
export function refused(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map((e) => {
    const { http: _http, ...extensions } = e.extensions;
    return new GraphQLError(e.message, { nodes: e.nodes, extensions: { code, ...extensions } });
  });
}

/**
 * The checks every streaming transport runs before executing an operation, as HTTP does: the
 * parse limits, selection caps, validation (with the gate's extra rules) and cost. Returns the
 * document, or the refusal.
 */
export function checkOperation(schema: GraphQLSchema, gate: RequestGate, payload: OperationPayload): { document: DocumentNode; subscription: boolean } | { errors: GraphQLError[] } {
  const limiter = gate.limits;
  if (gate.allowList) {
    const allowed = gate.allowList.resolve(payload.query, null);
    if ('error' in allowed) return { errors: refused([allowed.error], 'PERSISTED_QUERY_NOT_IN_LIST') };
  }
  let document: DocumentNode;
  try {
    document = parse(payload.query, limiter?.parseOptions);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: refused([error], 'GRAPHQL_PARSE_FAILED') };
    throw error;
  }
  const tooLarge = gate.checkSelections(document);
  if (tooLarge) return { errors: refused([tooLarge], 'GRAPHQL_VALIDATION_FAILED') };
  const errors = validate(schema, document, [...specifiedRules, ...(limiter?.validationRules ?? [])]);
  if (errors.length) return { errors: refused(errors, 'GRAPHQL_VALIDATION_FAILED') };
  const costError = limiter?.checkCost(document, payload.variables ?? undefined, payload.operationName ?? undefined, payload.query);
  if (costError) return { errors: refused([costError], 'GRAPHQL_VALIDATION_FAILED') };
  return { document, subscription: getOperationAST(document, payload.operationName)?.operation === 'subscription' };
}
