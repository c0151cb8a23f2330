import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

/**
 * The baselines: @apollo/server on express, nothing else. `{ version }` is the one-field query;
 * `models(first) { … versions(first) … }` answers the nested benchmark query (the same shape as
 * aimass's Relay connections) from objects held in memory: 200 models × 5 versions, as the
 * benchmark's fixture has in its database.
 */
const typeDefs = `
  type Query { version: String! models(first: Int): ModelConnection! }
  type Model { id: ID! name: String! versions(first: Int): ModelVersionConnection! }
  type ModelEdge { node: Model! cursor: String! }
  type ModelConnection { edges: [ModelEdge!]! }
  type ModelVersion { id: ID! version: Int! }
  type ModelVersionEdge { node: ModelVersion! cursor: String! }
  type ModelVersionConnection { edges: [ModelVersionEdge!]! }
`;

interface BareVersion { id: string; version: number }
interface BareModel { id: string; name: string; versions: BareVersion[] }

const models: BareModel[] = Array.from({ length: 200 }, (_, i) => ({
  id: `mdl_${i}`,
  name: `bench-model-${String(i).padStart(4, '0')}`,
  versions: Array.from({ length: 5 }, (_, v) => ({ id: `mv_${i}_${5 - v}`, version: 5 - v })),
}));

const edges = <T extends { id: string }>(items: T[], first: number | null | undefined) =>
  ({ edges: items.slice(0, first ?? 20).map((node) => ({ node, cursor: node.id })) });

const resolvers = {
  Query: {
    version: () => '1.0.0',
    models: (_: unknown, { first }: { first?: number }) => edges(models, first),
  },
  Model: { versions: (model: BareModel, { first }: { first?: number }) => edges(model.versions, first) },
};

async function main() {
  const apollo = new ApolloServer({ typeDefs, resolvers });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = http.createServer(app).listen(0, () => {
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
  });
  process.on('SIGTERM', () => { void apollo.stop().then(() => process.exit(0)); });
}
void main();
