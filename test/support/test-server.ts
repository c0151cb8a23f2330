import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config, type DatabaseConfig } from '../../src/core/config';
import type { Logger } from '../../src/core/logger';
import type { Services } from '../../src/modules/shared/context';
import { startServer, type RunningServer } from '../../src/server/start-server';
import { seedDemoData } from '../../seeds';
import { freshDatabase } from './test-database';

/** The ADMIN key every test server starts with (AIMASS_BOOTSTRAP_ADMIN_KEY). */
export const TEST_ADMIN_KEY = 'aim_testadmin0000_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';


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
  /** The server as startServer returned it. */
  app: RunningServer;
  /** The ADMIN key's Authorization header value. */
  adminAuth: string;
  /**
   * Creates a key with `role` (and, for PARTNER, `modelScope`) and returns its secret. Each key is
   * its own principal (a different person) unless `principal` names one.
   */
  createKey(role: string, modelScope?: string[], principal?: string): Promise<string>;
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

/** The Redis a test server uses in the cluster form (REDIS=1, set by the vitest projects), else null. */
export function testRedisUrl(): string | null {
  return process.env.REDIS === '1' ? (process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379') : null;
}

export interface TestServerOptions {
  seed?: boolean;
  env?: Record<string, string>;
  log?: Logger;
  /** Another server's database (several instances of one cluster); dropped by its owner, not here. */
  database?: DatabaseConfig;
  /** The REDIS_PREFIX of the cluster to join; a new one per server otherwise. */
  redisPrefix?: string;
  /** A wrapper around the training child (test/fixtures/processes), instead of the compiled one. */
  trainingProcess?: string;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { config: database, drop } = options.database ? { config: options.database, drop: async () => {} } : await freshDatabase();
  const redisUrl = testRedisUrl();
  // Each server (or cluster) its own namespace in the one Redis that parallel test files share.
  const redis = redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: options.redisPrefix ?? `test-${randomBytes(5).toString('hex')}` } : {};
  // Rate limits stay on for the other roles; ADMIN and anonymous requests drive many tests quickly.
  const config: Config = {
    // No grace for trainings at close: a test's leftover run is requeued at once rather than awaited.
    ...loadConfig({ LOG_LEVEL: 'warn', AIMASS_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY, RATE_LIMIT_ADMIN: 'off', RATE_LIMIT_ANONYMOUS: 'off', TRAINING_SHUTDOWN_GRACE_SECONDS: '0', ...redis, ...options.env }),
    port: 0,
    database,
  };
  // The production start path (main.ts's), on a fresh database and a free port.
  const app = await startServer(config, { port: 0, seed: options.seed ? seedDemoData : undefined, log: options.log, trainingProcess: options.trainingProcess }).catch(async (error) => {
    await drop();
    throw error;
  });
  const { services } = app;

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
    async createKey(role, modelScope, principal) {
      const name = `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`;
      const res = await request(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name, role, modelScope, principal: principal ?? name } });
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
      await drop();
    },
  };
}
