import 'reflect-metadata';
import path from 'node:path';
import { startApp, type RunningApp } from '../../src/server/transport/http';
import { loadConfig, type Config } from '../../src/core/config';
import { Database } from '../../src/engines/db/database';
import { createLogger } from '../../src/core/logger';
import { createSchema } from '../../src/server/schema';
import { createServices, startMonitoring, stopTraining, type Services } from '../../src/server/services';
import { seedDemoData } from '../../seeds';
import { freshDatabase } from './test-database';

/** The ADMIN key every test server starts with (AIMASS_BOOTSTRAP_ADMIN_KEY). */
export const TEST_ADMIN_KEY = 'aim_testadmin0000_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

/** The shared finance datasets, read in place (never copied into the project). */
export const DATA_DIR = path.resolve(__dirname, '../../../shared/data');

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown }; path?: string[] }[];
}

/** The real server on a free port, on a fresh database, with helpers to talk to it over HTTP. */
export interface TestServer {
  url: string;
  wsUrl: string;
  services: Services;
  app: RunningApp;
  /** The ADMIN key's Authorization header value. */
  adminAuth: string;
  /** Creates a key with `role` (and, for PARTNER, `modelScope`) and returns its secret. */
  createKey(role: string, modelScope?: string[]): Promise<string>;
  /** POSTs one operation as ADMIN (pass `authorization` in headers to act as another key, '' for none). */
  request<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Like request, but fails the test when the response has errors. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** JSON content type plus the ADMIN key, unless `authorization` is given ('' sends none). */
function withAuth(headers: Record<string, string>): Record<string, string> {
  const { authorization, ...rest } = headers;
  const auth = authorization === undefined ? `Bearer ${TEST_ADMIN_KEY}` : authorization;
  return { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}), ...rest };
}

export async function startTestServer(options: { seed?: boolean; env?: Record<string, string> } = {}): Promise<TestServer> {
  const { config: database, drop } = await freshDatabase();
  // Rate limits stay on for the other roles; ADMIN and anonymous requests drive many tests quickly.
  const config: Config = {
    ...loadConfig({ LOG_LEVEL: 'warn', AIMASS_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY, RATE_LIMIT_ADMIN: 'off', RATE_LIMIT_ANONYMOUS: 'off', ...options.env }),
    port: 0,
    database,
  };
  const log = createLogger(config.logLevel);
  const db = await Database.open(database, log);
  const services = createServices(config, db, log);
  await services.apiKeys.bootstrap();
  if (options.seed) await seedDemoData(services);
  await startMonitoring(services);
  const app = await startApp(services, await createSchema({ events: services.events }), 0);

  const request = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: withAuth(headers),
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = { errors: [{ message: text }] };
    }
    return { status: res.status, data: body.data, errors: body.errors };
  };
  const adminAuth = `Bearer ${TEST_ADMIN_KEY}`;
  return {
    adminAuth,
    async createKey(role, modelScope) {
      const res = await request(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`, role, modelScope } });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data.createApiKey.secret;
    },
    url: app.url,
    wsUrl: app.url.replace('http', 'ws'),
    services,
    app,
    request,
    async query(query, variables) {
      const res = await request(query, variables);
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors, null, 1)}`);
      return res.data;
    },
    async close() {
      await app.close();
      await stopTraining(services);
      await db.close();
      await drop();
    },
  };
}
