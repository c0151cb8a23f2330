import fs from 'node:fs';
import path from 'node:path';
import { parse, print, type DefinitionNode, type DocumentNode } from 'graphql';
import { sha256 } from '../src/server/transport/allow-list';

/**
 * `npm run persisted:manifest -- [operations.graphql …] > manifest.json`: an Apollo persisted
 * query manifest of every operation in the files (examples.graphql when none is named), each
 * with the fragments it uses, for PERSISTED_OPERATIONS_FILE. Clients send the same text (or its
 * SHA-256 as extensions.persistedQuery.sha256Hash).
 */
function main(): void {
  const files = process.argv.slice(2);
  const sources = files.length ? files : [path.resolve(__dirname, '../../examples.graphql')];
  const definitions: DefinitionNode[] = sources.flatMap((file) => parse(fs.readFileSync(file, 'utf8')).definitions);
  const fragments = new Map(definitions.filter((d) => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]));
  const operations = definitions.filter((d) => d.kind === 'OperationDefinition').map((operation) => {
    const used = new Set<string>();
    const visit = (text: string) => {
      for (const [, name] of text.matchAll(/\.\.\.\s*([A-Za-z_]\w*)/g)) {
        if (used.has(name) || !fragments.has(name)) continue;
        used.add(name);
        visit(print(fragments.get(name)!));
      }
    };
    visit(print(operation));
    const document: DocumentNode = { kind: 'Document' as never, definitions: [operation, ...[...used].map((name) => fragments.get(name)!)] };
    const body = print(document);
    return { id: sha256(body), name: operation.name?.value ?? null, type: operation.operation, body };
  });
  process.stdout.write(`${JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }, null, 2)}\n`);
}

main();
