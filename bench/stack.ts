// What every end-to-end benchmark stands on: a real PostgreSQL and a real Temporal dev server (or the ones
// DATABASE_URL / TEMPORAL_ADDRESS name), in a temporary directory removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort, startEmbeddedPostgres } from '../dev/postgres.js';
import { resolveTemporalCli, startDevServer } from '../dev/temporal.js';
import { createLogger } from '../lib/logger.js';
import { ensureSearchAttributes } from '../workers/search-attributes.js';

export interface BenchStack {
  /** a PostgreSQL URL for the server's maintenance database */
  adminUrl: string;
  address: string;
  client: Client;
  /** runs the stops registered so far, last first, and removes the temporary directory */
  stop(): Promise<void>;
  onStop(f: () => Promise<unknown>): void;
}

export async function startBenchStack(name: string): Promise<BenchStack> {
  const log = createLogger('bench', 'warn');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const tmp = mkdtempSync(path.join(os.tmpdir(), `cisflow-${name}-`));
  const stops: (() => Promise<unknown>)[] = [
    () => Promise.resolve(rmSync(tmp, { recursive: true, force: true })),
  ];
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(tmp, 'pg'),
      log,
      ephemeral: true,
      // which statements a run spends its time in (bench/billrun.ts prints them)
      settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' },
    });
    stops.push(() => pg.stop());
    adminUrl = pg.url('postgres');
  }
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    const cli = await resolveTemporalCli(log);
    const server = await startDevServer({
      cli: cli.path,
      port: await freePort(),
      namespace: 'default',
      log,
      dbFile: path.join(tmp, 'temporal.db'),
    });
    stops.push(() => server.stop());
    address = server.address;
  }
  const conn = await Connection.connect({ address });
  stops.push(() => conn.close());
  await ensureSearchAttributes(conn, 'default');
  return {
    adminUrl,
    address,
    client: new Client({ connection: conn }),
    onStop: (f) => stops.push(f),
    async stop() {
      for (const s of stops.reverse()) await s().catch(() => {});
    },
  };
}
