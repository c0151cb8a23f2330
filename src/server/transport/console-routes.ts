import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import express from 'express';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../core/logger';
import type { HttpRoute } from '../../modules/shared/module-definition';
import { Roles } from '../../modules/shared/role';

/**
 * What the console's pages may load, and from where: only this server. Inline styles are allowed
 * because ECharts and GraphiQL's editor set them; workers come from blob: URLs in GraphiQL's editor.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // The page is small and names hashed assets: always revalidated, so a new build shows at once.
  'cache-control': 'no-cache',
};

/**
 * The web console at `/` and GraphiQL at `/graphiql`, both built by `npm run build` into
 * `consoleDir`; their hashed assets under `/assets/` are cached for a year. Everything comes from
 * this server, so the console works with no internet access. A browser that opens `/graphql` is
 * sent to GraphiQL. Without a build, the two pages say how to make one.
 */
export function mountConsole(app: express.Express, consoleDir: string, log: Logger): void {
  const page = (name: string) => path.join(consoleDir, name);
  app.get('/graphql', (req, res, next) => {
    // Only a browser's navigation (HTML first, no operation): API clients never ask for HTML.
    if (req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html') {
      res.redirect(303, '/graphiql');
      return;
    }
    next();
  });
  if (!existsSync(page('index.html'))) {
    log.warn({ consoleDir }, 'the web console is not built (npm run build); / and /graphiql answer 503');
    app.get(['/', '/graphiql'], (_req, res) => {
      res.status(503).type('text/plain').send(`The web console is not built in ${consoleDir}: run npm run build.\nThe API is at /graphql.\n`);
    });
    return;
  }
  app.use('/assets', express.static(page('assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: false }));
  app.get('/', (_req, res) => res.set(PAGE_HEADERS).sendFile(page('index.html')));
  app.get('/graphiql', (_req, res) => res.set(PAGE_HEADERS).sendFile(page('graphiql.html')));
}

/**
 * The schema's SDL for GraphiQL (and any tool) when introspection is off: the schema is then
 * shown to staff keys only, and each download is audited like an export.
 */
export function schemaRoute(schema: GraphQLSchema): HttpRoute {
  const sdl = printSchema(schema);
  return {
    path: '/schema.graphql',
    operation: 'downloadSchema',
    roles: Roles.READERS,
    handle: async () => ({ contentType: 'text/plain; charset=utf-8', filename: 'schema.graphql', body: Readable.from([sdl]), audit: {} }),
  };
}
