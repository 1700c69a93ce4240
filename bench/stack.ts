// What every end-to-end benchmark stands on: a real PostgreSQL and a real Temporal dev server (or the ones
// DATABASE_URL / TEMPORAL_ADDRESS name), in a temporary directory removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { connect, type Sql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { freePort, startEmbeddedPostgres } from '../dev/postgres.js';
import { resolveTemporalCli, startDevServer } from '../dev/temporal.js';
import { createLogger } from '../lib/logger.js';
import { bundle } from '../workers/bundle.js';
import { createWorkers } from '../workers/index.js';
import { ensureSearchAttributes } from '../workers/search-attributes.js';
import type { Stops } from './support.js';

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

/** The stack, and a migrated database on its server (a pool of 20); both are stopped with `stops`. */
export async function startBenchDb(name: string, stops: Stops): Promise<{ stack: BenchStack; sql: Sql }> {
  const stack = await startBenchStack(name);
  stops.push(() => stack.stop());
  const sql = connect(stack.adminUrl, { max: 20 });
  stops.push(() => sql.end());
  await migrate(sql);
  return { stack, sql };
}

type WorkerOptions = Parameters<typeof createWorkers>[0];

/**
 * The project's workers, running against the stack's Temporal on the task queues of `taskQueuePrefix`, until
 * the function returned is called (the workflows are bundled here unless a bundle is given).
 */
export async function runBenchWorkers(
  stack: BenchStack,
  o: Omit<WorkerOptions, 'connection' | 'namespace' | 'client' | 'workflowBundle'> &
    Partial<Pick<WorkerOptions, 'workflowBundle'>>,
): Promise<() => Promise<void>> {
  const native = await NativeConnection.connect({ address: stack.address });
  const workers = await createWorkers({
    ...o,
    connection: native,
    namespace: 'default',
    client: stack.client,
    workflowBundle: o.workflowBundle ?? (await bundle()),
  });
  const running = workers.map((w) => w.run());
  return async () => {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    await native.close();
  };
}
