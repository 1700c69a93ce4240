// A bill run survives what production throws at it: the worker SIGKILLed mid-run, the API process killed
// while the run goes on, and the Temporal server restarted on its database file. Afterwards every account
// is billed exactly once and the ledger balances.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { trialBalance } from '../../db/ledger.js';
import { createUser } from '../../db/users.js';
import { freePort } from '../../dev/postgres.js';
import { type DevServer, resolveTemporalCli, startDevServer } from '../../dev/temporal.js';
import { createLogger } from '../../lib/logger.js';
import { billRunWorkflow } from '../../workflows/bill-run.js';
import { billRunProgressQuery } from '../../workflows/contracts/bill-run.js';
import { freshDatabase } from '../support/db.js';

const log = createLogger('fault-test', 'warn');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cisflow-fault-'));
chmodSync(tmp, 0o755);
let sql: Sql;
let dbUrl: string;
let server: DevServer;
let port: number;
let client: Client;
let conn: Connection;
const children: ChildProcess[] = [];

async function startTemporal() {
  const cli = await resolveTemporalCli(log);
  server = await startDevServer({
    cli: cli.path,
    port,
    namespace: 'default',
    log,
    dbFile: path.join(tmp, 'temporal.db'),
  });
}

function spawnProcess(file: string, env: Record<string, string>) {
  const p = spawn(process.execPath, ['--import', 'tsx', file], {
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  p.stderr?.on('data', () => {});
  children.push(p);
  return p;
}
const killed = (p: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill(signal);
  });

async function progressOf(workflowId: string) {
  return client.workflow.getHandle(workflowId).query(billRunProgressQuery);
}
async function waitUntil(f: () => Promise<boolean>, what: string, ms = 120_000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await f().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  ({ sql, url: dbUrl } = await freshDatabase());
  port = await freePort();
  await startTemporal();
  conn = await Connection.connect({ address: server.address });
  client = new Client({ connection: conn });
  // 500 accounts; October and November still to bill
  await seedDemo(sql, {
    accounts: 500,
    seed: 21,
    today: '2026-12-15',
    months: 3,
    billedMonths: 1,
    cycles: 1,
  });
  await createUser(sql, {
    email: 'ops@utility.test',
    displayName: 'Ops',
    password: 'ops-password-1',
    kind: 'staff',
    role: 'billing_admin',
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(children.map((c) => killed(c, 'SIGKILL')));
  await conn?.close();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function assertBilledOnce(period: string, expectedBilled: number) {
  const [r] = await sql<{ bills: number; accounts: number; entries: number }[]>`
    select count(*)::int as bills, count(distinct b.account_id)::int as accounts,
           (select count(*)::int from journal_entry j join bill x on x.id = j.bill_id where x.period = ${period}) as entries
    from bill b where b.period = ${period}`;
  expect(r).toEqual({ bills: expectedBilled, accounts: expectedBilled, entries: expectedBilled });
  expect((await trialBalance(sql)).reduce((n, x) => n + x.balance, 0)).toBe(0);
}

describe('fault tolerance of a 500-account bill run', () => {
  it('SIGKILL of the worker mid-run: a new worker finishes it, nobody billed twice', async () => {
    const worker = spawnProcess('workers/index.ts', {});
    const id = 'bill-run/01/2026-10';
    const h = await client.workflow.start(billRunWorkflow, {
      workflowId: id,
      taskQueue: 'billing',
      args: [
        {
          cycle: '01',
          period: '2026-10',
          policy: { pageSize: 20, concurrency: 2, pagesPerRun: 10, escalateAfter: '1 hour' },
        },
      ],
    });
    await waitUntil(async () => (await progressOf(id)).pagesDone >= 4, 'a few pages');
    await killed(worker, 'SIGKILL');
    const before = (await progressOf(id).catch(() => null))?.pagesDone ?? 0;
    expect(before).toBeLessThan(25); // it really was mid-run
    spawnProcess('workers/index.ts', {});
    const p = await h.result();
    expect(p.billed + p.held + p.alreadyBilled).toBe(500);
    await assertBilledOnce('2026-10', p.billed + p.alreadyBilled);
  }, 180_000);

  it('API down and the Temporal server restarted on its database file: the run still completes', async () => {
    const apiPort = await freePort();
    const api = spawnProcess('api/server.ts', { PORT: String(apiPort) });
    const base = `http://127.0.0.1:${apiPort}`;
    await waitUntil(async () => (await fetch(`${base}/readyz`)).ok, 'the API');
    const { token } = await (
      await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@utility.test', password: 'ops-password-1' }),
      })
    ).json();
    const started = await fetch(`${base}/bill-runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ cycle: '01', period: '2026-11', pageSize: 20 }),
    });
    expect(started.status).toBe(202);
    const id = 'bill-run/01/2026-11';
    await killed(api, 'SIGKILL'); // the API is only the way in; the run lives in Temporal
    await waitUntil(async () => (await progressOf(id)).pagesDone >= 2, 'a few pages');
    await server.stop(); // Temporal goes away mid-run…
    await startTemporal(); // …and comes back on the same SQLite file
    const h = client.workflow.getHandle<typeof billRunWorkflow>(id);
    const p = await h.result();
    expect(p.status).toBe('completed');
    expect(p.billed + p.held + p.alreadyBilled).toBe(500);
    await assertBilledOnce('2026-11', p.billed + p.alreadyBilled);
    const api2 = spawnProcess('api/server.ts', { PORT: String(apiPort) });
    await waitUntil(async () => (await fetch(`${base}/readyz`)).ok, 'the API again');
    const run = await (
      await fetch(`${base}/bill-runs/01/2026-11`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    expect(run).toMatchObject({ running: false, progress: { status: 'completed', billed: p.billed } });
    await killed(api2, 'SIGTERM');
  }, 180_000);
});
