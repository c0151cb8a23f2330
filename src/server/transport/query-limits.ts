import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError, getNamedType, isListType, getNullableType, NoSchemaIntrospectionCustomRule,
  type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
import type { QueryLimits } from '../../core/config';
import { DEFAULT_PAGE_SIZE } from '../../engines/db/pagination';

/**
 * A field costs 1 plus its selection; a list costs its length times its selection: `first` for
 * connections (20 when omitted), the number of `ids` for `nodes`, 10 for other object lists.
 */
const listAwareEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  // A connection's `edges` are already counted by the connection's `first`.
  if (type.name.endsWith('Connection') && field.name === 'edges') return 1 + childComplexity;
  const named = getNamedType(field.type).name;
  if (named.endsWith('Connection') && !named.endsWith('EdgeConnection')) {
    const first = typeof args.first === 'number' ? Math.max(0, args.first) : DEFAULT_PAGE_SIZE;
    return 1 + first * childComplexity;
  }
  if (Array.isArray(args.ids)) return 1 + args.ids.length * childComplexity;
  if (isListType(getNullableType(field.type)) && childComplexity > 0) return 1 + 10 * childComplexity;
  return 1 + childComplexity;
};

/**
 * The part of the variables a cost can depend on: numbers (`first: $n`) and list lengths
 * (`ids: $ids`) of top-level variables. The rest (10,000 predict rows, a CSV) cannot change the
 * cost and must not become a megabyte-long cache key.
 */
function costShape(variables: Record<string, unknown> | undefined): string {
  if (!variables) return '';
  let shape = '';
  for (const [name, value] of Object.entries(variables)) {
    shape += `${name}=${typeof value === 'number' ? value : Array.isArray(value) ? `[${value.length}]` : typeof value};`;
  }
  return shape;
}

/** The same limits for HTTP (Apollo) and WebSocket (graphql-ws) operations. */
export class QueryLimiter {
  /** Static rules, run once per distinct document. */
  readonly validationRules: ValidationRule[];
  /** Parse options: the token limit stops a huge document before it is even built. */
  readonly parseOptions: { maxTokens: number };

  constructor(private readonly schema: GraphQLSchema, private readonly limits: QueryLimits, introspection: boolean) {
    // Report as validation errors (graphql-armor would throw, which Apollo treats as a crash).
    const report = (limit: string) => ({
      propagateOnRejection: false,
      exposeLimits: true,
      onReject: [(context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { limit } }));
      }],
    });
    this.validationRules = [
      maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...report('depth') }),
      maxAliasesRule({ n: limits.maxAliases, ...report('aliases') }),
      ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
    this.parseOptions = { maxTokens: limits.maxTokens };
  }

  /** Costs of recent (query text, variables, operation) triples: front-ends repeat the same few. */
  private readonly costs = new LRUCache<string, number>({ max: 5000 });

  /** Estimated cost of the operation with its variables; a GraphQLError when over MAX_QUERY_COST. */
  checkCost(document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | null | undefined, queryText?: string): GraphQLError | null {
    const key = queryText === undefined ? undefined : `${operationName ?? ''}\n${costShape(variables)}\n${queryText}`;
    let cost = key === undefined ? undefined : this.costs.get(key);
    if (cost === undefined) {
      try {
        cost = getComplexity({ schema: this.schema, query: document, variables, operationName: operationName ?? undefined, estimators: [listAwareEstimator] });
      } catch (error) {
        // The estimator coerces the variables first; a bad one (an unknown enum value, "NaN" for a
        // Float) is the client's input error, which would otherwise surface as a 500.
        if (error instanceof GraphQLError) return new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
        throw error;
      }
      if (key !== undefined) this.costs.set(key, cost);
    }
    if (cost <= this.limits.maxCost) return null;
    return new GraphQLError(`Query cost ${cost} is over the limit of ${this.limits.maxCost} (MAX_QUERY_COST); ask for smaller pages (first) or fewer fields`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', cost, maxCost: this.limits.maxCost, http: { status: 400 } },
    });
  }
}
