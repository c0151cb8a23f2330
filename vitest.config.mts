import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// graphql must resolve to one copy (its CommonJS build), or type-graphql and Apollo see two realms.
const graphql = createRequire(import.meta.url).resolve('graphql');
const mysqlUrl = process.env.TEST_MYSQL_URL;
const redisUrl = process.env.TEST_REDIS_URL;
// The console's browser tests need Debian's Chromium (.ci/run installs it and sets E2E=1, so a
// missing browser fails CI rather than skipping them).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const e2e = process.env.E2E === '1' || existsSync(chromium);

const integration = (name: string, env: Record<string, string>) => ({
  extends: true as const,
  test: {
    name,
    include: ['test/integration/**/*.test.ts'],
    env,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  resolve: { alias: { graphql } },
  test: {
    pool: 'forks',
    // Vitest's default is cores − 1: one worker on a 2-core machine. The tests spend most of their
    // time waiting on training children, sockets and timers, so two run side by side: the whole
    // suite took 565 s instead of 886 s on the 2-core CI machine, all passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Business rules on the services themselves, over a real SQLite database, without HTTP.
      { extends: true, test: { name: 'service', include: ['test/service/**/*.test.ts'], env: { DB: 'sqlite' }, testTimeout: 60_000, hookTimeout: 60_000 } },
      integration('integration:sqlite', { DB: 'sqlite' }),
      // MariaDB/MySQL runs when TEST_MYSQL_URL names a server, in the cluster form (events and
      // jobs over Redis) when TEST_REDIS_URL names one too (.ci/run sets both).
      ...(mysqlUrl ? [integration('integration:mysql', { DB: 'mysql', ...(redisUrl ? { REDIS: '1' } : {}) })] : []),
      // The web console in Chromium against the real server (SQLite), built by `npm run build`.
      ...(e2e ? [{ extends: true as const, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], env: { DB: 'sqlite' }, testTimeout: 120_000, hookTimeout: 120_000 } }] : []),
      // Fuzzing (and later faults and load) against the real server: a short form in every run, the
      // issue's full case counts with RELIABILITY=full (`npm run test:reliability`); SQLite unless
      // RELIABILITY_DB=mysql (with TEST_MYSQL_URL).
      { extends: true as const, test: { name: 'reliability', include: ['test/reliability/**/*.test.ts'], env: { DB: process.env.RELIABILITY_DB ?? 'sqlite' }, testTimeout: 3_600_000, hookTimeout: 120_000 } },
      // Several instances over one database and one Redis.
      ...(redisUrl ? [{ extends: true as const, test: { name: 'cluster', include: ['test/cluster/**/*.test.ts'], env: { DB: mysqlUrl ? 'mysql' : 'sqlite', REDIS: '1' }, testTimeout: 90_000, hookTimeout: 90_000 } }] : []),
    ],
  },
});
