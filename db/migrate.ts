// Forward-only migrations: numbered .sql files applied once each, in order, inside one transaction apiece.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './client.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function migrationFiles(): string[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
}

export async function migrate(sql: Sql): Promise<string[]> {
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    // Several processes may start at once (API, worker); only one migrates.
    await tx`select pg_advisory_xact_lock(hashtext('cisflow.migrate'))`;
    await tx`create table if not exists schema_migration (version text primary key, applied_at timestamptz not null default now())`;
    const done = new Set(
      (await tx<{ version: string }[]>`select version from schema_migration`).map((r) => r.version),
    );
    for (const file of migrationFiles()) {
      const version = file.replace(/\.sql$/, '');
      if (done.has(version)) continue;
      await tx.unsafe(readFileSync(path.join(DIR, file), 'utf8'));
      await tx`insert into schema_migration (version) values (${version})`;
      applied.push(version);
    }
  });
  return applied;
}
