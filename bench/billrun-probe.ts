// What bench/billrun.ts reports beside the run's time: where it went (billing phases and activities, from
// lib/metrics.ts), the peak memory of this process (the worker) and of PostgreSQL's busiest backend,
// sampled while the run goes, the statements that took longest (pg_stat_statements), and the history.
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import { activitySeconds, billingPhaseSeconds, histogramTotals, registry } from '../lib/metrics.js';

const rssOf = (pid: number) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // a backend that ended, or a server on another machine
  }
};

/** Samples memory every 250 ms until stopped; returns the peaks. */
export function sampleMemory(sql: Sql) {
  let worker = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  let backend = 0;
  let pids: number[] = [];
  let busy = false;
  const tick = setInterval(async () => {
    const m = process.memoryUsage();
    worker = Math.max(worker, m.rss);
    heap = Math.max(heap, m.heapUsed);
    for (const p of pids) backend = Math.max(backend, rssOf(p));
    if (busy) return;
    busy = true;
    pids = (
      await sql<
        { pid: number }[]
      >`select pid from pg_stat_activity where backend_type = 'client backend'`.catch(() => [])
    ).map((r) => r.pid);
    busy = false;
  }, 250);
  return () => {
    clearInterval(tick);
    return { workerMb: worker / 2 ** 20, heapMb: heap / 2 ** 20, backendMb: backend / 2 ** 20 };
  };
}

const tableWrites = (sql: Sql) =>
  sql<{ relname: string; writes: number }[]>`
    select relname, (n_tup_ins + n_tup_upd + n_tup_del)::float8 as writes from pg_stat_user_tables`;

let writesBefore = new Map<string, number>();

export async function resetProbes(sql: Sql) {
  registry.resetMetrics();
  await sql`create extension if not exists pg_stat_statements`;
  await sql`select pg_stat_statements_reset()`;
  await sql`select pg_stat_force_next_flush()`;
  writesBefore = new Map((await tableWrites(sql)).map((t) => [t.relname, t.writes]));
}

const PHASES = ['load', 'rate', 'store', 'deliver', 'autopay', 'queue_held', 'collections'];
const ACTIVITIES: Record<string, string> = {
  planPages: 'planning',
  billPage: 'pages (all phases)',
  handOverHeld: 'held hand-off',
  billAccount: "held accounts' own billing",
  recordException: 'exceptions queue',
  scheduleCollectionsHandoff: 'collections hand-off',
};

export async function report(o: {
  sql: Sql;
  client: Client;
  workflowId: string;
  runSec: number;
  concurrency: number;
}) {
  const lines: string[] = [];
  const phases = await histogramTotals(billingPhaseSeconds);
  const acts = await histogramTotals(activitySeconds);
  const actSec = (a: string) =>
    [...acts].filter(([k]) => k.startsWith(`${a}/`)).reduce((n, [, v]) => n + v.seconds, 0);
  lines.push(
    `  phases (seconds of work, summed over ${o.concurrency} concurrent pages): ${PHASES.map((p) => `${p}=${(phases.get(p)?.seconds ?? 0).toFixed(2)}`).join(' ')}`,
  );
  lines.push(
    `  activities (seconds): ${Object.entries(ACTIVITIES)
      .map(([a, label]) => `${label}=${actSec(a).toFixed(2)}`)
      .join(' ')}`,
  );
  // what the workflow's own path took beyond its activities: pages run `concurrency` at a time
  const critical =
    actSec('planPages') +
    (actSec('billPage') + actSec('handOverHeld')) / o.concurrency +
    actSec('scheduleCollectionsHandoff');
  const runs = [];
  for await (const w of o.client.workflow.list({ query: `WorkflowId = '${o.workflowId}'` })) runs.push(w);
  const history = (await o.client.workflow.getHandle(o.workflowId).describe()).historyLength;
  lines.push(
    `  temporal: ~${Math.max(0, o.runSec - critical).toFixed(1)}s beyond activities; ${runs.length} run(s) (continue-as-new), last history ${history} events`,
  );
  const top = await o.sql<{ query: string; calls: number; ms: number; rows: number }[]>`
    select regexp_replace(query, '\\s+', ' ', 'g') as query, calls::int, round(total_exec_time)::float8 as ms, rows::float8 as rows
    from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
    order by total_exec_time desc limit 6`;
  await o.sql`select pg_stat_force_next_flush()`;
  const written = (await tableWrites(o.sql))
    .map((t) => ({ t: t.relname, n: t.writes - (writesBefore.get(t.relname) ?? 0) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n);
  lines.push(`  rows written: ${written.map((x) => `${x.t}=${x.n}`).join(' ')}`);
  lines.push('  top statements (total ms, calls, rows):');
  for (const t of top) lines.push(`    ${t.ms} ms ${t.calls}x ${t.rows} rows: ${t.query.slice(0, 140)}`);
  const busiest = await o.sql<{ query: string; calls: number; ms: number }[]>`
    select regexp_replace(query, '\\s+', ' ', 'g') as query, calls::int, round(total_exec_time)::float8 as ms
    from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
    order by calls desc limit 8`;
  lines.push('  most called statements (calls, total ms):');
  for (const t of busiest) lines.push(`    ${t.calls}x ${t.ms} ms: ${t.query.slice(0, 140)}`);
  return lines;
}
