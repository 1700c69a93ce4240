// Interval ingest at AMI scale: a day of hourly data for 100,000 meters (2.4M rows, interval CSV) imported
// through the real import path (parse, check against meters, create the month's partition, COPY into
// staging, one INSERT … SELECT into meter_interval with its primary key and BRIN, all or nothing), against a
// bare COPY of the same rows into an unindexed table, in the same run, on a fresh database each run.
// Then, on the last run's database, two more days are imported into the same partition (the usual case:
// the month's partition already holds data), and the stored size per row is measured after VACUUM ANALYZE.
//   npx tsx bench/intervals.ts [meters] [runs]     (defaults: 100000 3)
// PostgreSQL is embedded unless DATABASE_URL is set.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, type Sql } from '../db/client.js';
import { importMeterReads } from '../db/meter-import.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../dev/postgres.js';
import { createLogger } from '../lib/logger.js';
import { quantile, runBench, type Stops } from './support.js';

const meters = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 3);
const HOURS = 24;
const DAY0 = Date.UTC(2026, 10, 2); // 2 November 2026

const serial = (m: number) => `BM${m}`;
const meterId = (m: number) => `mtr_bench${String(m).padStart(8, '0')}`;
// hourly kWh with three decimals, varying by meter and hour
const value = (m: number, h: number) => {
  const wh = 150 + ((m * 7919 + h * 104729) % 2400);
  return `${Math.floor(wh / 1000)}.${String(wh % 1000).padStart(3, '0')}`;
};
const hourIso = (day: number, h: number) => new Date(DAY0 + (day * 24 + h) * 3_600_000).toISOString();

/** The interval file a head-end would send: one row per meter and hour, meter by meter. */
function intervalFile(day: number): string {
  const out = ['meter_serial,start_at,seconds,value,unit'];
  for (let m = 0; m < meters; m++)
    for (let h = 0; h < HOURS; h++) out.push(`${serial(m)},${hourIso(day, h)},3600,${value(m, h)},kWh`);
  return out.join('\n');
}

/** The same rows as COPY text, for the bare COPY. */
function* copyText(day: number) {
  let buf = '';
  for (let m = 0; m < meters; m++) {
    for (let h = 0; h < HOURS; h++) buf += `${meterId(m)}\t0\t${hourIso(day, h)}\t3600\t${value(m, h)}\t0\n`;
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

async function bareCopy(sql: Sql): Promise<number> {
  await sql`create table bare_interval (meter_id text not null, channel smallint not null, start_at timestamptz not null,
    seconds int not null, value numeric(20, 9) not null, quality smallint not null)`;
  const chunks = [...copyText(0)]; // built before the clock starts: only PostgreSQL's side is timed
  const t0 = performance.now();
  await sql.begin(async (tx) => {
    const w = await tx`copy bare_interval from stdin`.writable();
    await pipeline(Readable.from(chunks), w);
  });
  const secs = (performance.now() - t0) / 1000;
  await sql`drop table bare_interval`;
  return secs;
}

async function importDay(sql: Sql, day: number, text = intervalFile(day)) {
  const phaseAt = new Map<string, number>();
  const t0 = performance.now();
  const r = await importMeterReads(sql, {
    source: 'cli',
    format: 'interval',
    text,
    timeZone: 'UTC',
    onProgress: (p) => {
      if (!phaseAt.has(p.phase)) phaseAt.set(p.phase, performance.now());
    },
  });
  const secs = (performance.now() - t0) / 1000;
  if (r.status !== 'completed' || r.counts.accepted !== meters * HOURS)
    throw new Error(`day ${day}: ${r.status} ${r.message}; accepted ${r.counts.accepted}`);
  const at = (ph: string) => ((phaseAt.get(ph) ?? t0) - t0) / 1000;
  return {
    secs,
    parse: at('checking'),
    check: at('writing') - at('checking'),
    database: secs - at('writing'),
  };
}

async function main(stops: Stops) {
  const log = createLogger('bench', 'warn');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cisflow-intervals-'));
  stops.push(async () => rmSync(tmp, { recursive: true, force: true }));
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), log, ephemeral: true });
    stops.push(() => pg.stop());
    adminUrl = pg.url('postgres');
  }
  const admin = connect(adminUrl, { max: 1 });
  stops.push(() => admin.end());
  const url = (db: string) => Object.assign(new URL(adminUrl!), { pathname: `/${db}` }).toString();
  const tpl = `bench_intervals_tpl_${process.pid}`;
  await admin.unsafe(`create database ${tpl}`);
  stops.push(() => admin.unsafe(`drop database if exists ${tpl}`));
  {
    const t = connect(url(tpl), { max: 1 });
    await migrate(t);
    await t`insert into meter (id, serial_number, kind, unit, dial_count)
      select 'mtr_bench' || lpad(g::text, 8, '0'), 'BM' || g, 'electric', 'kWh', 6 from generate_series(0, ${meters - 1}) g`;
    await t.end();
  }
  const text = intervalFile(0);
  const rows = meters * HOURS;
  const load = os.loadavg().map((x) => x.toFixed(1));
  console.log(
    `intervals: ${rows.toLocaleString('en-US')} rows (${meters.toLocaleString('en-US')} meters × ${HOURS} hours, interval CSV ${(text.length / 1e6).toFixed(0)} MB), ` +
      `${os.cpus().length} cores, load average ${load.join(' ')} at start, node ${process.version}; command: npx tsx bench/intervals.ts ${meters} ${runs}`,
  );
  const imports: number[] = [];
  const copies: number[] = [];
  let last: Sql | null = null;
  for (let i = 0; i < runs; i++) {
    const db = `bench_intervals_${process.pid}_${i}`;
    await admin.unsafe(`create database ${db} template ${tpl}`);
    stops.push(() => admin.unsafe(`drop database if exists ${db} with (force)`));
    const sql = connect(url(db), { max: 4 });
    // alternate which goes first, so neither always gets the warmer cache
    let copy = 0;
    if (i % 2 === 1) copy = await bareCopy(sql);
    const imp = await importDay(sql, 0, text);
    if (i % 2 === 0) copy = await bareCopy(sql);
    imports.push(imp.secs);
    copies.push(copy);
    console.log(
      `run ${i + 1}: import ${imp.secs.toFixed(2)} s (parse ${imp.parse.toFixed(1)} s, check ${imp.check.toFixed(1)} s, ` +
        `database ${imp.database.toFixed(1)} s) = ${Math.round(rows / imp.secs).toLocaleString('en-US')} rows/s; ` +
        `bare COPY ${copy.toFixed(2)} s; ratio ${(imp.secs / copy).toFixed(2)}`,
    );
    if (i < runs - 1) {
      await sql.end();
      await admin.unsafe(`drop database ${db} with (force)`);
    } else last = sql;
  }
  const mi = quantile(imports, 0.5);
  const mc = quantile(copies, 0.5);
  console.log(
    `summary: import median ${mi.toFixed(2)} s, bare COPY median ${mc.toFixed(2)} s, ratio of medians ${(mi / mc).toFixed(2)} ` +
      `(${runs} runs; goal ≤ 60 s and ≤ 2× bare COPY); load average now ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
  );

  // days 2 and 3 into the same month's partition, then the size per row
  const sql = last!;
  stops.push(() => sql.end());
  for (const day of [1, 2]) {
    const r = await importDay(sql, day);
    console.log(
      `day ${day + 1} into a partition already holding ${(day * rows).toLocaleString('en-US')} rows: ${r.secs.toFixed(2)} s ` +
        `(database ${r.database.toFixed(1)} s)`,
    );
  }
  await sql`vacuum analyze meter_interval`;
  const [size] = await sql<{ n: string; heap: string; pk: string; brin: string }[]>`
    select (select count(*) from meter_interval)::text as n,
      (select sum(pg_relation_size(relid)) from pg_partition_tree('meter_interval') where isleaf)::text as heap,
      (sum(pg_relation_size(c.oid)) filter (where c.relname like '%pkey'))::text as pk,
      (sum(pg_relation_size(c.oid)) filter (where not x.indisprimary))::text as brin
    from pg_partition_tree('meter_interval') p
    left join pg_index x on x.indrelid = p.relid
    left join pg_class c on c.oid = x.indexrelid
    where p.isleaf`;
  const n = Number(size!.n);
  const [tot] = await sql<{ total: string }[]>`
    select sum(pg_total_relation_size(relid))::text as total from pg_partition_tree('meter_interval') where isleaf`;
  const total = Number(tot!.total);
  const perRow = total / n;
  const full = 100_000 * 24 * 730;
  console.log(
    `size after VACUUM ANALYZE: ${n.toLocaleString('en-US')} rows, ${(total / 2 ** 20).toFixed(0)} MiB total = ${perRow.toFixed(1)} bytes/row ` +
      `(heap ${(Number(size!.heap) / n).toFixed(1)}, primary key ${(Number(size!.pk) / n).toFixed(1)}, BRIN ${(Number(size!.brin) / 2 ** 10).toFixed(0)} KiB in all); ` +
      `100,000 meters × 24 months hourly = ${(full / 1e9).toFixed(2)} billion rows ≈ ${((perRow * full) / 2 ** 30).toFixed(0)} GiB`,
  );
  // the alternative index for "all meters for one day": a btree on start_at, built on the same rows
  const t0 = performance.now();
  await sql`create index bench_start_btree on meter_interval (start_at)`;
  const built = (performance.now() - t0) / 1000;
  const [bt] = await sql<{ size: string }[]>`
    select sum(pg_relation_size(c.oid))::text as size from pg_partition_tree('meter_interval') p
    join pg_index x on x.indrelid = p.relid join pg_class c on c.oid = x.indexrelid join pg_am a on a.oid = c.relam
    where p.isleaf and a.amname = 'btree' and not x.indisprimary`;
  console.log(
    `btree (start_at) instead of the BRIN: ${(Number(bt!.size) / n).toFixed(1)} bytes/row more, built in ${built.toFixed(1)} s for ${n.toLocaleString('en-US')} rows`,
  );
}

runBench(main);
