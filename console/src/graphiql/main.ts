// GraphiQL, bundled and served by aimass itself (no CDN): queries over HTTP, subscriptions over
// graphql-ws, both with the key of the console's session. With introspection off, the schema comes
// from /schema.graphql, which staff keys may read.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './overrides.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { storedKey } from '../api/session';

const DEFAULT_QUERY = `# The key of your console session is sent with every request.
# Run this, or start typing: completion and docs come from the live schema.
query Me {
  viewer { name role }
  models(first: 5) { totalCount edges { node { id name latestVersion { version } } } }
}
`;

async function schemaFromServer(authorization: Record<string, string>): Promise<GraphQLSchema | undefined> {
  const response = await fetch('/schema.graphql', { headers: authorization });
  // Other keys (or no key) fall back to introspection, which the server answers when it is on.
  return response.ok ? buildSchema(await response.text()) : undefined;
}

async function start(): Promise<void> {
  const key = storedKey();
  const authorization: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const root = document.getElementById('graphiql')!;
  if (!key) {
    root.innerHTML = '<main style="padding:1rem;font-family:system-ui"><h1>GraphiQL</h1><p>Sign in to the <a href="/">console</a> first: GraphiQL uses the key of your console session.</p></main>';
    return;
  }
  const fetcher = createGraphiQLFetcher({
    url: `${location.origin}/graphql`,
    subscriptionUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    headers: authorization,
    wsConnectionParams: authorization,
  });
  const schema = await schemaFromServer(authorization).catch(() => undefined);
  // `?query=…&variables=…` opens an operation (links from the console and the README).
  const search = new URLSearchParams(location.search);
  createRoot(root).render(createElement(GraphiQL, {
    fetcher,
    schema,
    defaultQuery: DEFAULT_QUERY,
    initialQuery: search.get('query') ?? undefined,
    initialVariables: search.get('variables') ?? undefined,
    shouldPersistHeaders: false,
  }));
}

void start();
