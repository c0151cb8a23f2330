import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from '../../src/core/config';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('./data/aimass.sqlite') });
    expect(config.seedDemo).toBe(true);
    expect(config.maxUploadBytes).toBe(20 * 1024 * 1024);
    expect(config.datasetImportDir).toBeNull();
  });

  it('parses a MySQL URL and booleans', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://app:s3cret@db.internal:3307/aimass', SEED_DEMO: 'false', PORT: '8080' });
    expect(config.database).toMatchObject({ kind: 'mysql', database: 'aimass' });
    expect(config.seedDemo).toBe(false);
    expect(config.port).toBe(8080);
  });

  it('lists every bad variable in one error, without leaking the password', () => {
    try {
      loadConfig({ PORT: '99999', LOG_LEVEL: 'loud', SEED_DEMO: 'maybe', DATABASE_URL: 'postgres://u:hunter2@h/db', MAX_UPLOAD_BYTES: '1.5' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems, message } = error as ConfigError;
      expect(problems).toHaveLength(5);
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/LOG_LEVEL/);
      expect(message).toMatch(/SEED_DEMO/);
      expect(message).toMatch(/MAX_UPLOAD_BYTES/);
      expect(message).not.toMatch(/hunter2/);
    }
  });

  it('keeps idle HTTP connections 65 s unless told, never "forever" (Node reads 0 so), and bounds connections', () => {
    expect(loadConfig({})).toMatchObject({ keepAliveTimeoutMs: 65_000, maxConnections: 10_000 });
    expect(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '120000', MAX_CONNECTIONS: '500' })).toMatchObject({ keepAliveTimeoutMs: 120_000, maxConnections: 500 });
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' })).toThrow(/HTTP_KEEP_ALIVE_TIMEOUT_MS/);
    expect(() => loadConfig({ MAX_CONNECTIONS: '0' })).toThrow(/MAX_CONNECTIONS/);
  });

  it('takes CORS_ORIGINS as exact origins, and refuses a path or a wildcard', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example/app' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
  });

  it('logs PRODUCTION durably and the other environments asynchronously unless told otherwise', () => {
    expect(loadConfig({}).serving.logDurability).toEqual({ PRODUCTION: 'DURABLE', PREVIEW: 'ASYNC', TEST: 'ASYNC' });
    expect(loadConfig({ PREDICTION_LOG_DURABILITY_PRODUCTION: 'ASYNC', PREDICTION_LOG_DURABILITY_TEST: 'DURABLE' }).serving.logDurability).toEqual({ PRODUCTION: 'ASYNC', PREVIEW: 'ASYNC', TEST: 'DURABLE' });
    expect(() => loadConfig({ PREDICTION_LOG_DURABILITY_PREVIEW: 'SOMETIMES' })).toThrow(/PREDICTION_LOG_DURABILITY_PREVIEW/);
  });

  it('rejects a MySQL URL without a database', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root@localhost:3306/' })).toThrow(/DATABASE_URL/);
  });

  it('redacts passwords', () => {
    expect(redactUrl('mysql://root:pw@host/db')).toBe('mysql://root:***@host/db');
  });
});
