import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

/** The baseline: @apollo/server on express answering a one-field query, nothing else. */
async function main() {
  const apollo = new ApolloServer({ typeDefs: 'type Query { version: String! }', resolvers: { Query: { version: () => '1.0.0' } } });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = http.createServer(app).listen(0, () => {
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
  });
  process.on('SIGTERM', () => { void apollo.stop().then(() => process.exit(0)); });
}
void main();
