// Bill run from interval data, end to end (real Temporal dev server, real PostgreSQL, the real worker and
// bill-run workflow), beside the register-read figure of the same accounts measured in the same run:
// N electric accounts on a TOU tariff with a month of hourly intervals each (November 2026 in
// America/Chicago: 721 hours with the fall-back day, so 20,000 accounts are 14.4M intervals), and N
// electric accounts on a flat tariff billed from two register reads. Seeding is not timed.
// Run: npx tsx bench/billrun-intervals.ts [N ...]   (default 20000). BENCH_PAGE_SIZE / BENCH_CONCURRENCY
// try other bill-run knobs. One run of each per size (a re-run would find its bills issued): run the
// command again for a median.

import { spawn } from 'node:child_process';
import os from 'node:os';
import { connect, type Sql } from '../db/client.js';
import { ensureIntervalPartitions } from '../db/interval-partitions.js';
import { migrate } from '../db/migrate.js';
import { systemClock } from '../lib/clock.js';
import { bundleInChild } from '../workers/bundle.js';
import { workerHeapFlag } from '../workers/heap.js';
import { BILL_RUN, type BillRunWorkflow } from '../workflows/contracts/bill-run.js';
import { taskQueueName } from '../workflows/contracts/names.js';
import { runBenchWorkers, startBenchStack } from './stack.js';
import { quantile, runBench, type Stops } from './support.js';

// the worker runs in this process, under the worker's heap ceiling, as production starts it
if (!process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) {
  const child = spawn(process.execPath, [workerHeapFlag(), ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  await new Promise(() => {});
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (!sizes.length) sizes.push(20000);
const pageSize = Number(process.env.BENCH_PAGE_SIZE ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 3);
const TZ = 'America/Chicago';
const PERIOD = '2026-11';
const FROM = '2026-11-01T00:00:00-05:00';
const TO = '2026-12-01T00:00:00-06:00';

const hours = (f: (h: number) => number) => Array.from({ length: 24 }, (_, h) => f(h));
const TOU = {
  schema: 'cisflow.tariff/1',
  name: 'Residential TOU',
  service: 'electric',
  unit: 'kWh',
  components: [
    { type: 'fixed', name: 'Basic charge', amount: '10.00' },
    {
      type: 'tou',
      name: 'Energy',
      weekday: Array.from({ length: 12 }, () => hours((h) => (h >= 14 && h <= 18 ? 1 : 0))),
      weekend: Array.from({ length: 12 }, () => hours(() => 0)),
      periods: [
        { name: 'Off-peak', tiers: [{ from: '0', price: '0.09' }] },
        { name: 'Peak', tiers: [{ from: '0', price: '0.31' }] },
      ],
    },
    { type: 'tax', name: 'Utility tax', percent: '5' },
  ],
};
const FLAT = {
  ...TOU,
  name: 'Residential flat',
  components: [
    { type: 'fixed', name: 'Basic charge', amount: '10.00' },
    { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.12' }] },
    { type: 'tax', name: 'Utility tax', percent: '5' },
  ],
};

/** n electric accounts in `cycle` on `tariff`, set-based on the server. */
async function seedAccounts(sql: Sql, cycle: string, n: number, tariff: unknown) {
  const p = cycle.toLowerCase();
  await sql`insert into rate_schedule (id, code, name, service_type) values (${`rs_${p}`}, ${`E-${cycle}`}, ${`Bench ${cycle}`}, 'electric')`;
  await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff)
    values (${`rv_${p}`}, ${`rs_${p}`}, '2020-01-01', ${sql.json(tariff as never)})`;
  await sql`insert into customer (id, name) select ${`cu_${p}_`} || g, 'Bench ' || g from generate_series(1, ${n}::int) g`;
  await sql`insert into account (id, account_number, customer_id, billing_cycle)
    select ${`ac_${p}_`} || lpad(g::text, 7, '0'), ${cycle} || lpad(g::text, 7, '0'), ${`cu_${p}_`} || g, ${cycle}
    from generate_series(1, ${n}::int) g`;
  await sql`insert into premise (id, address_line1, city, state, postal_code)
    select ${`pr_${p}_`} || g, g || ' Elm St', 'Springfield', 'IL', '62701' from generate_series(1, ${n}::int) g`;
  await sql`insert into service_point (id, premise_id, service_type)
    select ${`sp_${p}_`} || g, ${`pr_${p}_`} || g, 'electric' from generate_series(1, ${n}::int) g`;
  await sql`insert into meter (id, serial_number, kind, unit)
    select ${`me_${p}_`} || g, ${`E${cycle}-`} || g, 'electric', 'kWh' from generate_series(1, ${n}::int) g`;
  await sql`insert into meter_installation (id, meter_id, service_point_id, installed_at)
    select ${`mi_${p}_`} || g, ${`me_${p}_`} || g, ${`sp_${p}_`} || g, '2020-01-01' from generate_series(1, ${n}::int) g`;
  await sql`insert into service_agreement (id, account_id, service_point_id, service_type, rate_schedule_id, start_date)
    select ${`sa_${p}_`} || g, ${`ac_${p}_`} || lpad(g::text, 7, '0'), ${`sp_${p}_`} || g, 'electric', ${`rs_${p}`}, '2020-01-01'
    from generate_series(1, ${n}::int) g`;
}

async function seed(sql: Sql, n: number) {
  await seedAccounts(sql, 'R', n, FLAT);
  await sql`insert into meter_read (id, meter_id, read_at, value, source, quality)
    select 'rd_' || g || '_' || k, 'me_r_' || g, case k when 0 then ${FROM}::timestamptz else ${TO}::timestamptz end,
           case k when 0 then 1000 else 1000 + 400 + g % 400 end, 'ami', 'valid'
    from generate_series(1, ${n}::int) g cross join generate_series(0, 1) k`;
  await seedAccounts(sql, 'T', n, TOU);
  await ensureIntervalPartitions(sql, ['2026-11', '2026-12']);
  // 0.3 to 1.28 kWh an hour, varying by meter and hour; one batch of meters at a time
  for (let from = 1; from <= n; from += 2000)
    await sql`insert into meter_interval (meter_id, channel, start_at, seconds, value)
      select 'me_t_' || g, 0, t, 3600, 0.3 + ((g * 13 + extract(epoch from t)::bigint / 3600 * 7) % 50) / 50.0
      from generate_series(${from}::int, ${Math.min(n, from + 1999)}::int) g
      cross join generate_series(${FROM}::timestamptz, ${TO}::timestamptz - interval '1 hour', interval '1 hour') t`;
  await sql`vacuum analyze`;
}

async function main(stops: Stops) {
  const stack = await startBenchStack('bench-billrun-intervals');
  const { adminUrl, client } = stack;
  stops.push(() => stack.stop());
  const workflowBundle = await bundleInChild();
  const admin = connect(adminUrl, { max: 1 });
  const results: string[] = [];
  for (const n of sizes) {
    const db = `cisflow_bench_iv_${n}_${Date.now()}`;
    await admin.unsafe(`create database ${db}`);
    const url = new URL(adminUrl);
    url.pathname = `/${db}`;
    const sql = connect(url.toString(), { max: 20 });
    await migrate(sql);
    const s0 = performance.now();
    await seed(sql, n);
    const seedSec = (performance.now() - s0) / 1000;
    const [{ intervals }] = (await sql`select count(*)::int as intervals from meter_interval`) as unknown as [
      { intervals: number },
    ];
    const prefix = `benchiv${n}-`;
    const stopWorkers = await runBenchWorkers(stack, {
      sql,
      workflowBundle,
      taskQueuePrefix: prefix,
      clock: systemClock(TZ),
    });
    const times: Record<'R' | 'T', number[]> = { R: [], T: [] };
    const billed: Record<'R' | 'T', number> = { R: 0, T: 0 };
    for (const cycle of ['R', 'T'] as const) {
      const workflowId = `bench/${db}/${cycle}`;
      const t0 = performance.now();
      const progress = await client.workflow.execute<BillRunWorkflow>(BILL_RUN.type, {
        workflowId,
        taskQueue: taskQueueName(BILL_RUN.taskQueue, prefix),
        args: [{ cycle, period: PERIOD, policy: { pageSize, concurrency, escalateAfter: '1 hour' } }],
      });
      times[cycle].push((performance.now() - t0) / 1000);
      billed[cycle] = progress.billed;
      if (progress.held || progress.failed)
        console.log(`  ${cycle}: held ${progress.held}, failed ${progress.failed}`, progress.failures[0]);
    }
    await stopWorkers();
    const reg = quantile(times.R, 0.5);
    const iv = quantile(times.T, 0.5);
    const line = `accounts=${n} intervals=${intervals} register-read run=${reg.toFixed(1)}s (${billed.R} bills, ${Math.round(billed.R / reg)}/s) | interval TOU run=${iv.toFixed(1)}s (${billed.T} bills, ${Math.round(billed.T / iv)}/s, ${Math.round(intervals / iv / 1000)}k intervals/s) | ratio interval/register=${(iv / reg).toFixed(2)}x (seed ${seedSec.toFixed(0)}s)`;
    console.log(line);
    results.push(line);
    await sql.end();
    await admin.unsafe(`drop database ${db} with (force)`);
  }
  console.log(
    `summary: cores=${os.cpus().length} page=${pageSize} concurrency=${concurrency}; ${results.map((r) => r.split(' (seed')[0]).join(' | ')}; command: npx tsx bench/billrun-intervals.ts ${sizes.join(' ')}`,
  );
  await admin.end();
}

runBench(main);
