// Meter read import throughput: a generated 1,000,000-row read file (generic CSV, or Aclara-style columns)
// imported through the same code path as the API, CLI and drop folder (parse, check against meters and
// stored reads, COPY to a staging table, one INSERT … SELECT, all in one transaction) into a fresh database.
//   npx tsx bench/readimport.ts [rows] [runs] [format]     (defaults: 1000000 3 generic)
// Prints one line per run and a summary line with the median; PostgreSQL is embedded unless DATABASE_URL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '../db/client.js';
import { importMeterReads } from '../db/meter-import.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../dev/postgres.js';
import { createLogger } from '../lib/logger.js';
import { quantile } from './support.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const format = (process.argv[4] ?? 'generic') as 'generic' | 'aclara';
const METERS = 10_000;

function file(): string {
  const perMeter = Math.ceil(rows / METERS);
  const t0 = Date.UTC(2025, 0, 1);
  const out: string[] = [
    format === 'aclara'
      ? 'AccountNumber,MeterSN,RawRead,ScaledRead,ReadingTime,Scalar,Description'
      : 'meter_serial,read_at,value,unit',
  ];
  let n = 0;
  for (let k = 0; k < perMeter && n < rows; k++) {
    // hourly reads, written in local time for Aclara (UTILITY_TIME_ZONE rules), UTC for the generic file
    const at = new Date(t0 + k * 3_600_000).toISOString();
    for (let m = 0; m < METERS && n < rows; m++, n++) {
      const raw = 1_000_000 + k * 137 + (m % 97);
      if (format === 'aclara') {
        const local = at.slice(0, 19).replace('T', ' ');
        out.push(
          `${100000 + m},BM${m},${raw},${Math.floor(raw / 1000)}.${String(raw % 1000).padStart(3, '0')},${local},0.001,9D 0.001CuFt`,
        );
      } else {
        out.push(`BM${m},${at},${Math.floor(raw / 100)}.${String(raw % 100).padStart(2, '0')},ccf`);
      }
    }
  }
  return out.join('\n');
}

async function main() {
  const log = createLogger('bench', 'warn');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cisflow-readimport-'));
  let adminUrl = process.env.DATABASE_URL;
  let stopPg: (() => Promise<void>) | null = null;
  if (!adminUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), log, ephemeral: true });
    stopPg = () => pg.stop();
    adminUrl = pg.url('postgres');
  }
  const admin = connect(adminUrl, { max: 1 });
  const tpl = `bench_readimport_tpl_${process.pid}`;
  await admin.unsafe(`drop database if exists ${tpl}`);
  await admin.unsafe(`create database ${tpl}`);
  const url = (db: string) => {
    const u = new URL(adminUrl!);
    u.pathname = `/${db}`;
    return u.toString();
  };
  {
    const t = connect(url(tpl), { max: 1 });
    await migrate(t);
    await t.end();
  }
  const text = file();
  console.log(
    `readimport: ${rows} rows (${format}, ${(text.length / 1e6).toFixed(1)} MB) over ${METERS} meters, ` +
      `${os.cpus().length} cores, node ${process.version}; command: npx tsx bench/readimport.ts ${rows} ${runs} ${format}`,
  );
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const db = `bench_readimport_${process.pid}_${i}`;
      await admin.unsafe(`create database ${db} template ${tpl}`);
      const sql = connect(url(db), { max: 4 });
      const unit = format === 'aclara' ? 'cf' : 'ccf';
      const dials = format === 'aclara' ? 9 : 8;
      await sql`insert into meter (id, serial_number, kind, unit, dial_count)
        select 'mtr_bench' || lpad(g::text, 8, '0'), 'BM' || g, 'water', ${unit}, ${dials} from generate_series(0, ${METERS - 1}) g`;
      let lastPrint = 0;
      const phaseAt = new Map<string, number>();
      const t0 = performance.now();
      const r = await importMeterReads(sql, {
        source: 'cli',
        format,
        text, // each run imports into a fresh database
        timeZone: 'America/Chicago',
        onProgress: (p) => {
          const now = performance.now();
          if (!phaseAt.has(p.phase)) phaseAt.set(p.phase, now);
          if (now - lastPrint > 5000) {
            lastPrint = now;
            process.stderr.write(`  ${p.phase} ${p.processed}/${p.total}\n`);
          }
        },
      });
      const secs = (performance.now() - t0) / 1000;
      const [{ n }] = (await sql`select count(*)::int as n from meter_read`) as unknown as [{ n: number }];
      if (r.status !== 'completed' || n !== rows)
        throw new Error(`run ${i}: ${r.status} ${r.message}; ${n} reads stored, expected ${rows}`);
      times.push(secs);
      const at = (ph: string) => ((phaseAt.get(ph) ?? t0) - t0) / 1000;
      console.log(
        `run ${i + 1}: ${rows} rows in ${secs.toFixed(2)} s = ${Math.round(rows / secs).toLocaleString('en-US')} rows/s (accepted ${r.counts.accepted}; ` +
          `parse ${at('checking').toFixed(1)} s, check ${(at('writing') - at('checking')).toFixed(1)} s, database ${(secs - at('writing')).toFixed(1)} s)`,
      );
      await sql.end();
      await admin.unsafe(`drop database ${db} with (force)`);
    }
    const median = quantile(times, 0.5);
    console.log(
      `summary: median ${median.toFixed(2)} s for ${rows} rows = ${Math.round(rows / median).toLocaleString('en-US')} rows/s ` +
        `(${runs} runs; target: 1,000,000 rows in under 60 s) on ${os.cpus().length} cores`,
    );
  } finally {
    await admin.unsafe(`drop database if exists ${tpl}`);
    await admin.end();
    await stopPg?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
