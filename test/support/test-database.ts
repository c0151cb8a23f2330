import { randomBytes } from 'node:crypto';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../../src/core/config';

/** Which database the integration suite runs on: DB=sqlite (default) or DB=mysql with TEST_MYSQL_URL. */
export const TEST_DB = (process.env.DB ?? 'sqlite') as 'sqlite' | 'mysql';

/** A fresh, empty database for one test server (of `kind`, TEST_DB by default), and how to throw it away. */
export async function freshDatabase(kind: 'sqlite' | 'mysql' = TEST_DB): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  const suffix = randomBytes(5).toString('hex');
  if (kind === 'mysql') {
    const base = process.env.TEST_MYSQL_URL;
    if (!base) throw new Error('DB=mysql needs TEST_MYSQL_URL, e.g. mysql://root@127.0.0.1:3306/aimass_test');
    const url = new URL(base);
    const database = `${url.pathname.replace(/^\//, '') || 'aimass_test'}_${suffix}`;
    const admin = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    url.pathname = `/${database}`;
    return {
      config: { kind: 'mysql', url: url.toString(), database },
      drop: async () => {
        const conn = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
        await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await conn.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aimass-${suffix}-`));
  return {
    config: { kind: 'sqlite', file: path.join(dir, 'aimass.sqlite') },
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
