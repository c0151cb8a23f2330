import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { GraphQLError } from 'graphql';

/** One operation of an Apollo persisted query manifest (`apollo-persisted-query-manifest`, version 1). */
interface ManifestOperation {
  id: string;
  name?: string;
  type?: string;
  body: string;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * PERSISTED_OPERATIONS_ONLY: only the operations of a manifest run (for partners whose security
 * teams allow nothing else). A request names one by its hash (`extensions.persistedQuery.sha256Hash`,
 * the body then optional) or sends its exact text; anything else is refused with
 * PERSISTED_QUERY_NOT_IN_LIST before it is parsed.
 */
export class OperationAllowList {
  private readonly byId = new Map<string, string>();

  constructor(file: string) {
    let manifest: { format?: string; operations?: ManifestOperation[] };
    try {
      manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`PERSISTED_OPERATIONS_FILE ${file} cannot be read as JSON: ${(error as Error).message}`);
    }
    if (manifest.format !== 'apollo-persisted-query-manifest' || !Array.isArray(manifest.operations)) {
      throw new Error(`PERSISTED_OPERATIONS_FILE ${file} is not an apollo-persisted-query-manifest`);
    }
    for (const operation of manifest.operations) {
      if (typeof operation.body !== 'string' || sha256(operation.body) !== operation.id) throw new Error(`PERSISTED_OPERATIONS_FILE: operation ${operation.name ?? operation.id}'s id is not the SHA-256 of its body`);
      this.byId.set(operation.id, operation.body);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /** The text to run for a request's query and persisted-query hash, or the refusal. */
  resolve(query: unknown, hash: unknown): { query: string } | { error: GraphQLError } {
    const known = typeof hash === 'string' ? this.byId.get(hash) : undefined;
    if (known !== undefined && (query === undefined || query === null || query === known)) return { query: known };
    if (typeof query === 'string' && this.byId.has(sha256(query))) return { query };
    return { error: new GraphQLError('this server runs only the operations of its persisted operations manifest (PERSISTED_OPERATIONS_ONLY)', { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } } }) };
  }
}
