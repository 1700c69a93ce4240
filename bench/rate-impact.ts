// Rate-change impact report end to end: a real Temporal dev server, a real PostgreSQL, the real worker and
// the rate-impact workflow, for N accounts on one water schedule with 12 billed months each. Seeded by the
// server itself (insert … select, triggers off), then the report is run `BENCH_RUNS` times (default 3) and
// the median printed, with accounts per second and the figures' total as a check that all were rated.
// Run: npx tsx bench/rate-impact.ts [N ...]   (default 10000 100000). DATABASE_URL / TEMPORAL_ADDRESS honoured;
// BENCH_DISTINCT=1 gives every account thousandths of a ccf (few months alike), BENCH_PAGE_SIZE / BENCH_CONCURRENCY.

import os from 'node:os';
import { connect, type Sql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { createImpactReport, impactReport } from '../db/rate-impact.js';
import { addMonths } from '../domain/period.js';
import { bundleInChild } from '../workers/bundle.js';
import { taskQueueName } from '../workflows/contracts/names.js';
import { RATE_IMPACT, type RateImpactWorkflow } from '../workflows/contracts/rate-impact.js';
import { runBenchWorkers, startBenchStack } from './stack.js';
import { quantile, runBench, type Stops } from './support.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (!sizes.length) sizes.push(10000, 100000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const distinct = process.env.BENCH_DISTINCT === '1';
const pageSize = process.env.BENCH_PAGE_SIZE ? Number(process.env.BENCH_PAGE_SIZE) : undefined;
const concurrency = process.env.BENCH_CONCURRENCY ? Number(process.env.BENCH_CONCURRENCY) : undefined;

const today = new Date().toISOString().slice(0, 10);
const lastMonth = addMonths(today.slice(0, 7), -1);

const tariff = (fixed: string, t1: string, t2: string) => ({
  schema: 'cisflow.tariff/1',
  name: 'Bench water',
  service: 'water',
  unit: 'ccf',
  components: [
    { type: 'fixed', name: 'Customer charge', amount: fixed },
    {
      type: 'volumetric',
      name: 'Water usage',
      tiers: [
        { from: '0', price: t1 },
        { from: '10', price: t2 },
      ],
    },
  ],
});

/** N accounts on one schedule, each with 12 issued monthly bills ending last month; three rate classes. */
async function seed(sql: Sql, n: number) {
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`; // no triggers (bill notices) while seeding
    await tx`insert into rate_schedule (id, code, name, service_type) values ('rs_bench', 'W-BENCH', 'Bench water', 'water')`;
    await tx`insert into rate_version (id, rate_schedule_id, effective_from, tariff) values
      ('rv_bench_now', 'rs_bench', '2020-01-01', ${tx.json(tariff('18.40', '3.62', '4.10'))}),
      ('rv_bench_next', 'rs_bench', ${`${addMonths(today.slice(0, 7), 1)}-01`}, ${tx.json(tariff('21.70', '3.80', '4.65'))})`;
    await tx`insert into customer (id, name) select 'cust_b' || i, 'Bench customer ' || i from generate_series(1, ${n}) i`;
    await tx`insert into premise (id, address_line1, city, state, postal_code)
      select 'prem_b' || i, i || ' Main St', 'Riverton', 'OR', '97401' from generate_series(1, ${n}) i`;
    await tx`insert into account (id, account_number, customer_id, customer_class, billing_cycle, status, opened_on)
      select 'acct_b' || lpad(i::text, 7, '0'), 'B' || lpad(i::text, 9, '0'), 'cust_b' || i,
        case when i % 20 = 0 then 'industrial' when i % 20 < 4 then 'commercial' else 'residential' end,
        '01', 'active', '2020-01-01'
      from generate_series(1, ${n}) i`;
    await tx`insert into service_point (id, premise_id, service_type)
      select 'sp_b' || i, 'prem_b' || i, 'water' from generate_series(1, ${n}) i`;
    await tx`insert into service_agreement (id, account_id, service_point_id, service_type, rate_schedule_id, status, start_date)
      select 'sa_b' || i, 'acct_b' || lpad(i::text, 7, '0'), 'sp_b' || i, 'water', 'rs_bench', 'active', '2020-01-01'
      from generate_series(1, ${n}) i`;
    const first = addMonths(lastMonth, -11);
    await tx`insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents)
      select 'bill_b' || i || '_' || m, 'acct_b' || lpad(i::text, 7, '0'), to_char(d, 'YYYY-MM'), d::date,
        (d + interval '1 month' - interval '1 day')::date, 'issued', (d + interval '1 month')::date,
        (d + interval '1 month 20 days')::date, 5000
      from generate_series(1, ${n}) i, generate_series(0, 11) m,
        lateral (select (${`${first}-01`}::date + make_interval(months => m)) as d) x`;
    // usage varies by account and month: whole ccf, as water meters register (0-59 ccf, industrial 200 more),
    // or with BENCH_DISTINCT=1 thousandths as well, so hardly two accounts' months are alike (the worst case)
    await tx`insert into bill_segment (id, bill_id, service_agreement_id, service_type, consumption, unit, total_cents)
      select 'seg_b' || i || '_' || m, 'bill_b' || i || '_' || m, 'sa_b' || i, 'water',
        ((i * 7 + m * 3 + i / 13) % 60 + ${distinct ? 1 : 0} * (i % 1000) / 1000.0
          + case when i % 20 = 0 then 200 else 0 end)::numeric(16, 4),
        'ccf', 5000
      from generate_series(1, ${n}) i, generate_series(0, 11) m`;
  });
  await sql`analyze`;
}

async function main(stops: Stops) {
  const stack = await startBenchStack('bench-rate-impact');
  stops.push(() => stack.stop());
  const { adminUrl, client } = stack;
  const workflowBundle = await bundleInChild();
  const admin = connect(adminUrl, { max: 1 });
  stops.push(() => admin.end());
  const results: string[] = [];

  for (const n of sizes) {
    const db = `cisflow_bench_impact_${n}_${Date.now()}`;
    await admin.unsafe(`create database ${db}`);
    const url = new URL(adminUrl);
    url.pathname = `/${db}`;
    const sql = connect(url.toString(), { max: 20 });
    await migrate(sql);
    const s0 = performance.now();
    await seed(sql, n);
    const seedSec = (performance.now() - s0) / 1000;
    const prefix = `benchimpact${n}-`;
    const stopWorkers = await runBenchWorkers(stack, { sql, workflowBundle, taskQueuePrefix: prefix });
    const times: number[] = [];
    let check = '';
    for (let r = 0; r < runs; r++) {
      const report = await createImpactReport(
        sql,
        'rs_bench',
        { versionId: 'rv_bench_next' },
        { today, userId: null },
      );
      const t0 = performance.now();
      await client.workflow.execute<RateImpactWorkflow>(RATE_IMPACT.type, {
        workflowId: `bench/${db}/${r}`,
        taskQueue: taskQueueName(RATE_IMPACT.taskQueue, prefix),
        args: [
          {
            reportId: report.id,
            policy: { ...(pageSize ? { pageSize } : {}), ...(concurrency ? { concurrency } : {}) },
          },
        ],
      });
      times.push((performance.now() - t0) / 1000);
      const f = (await impactReport(sql, report.id)).figures!;
      check = `rated=${f.accounts} change=${f.total.changeCents}c median=${f.billChange.medianCents}c p90=${f.billChange.p90Cents}c`;
      console.log(`  accounts=${n} run ${r + 1}: ${times.at(-1)!.toFixed(1)}s ${check}`);
    }
    await stopWorkers();
    const median = quantile(times, 0.5);
    const line = `accounts=${n} months=12 usage=${distinct ? 'distinct' : 'whole-ccf'} median=${median.toFixed(1)}s (runs ${times.map((t) => t.toFixed(1)).join(', ')}) accounts/s=${Math.round(n / median)} ${check} (seed ${seedSec.toFixed(0)}s)`;
    console.log(line);
    results.push(line);
    await sql.end();
    await admin.unsafe(`drop database ${db} with (force)`);
  }
  console.log(
    `summary: cores=${os.cpus().length} load=${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        '/',
      )}; ${results.map((r) => r.split(' (seed')[0]).join(' | ')}; command: npx tsx bench/rate-impact.ts ${sizes.join(' ')}`,
  );
}

runBench(main);
