// One bill-run page's phases, outside Temporal, repeated on the same data: load the page's facts, rate them,
// then store, post and queue delivery exactly as the pipeline does (db/bill-issue.ts's steps), in a
// transaction that is rolled back so the next repeat writes the same rows again. For finding where a page's
// time goes (bench/billrun.ts measures the whole run). Node's --cpu-prof works on it.
// Run: npx tsx bench/billpage.ts [accounts=3000] [repeats=5]   (DATABASE_URL is honoured)
// BENCH_KEEP=1 commits each page instead (one pass): how a page's cost changes as the period's bills pile up.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { queueBillDelivery } from '../db/bill-delivery.js';
import { issueBillsTx, loadBillingInputsMany } from '../db/billing.js';
import { connect } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../dev/postgres.js';
import { decideBill, type IssueBillInput } from '../domain/bill-issue.js';
import { monthlyPeriod } from '../domain/period.js';
import { createLogger } from '../lib/logger.js';
import { quantile, runBench, type Stops } from './support.js';

const [accounts = 3000, repeats = 5] = process.argv.slice(2).map(Number);
const PAGE = 1000;
const today = new Date().toISOString().slice(0, 10);
const d = new Date();
const period = monthlyPeriod(
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7),
);
class Rollback extends Error {}
const keep = process.env.BENCH_KEEP === '1';

async function main(stops: Stops) {
  let url = process.env.DATABASE_URL;
  if (!url) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'cisflow-billpage-'));
    stops.push(async () => rmSync(tmp, { recursive: true, force: true }));
    const pg = await startEmbeddedPostgres({
      dataDir: tmp,
      log: createLogger('bench', 'warn'),
      ephemeral: true,
      settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' },
    });
    stops.push(() => pg.stop());
    url = pg.url('postgres');
  }
  const admin = connect(url, { max: 1 });
  stops.push(() => admin.end());
  const db = `cisflow_billpage_${Date.now()}`;
  await admin.unsafe(`create database ${db}`);
  stops.push(() => admin.unsafe(`drop database ${db} with (force)`));
  const u = new URL(url);
  u.pathname = `/${db}`;
  const sql = connect(u.toString(), { max: 4 });
  stops.push(() => sql.end());
  await migrate(sql);
  execFileSync('npx', ['tsx', 'bench/seed-child.ts', u.toString(), String(accounts), today], {
    stdio: 'inherit',
  });
  const ids = (await sql<{ id: string }[]>`select id from account where status = 'active' order by id`).map(
    (r) => r.id,
  );
  const pages = Array.from({ length: Math.ceil(ids.length / PAGE) }, (_, i) =>
    ids.slice(i * PAGE, (i + 1) * PAGE),
  );
  const t: Record<'load' | 'rate' | 'store' | 'deliver', number[]> = {
    load: [],
    rate: [],
    store: [],
    deliver: [],
  };
  let bills = 0;
  // which statements the store phase's time goes to (nested ones, a trigger's, counted again inside theirs)
  const stats = await sql`create extension if not exists pg_stat_statements`.then(
    () => sql`select pg_stat_statements_reset()`.then(() => true),
    () => false,
  );
  for (let r = 0; r < (keep ? 1 : repeats); r++) {
    for (const page of pages) {
      let t0 = performance.now();
      const facts = await loadBillingInputsMany(sql, page, period, 'UTC');
      t.load.push(performance.now() - t0);
      t0 = performance.now();
      const terms = { period, billDate: today, dueDays: 21, workflowId: 'bench' };
      const ready: IssueBillInput[] = [];
      for (const f of page.flatMap((id) => facts.get(id) ?? [])) {
        const x = decideBill(f, terms);
        if (x.kind === 'ready') ready.push(x.bill);
      }
      t.rate.push(performance.now() - t0);
      bills = ready.length;
      await sql
        .begin(async (tx) => {
          t0 = performance.now();
          const stored = await issueBillsTx(tx, ready);
          t.store.push(performance.now() - t0);
          t0 = performance.now();
          await queueBillDelivery(
            tx,
            stored.filter((s) => s.created).map((s) => s.billId),
            'http://localhost',
          );
          t.deliver.push(performance.now() - t0);
          if (!keep) throw new Rollback();
        })
        .catch((e) => {
          if (!(e instanceof Rollback)) throw e;
        });
    }
  }
  if (keep) {
    const firstLast = (k: keyof typeof t) => `${k} ${t[k][0]!.toFixed(0)}→${t[k].at(-1)!.toFixed(0)}ms`;
    console.log(
      `kept: first and last page: ${(['load', 'rate', 'store', 'deliver'] as const).map(firstLast).join(', ')}`,
    );
  }
  const med = (k: keyof typeof t) => quantile(t[k], 0.5);
  const total = med('load') + med('rate') + med('store') + med('deliver');
  console.log(
    `page of ${PAGE} accounts (${bills} bills), median of ${t.load.length}: ` +
      (['load', 'rate', 'store', 'deliver'] as const)
        .map((k) => `${k}=${med(k).toFixed(0)}ms (${((100 * med(k)) / total).toFixed(0)}%)`)
        .join(' ') +
      ` total=${total.toFixed(0)}ms  heap=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)}MB`,
  );
  if (!stats) return;
  const top = await sql<{ query: string; calls: number; ms: number }[]>`
    select regexp_replace(query, '\\s+', ' ', 'g') as query, calls::int, round(total_exec_time)::float8 as ms
    from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
    order by total_exec_time desc limit 12`;
  const pageRuns = t.load.length;
  console.log(`statements, PostgreSQL ms per page (calls per page):`);
  for (const x of top)
    console.log(
      `  ${(x.ms / pageRuns).toFixed(0).padStart(5)} ms (${(x.calls / pageRuns).toFixed(0)}) ${x.query.slice(0, 150)}`,
    );
}

runBench(main);
