// Bill-run throughput end to end: a real Temporal dev server, a real PostgreSQL, the real worker and the
// bill-run workflow, for N accounts in one cycle. Beside it, the physical floor: how long PostgreSQL takes
// just to bulk-insert the same bill, segment, line, journal-entry and posting rows (no rating, no Temporal).
// Run: npx tsx bench/billrun.ts [N ...]   (default 1000 10000). DATABASE_URL / TEMPORAL_ADDRESS are honoured.

import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, type Sql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { bundleInChild } from '../workers/bundle.js';
import { workerHeapFlag } from '../workers/heap.js';
import { BILL_RUN, type BillRunWorkflow } from '../workflows/contracts/bill-run.js';
import { taskQueueName } from '../workflows/contracts/names.js';
import { report, resetProbes, sampleMemory } from './billrun-probe.js';
import { runBenchWorkers, startBenchStack } from './stack.js';
import { runBench, type Stops } from './support.js';

// the worker runs in this process, so it runs under the worker's heap ceiling, as production starts it
if (!process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) {
  const child = spawn(process.execPath, [workerHeapFlag(), ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  await new Promise(() => {}); // the child does the work
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (!sizes.length) sizes.push(1000, 10000);
// the bill run's own knobs, to try other page sizes and concurrency
const pageSize = Number(process.env.BENCH_PAGE_SIZE ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 3);

const today = new Date().toISOString().slice(0, 10);
const lastMonth = (() => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
})();

/**
 * The floor: the rows the run produced, staged untimed, then written again into bare copies of the tables
 * (indexes kept, no foreign keys or triggers) in one transaction, two ways: `copy` from this client (how a
 * client hands PostgreSQL rows fastest; the issue's floor) and `insert … select` by the server itself (no
 * client, no parsing, no network: nothing is faster).
 */
async function floor(sql: Sql, period: string): Promise<{ copyMs: number; serverMs: number }> {
  const tables = {
    bill: `select * from bill where period = '${period}'`,
    bill_segment: `select s.* from bill_segment s join bill b on b.id = s.bill_id where b.period = '${period}'`,
    bill_line: `select l.* from bill_line l join bill_segment s on s.id = l.bill_segment_id join bill b on b.id = s.bill_id where b.period = '${period}'`,
    journal_entry: `select j.* from journal_entry j join bill b on b.id = j.bill_id where b.period = '${period}'`,
    posting: `select p.journal_entry_id, p.ledger_account_id, p.amount_cents from posting p join journal_entry j on j.id = p.journal_entry_id join bill b on b.id = j.bill_id where b.period = '${period}'`,
  };
  const cols = (t: string) => (t === 'posting' ? ' (journal_entry_id, ledger_account_id, amount_cents)' : '');
  const copyText = new Map<string, Buffer[]>();
  for (const [t, query] of Object.entries(tables)) {
    await sql.unsafe(`create table floor_src_${t} as ${query}`);
    // each row in COPY's text format, built by the server and read with a cursor (not a COPY-out stream)
    const names = await sql<{ name: string }[]>`
      select attname as name from pg_attribute where attrelid = ${`floor_src_${t}`}::regclass and attnum > 0 order by attnum`;
    const field = (n: string) =>
      String.raw`coalesce(replace(replace(replace(replace("${n}"::text, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'), E'\r', E'\\r'), E'\\N')`;
    const chunks: Buffer[] = [];
    await sql
      .unsafe(
        `select ${names.map((c) => field(c.name)).join(String.raw` || E'\t' || `)}${String.raw` || E'\n' as line`} from floor_src_${t}`,
      )
      .cursor(5000, (rows) => {
        chunks.push(Buffer.from((rows as unknown as { line: string }[]).map((r) => r.line).join('')));
      });
    copyText.set(t, chunks);
  }
  const timedRun = async (write: (tx: Sql, t: string) => Promise<unknown>) => {
    for (const t of Object.keys(tables))
      await sql.unsafe(
        `create table floor_${t} (like ${t} including defaults including identity including indexes)`,
      );
    await sql`checkpoint`;
    const t0 = performance.now();
    await sql.begin(async (tx) => {
      for (const t of Object.keys(tables)) await write(tx as unknown as Sql, t);
    });
    const ms = performance.now() - t0;
    for (const t of Object.keys(tables)) await sql.unsafe(`drop table floor_${t}`);
    return ms;
  };
  const copyMs = await timedRun(async (tx, t) => {
    const w = await tx.unsafe(`copy floor_${t}${cols(t)} from stdin`).writable();
    await pipeline(Readable.from(copyText.get(t)!), w);
  });
  const serverMs = await timedRun((tx, t) =>
    tx.unsafe(`insert into floor_${t}${cols(t)} select * from floor_src_${t}`),
  );
  for (const t of Object.keys(tables)) await sql.unsafe(`drop table floor_src_${t}`);
  return { copyMs, serverMs };
}

async function main(stops: Stops) {
  const stack = await startBenchStack('bench-billrun');
  const { adminUrl, client } = stack;
  stops.push(() => stack.stop());
  const workflowBundle = await bundleInChild();
  const admin = connect(adminUrl, { max: 1 });
  const results: string[] = [];

  for (const n of sizes) {
    const db = `cisflow_bench_${n}_${Date.now()}`;
    await admin.unsafe(`create database ${db}`);
    const url = new URL(adminUrl);
    url.pathname = `/${db}`;
    const sql = connect(url.toString(), { max: 20 });
    await migrate(sql);
    const s0 = performance.now();
    // in a child process: the seed's memory must not count as the worker's
    execFileSync('npx', ['tsx', 'bench/seed-child.ts', url.toString(), String(n), today], {
      stdio: 'inherit',
    });
    const seedSec = (performance.now() - s0) / 1000;

    const prefix = `bench${n}-`;
    const stopWorkers = await runBenchWorkers(stack, { sql, workflowBundle, taskQueuePrefix: prefix });
    await resetProbes(sql);
    const memory = sampleMemory(sql);
    const t0 = performance.now();
    const progress = await client.workflow.execute<BillRunWorkflow>(BILL_RUN.type, {
      workflowId: `bench/${db}`,
      taskQueue: taskQueueName(BILL_RUN.taskQueue, prefix),
      args: [{ cycle: '01', period: lastMonth, policy: { pageSize, concurrency, escalateAfter: '1 hour' } }],
    });
    const runSec = (performance.now() - t0) / 1000;
    const peaks = memory();
    const probe = await report({ sql, client, workflowId: `bench/${db}`, runSec, concurrency });
    await stopWorkers();

    const { copyMs, serverMs } = await floor(sql, lastMonth);
    const [{ lines }] =
      (await sql`select count(*)::int as lines from bill_line l join bill_segment s on s.id = l.bill_segment_id join bill b on b.id = s.bill_id where b.period = ${lastMonth}`) as unknown as [
        { lines: number },
      ];
    const line = `accounts=${n} billed=${progress.billed} held=${progress.held} lines=${lines} run=${runSec.toFixed(1)}s bills/s=${Math.round(progress.billed / runSec)} floor=${(copyMs / 1000).toFixed(2)}s ratio=${(runSec / (copyMs / 1000)).toFixed(1)}x server-floor=${(serverMs / 1000).toFixed(2)}s ratio=${(runSec / (serverMs / 1000)).toFixed(1)}x (seed ${seedSec.toFixed(0)}s)`;
    console.log(line);
    console.log(
      `  memory: worker process peak ${peaks.workerMb.toFixed(0)} MB (JS heap peak ${peaks.heapMb.toFixed(0)} MB), busiest PostgreSQL backend ${peaks.backendMb.toFixed(0)} MB`,
    );
    for (const l of probe) console.log(l);
    results.push(line);
    await sql.end();
    await admin.unsafe(`drop database ${db} with (force)`);
  }
  console.log(
    `summary: cores=${os.cpus().length}; ${results.map((r) => r.split(' (seed')[0]).join(' | ')}; command: npx tsx bench/billrun.ts ${sizes.join(' ')}`,
  );
  await admin.end();
}

runBench(main);
