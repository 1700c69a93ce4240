// Each test file gets its own database, cloned from the migrated template, and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { connect, type Sql } from '../../db/client.js';

export async function freshDatabase(): Promise<{ sql: Sql; url: string }> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `cisflow_t_${randomBytes(5).toString('hex')}`;
  const admin = connect(adminUrl, { max: 1 });
  // CREATE DATABASE … TEMPLATE needs the template to be idle; retry briefly if another file is cloning it.
  for (let i = 0; ; i++) {
    try {
      await admin.unsafe(`create database ${name} template ${inject('templateDatabase')}`);
      break;
    } catch (e) {
      if (i > 50 || !/being accessed by other users/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = connect(url.toString(), { max: 10 });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  return { sql, url: url.toString() };
}
