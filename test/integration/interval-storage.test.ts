// Interval storage (issue 19): meter_interval partitioned by month; migration 0120 keeps the rows it finds;
// an import into a month without a partition makes it first; channels 0 and 1 are separate intervals; the
// duplicate/conflict rule holds across partitions, all or nothing; the daily job (a Temporal Schedule)
// makes the months ahead and drops those past the retention.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createMeter } from '../../db/accounts.js';
import { connect, type Sql } from '../../db/client.js';
import {
  ensureIntervalPartitions,
  intervalPartitions,
  maintainIntervalPartitions,
} from '../../db/interval-partitions.js';
import { importMeterReads } from '../../db/meter-import.js';
import { migrationFiles } from '../../db/migrate.js';
import { clockStartingAt } from '../../lib/clock.js';
import { ensureIntervalPartitionsSchedule } from '../../workers/schedules.js';
import { INTERVAL_PARTITIONS_SCHEDULE_ID } from '../../workflows/contracts/interval-partitions.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let url: string;
beforeAll(async () => {
  ({ sql, url } = await freshDatabase());
});

let n = 0;
async function meter() {
  const serial = `IVL-${++n}`;
  const m = await createMeter(sql, { serialNumber: serial, kind: 'electric', unit: 'kWh', dialCount: 6 });
  return { id: m.id as string, serial };
}
const file = (...rows: string[]) =>
  ['meter_serial,start_at,seconds,value,channel,quality', ...rows].join('\n');
const importFile = (text: string, partial = false) =>
  importMeterReads(sql, { source: 'cli', format: 'interval', text, timeZone: 'UTC', partial });
const stored = (meterId: string) =>
  sql<{ channel: number; startAt: Date; value: string; quality: number; partition: string }[]>`
    select channel, start_at, value::text as value, quality, tableoid::regclass::text as partition
    from meter_interval where meter_id = ${meterId} order by channel, start_at`;
const months = async () => (await intervalPartitions(sql)).map((p) => p.month);

describe('migration 0120', () => {
  it('moves the unpartitioned table’s rows into monthly partitions, with their imports per month', async () => {
    const admin = connect(inject('adminDatabaseUrl'), { max: 1 });
    const name = `cisflow_m0120_${process.pid}`;
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
    const db = connect(Object.assign(new URL(url), { pathname: `/${name}` }).toString(), { max: 1 });
    try {
      const dir = path.resolve('db/migrations');
      for (const f of migrationFiles().filter((f) => f < '0120'))
        await db.unsafe(readFileSync(path.join(dir, f), 'utf8'));
      await db`insert into meter (id, serial_number, kind, unit, dial_count) values ('mtr_old', 'OLD-1', 'electric', 'kWh', 6)`;
      await db`insert into meter_import (id, source, format, file_sha256, status) values ('imp_old', 'cli', 'greenbutton', 'x', 'completed')`;
      await db`insert into meter_interval (meter_id, start_at, seconds, value, import_id) values
        ('mtr_old', '2025-01-31T23:45:00Z', 900, 0.123456789, 'imp_old'),
        ('mtr_old', '2025-02-01T00:00:00Z', 900, 1.5, 'imp_old'),
        ('mtr_old', '2025-02-01T00:15:00Z', 900, 2, null)`;
      await db.unsafe(readFileSync(path.join(dir, '0120_meter_interval_partitioned.sql'), 'utf8'));
      const rows = await db<{ channel: number; startAt: Date; value: string; quality: number; p: string }[]>`
        select channel, start_at, value::text as value, quality, tableoid::regclass::text as p
        from meter_interval order by start_at`;
      expect(
        rows.map((r) => [r.p, new Date(r.startAt).toISOString(), r.value, r.channel, r.quality]),
      ).toEqual([
        ['meter_interval_y2025m01', '2025-01-31T23:45:00.000Z', '0.123456789', 0, 0],
        ['meter_interval_y2025m02', '2025-02-01T00:00:00.000Z', '1.500000000', 0, 0],
        ['meter_interval_y2025m02', '2025-02-01T00:15:00.000Z', '2.000000000', 0, 0],
      ]);
      const spans =
        await db`select import_id, month::text, channel, rows from meter_import_interval order by month`;
      expect(spans.map((s) => ({ ...s }))).toEqual([
        { importId: 'imp_old', month: '2025-01-01', channel: 0, rows: 1 },
        { importId: 'imp_old', month: '2025-02-01', channel: 0, rows: 1 },
      ]);
      expect((await db`select to_regclass('meter_interval_unpartitioned') as t`)[0]!.t).toBeNull();
    } finally {
      await db.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

describe('importing intervals', () => {
  it('an import into a month with no partition creates it first; a row outside any partition cannot exist', async () => {
    const m = await meter();
    expect(await months()).not.toContain('2031-05');
    // straight into the table, a month without a partition is refused by PostgreSQL itself
    await expect(
      sql`insert into meter_interval (meter_id, start_at, seconds, value) values (${m.id}, '2031-05-10T00:00:00Z', 3600, 1)`,
    ).rejects.toThrow(/no partition/);
    const r = await importFile(
      file(
        `${m.serial},2031-05-31T23:00:00Z,3600,1.25,0,actual`,
        `${m.serial},2031-06-01T00:00:00Z,3600,0.5,0,estimated`,
      ),
    );
    expect(r.status, r.message ?? '').toBe('completed');
    expect(r.counts).toMatchObject({ total: 2, accepted: 2 });
    expect(await months()).toEqual(expect.arrayContaining(['2031-05', '2031-06']));
    const rows = await stored(m.id);
    expect(rows.map((x) => [x.partition, x.value, x.quality])).toEqual([
      ['meter_interval_y2031m05', '1.250000000', 0],
      ['meter_interval_y2031m06', '0.500000000', 2],
    ]);
    const spans =
      await sql`select month::text, channel, rows from meter_import_interval where import_id = ${r.id} order by month`;
    expect(spans.map((s) => ({ ...s }))).toEqual([
      { month: '2031-05-01', channel: 0, rows: 1 },
      { month: '2031-06-01', channel: 0, rows: 1 },
    ]);
    // asking again creates nothing
    expect(await ensureIntervalPartitions(sql, ['2031-05', '2031-06'])).toEqual([]);
  });

  it('keeps delivered (0) and received (1) as separate intervals at the same start', async () => {
    const m = await meter();
    const text = file(
      `${m.serial},2031-07-01T12:00:00Z,3600,0.4,delivered,0`,
      `${m.serial},2031-07-01T12:00:00Z,3600,2.1,received,0`,
    );
    const r = await importFile(text);
    expect(r.counts).toMatchObject({ accepted: 2, rejected: 0 });
    expect((await stored(m.id)).map((x) => [x.channel, x.value])).toEqual([
      [0, '0.400000000'],
      [1, '2.100000000'],
    ]);
    // the same intervals in another file (with the export channel spelt 1) are duplicates, not conflicts
    const again = await importFile(`${text}\n${m.serial},2031-07-01T12:00:00Z,3600,2.10,1,0`);
    expect(again.status).toBe('completed');
    expect(again.counts).toMatchObject({ total: 3, accepted: 0, duplicate: 3, rejected: 0 });
    // a different export value conflicts only with channel 1
    const clash = await importFile(file(`${m.serial},2031-07-01T12:00:00Z,3600,2.2,1,0`));
    expect(clash.status).toBe('rejected');
    expect(clash.rows[0]).toMatchObject({ status: 'rejected', column: 'value' });
    expect((clash.rows[0] as { reason: string }).reason).toMatch(/stored interval .*2\.100000000.*2\.2/);
    expect((await stored(m.id)).length).toBe(2);
  });

  it('duplicates and conflicts are found across partitions; all or nothing, never overwritten', async () => {
    const m = await meter();
    await importFile(
      file(`${m.serial},2031-08-31T23:00:00Z,3600,1,0,0`, `${m.serial},2031-09-01T00:00:00Z,3600,2,0,0`),
    );
    const before = await stored(m.id);
    expect(before.map((x) => x.partition)).toEqual(['meter_interval_y2031m08', 'meter_interval_y2031m09']);
    const text = file(
      `${m.serial},2031-08-31T22:00:00Z,3600,0.5,0,0`, // new, in August
      `${m.serial},2031-08-31T23:00:00Z,3600,1.000,0,0`, // duplicate, in August
      `${m.serial},2031-09-01T00:00:00Z,3600,2.5,0,0`, // conflict, in September
      `${m.serial},2031-10-01T00:00:00Z,3600,3,0,0`, // new, in a month with no partition yet
    );
    const r = await importFile(text);
    expect(r.status).toBe('rejected');
    expect(r.counts).toMatchObject({ total: 4, accepted: 0, duplicate: 1, rejected: 1 });
    // nothing imported: the report lists the rows not accepted
    expect(r.rows.map((x) => [x.row, x.status])).toEqual([
      [3, 'duplicate'],
      [4, 'rejected'],
    ]);
    expect(r.rows[1]).toMatchObject({
      row: 4,
      reason: expect.stringMatching(/2031-09-01T00:00:00.000Z \(2\.000000000; the file says 2\.5\)/),
    });
    expect(await stored(m.id)).toEqual(before);
    expect(await sql`select 1 from meter_import_interval where import_id = ${r.id}`).toHaveLength(0);
    // partial: the new rows go in, the stored ones stay as they were
    const p = await importFile(text, true);
    expect(p.status).toBe('completed');
    expect(p.counts).toMatchObject({ accepted: 2, duplicate: 1, rejected: 1 });
    expect((await stored(m.id)).map((x) => [new Date(x.startAt).toISOString(), x.value])).toEqual([
      ['2031-08-31T22:00:00.000Z', '0.500000000'],
      ['2031-08-31T23:00:00.000Z', '1.000000000'],
      ['2031-09-01T00:00:00.000Z', '2.000000000'],
      ['2031-10-01T00:00:00.000Z', '3.000000000'],
    ]);
  });

  it('a Green Button feed’s received reading (flowDirection 19) lands on channel 1', async () => {
    const m = await meter();
    const fixture = readFileSync(
      path.resolve('../shared/fixtures/greenbutton/test_usage_data_01.xml'),
      'utf8',
    );
    const received = fixture.replace(
      /<flowDirection>1<\/flowDirection>/g,
      '<flowDirection>19</flowDirection>',
    );
    expect(received).not.toBe(fixture);
    const r = await importMeterReads(sql, {
      source: 'cli',
      format: 'greenbutton',
      text: received,
      timeZone: 'UTC',
      meter: m.serial,
    });
    expect(r.status, r.message ?? '').toBe('completed');
    const rows = await stored(m.id);
    expect(rows.length).toBe(r.counts.accepted);
    expect(new Set(rows.map((x) => x.channel))).toEqual(new Set([1]));
  });
});

describe('the daily interval-partitions job', () => {
  it('makes the current month and two ahead, and drops the months past the retention', async () => {
    // data in December 2024 and January 2025; on 15 January 2027 with 24 months kept, January 2025 is the oldest
    await ensureIntervalPartitions(sql, ['2024-12', '2025-01']);
    const m = await meter();
    await sql`insert into meter_interval (meter_id, start_at, seconds, value) values
      (${m.id}, '2024-12-31T23:00:00Z', 3600, 1), (${m.id}, '2025-01-01T00:00:00Z', 3600, 2)`;
    const r = await maintainIntervalPartitions(sql, new Date('2027-01-15T12:00:00Z'), {
      retentionMonths: 24,
    });
    expect(r.oldestKept).toBe('2025-01');
    // (the Green Button fixture above left March 2012, also past the retention)
    expect(r.dropped).toEqual(['2012-03', '2024-12']);
    expect(r.created).toEqual(expect.arrayContaining(['2027-01', '2027-02', '2027-03']));
    const have = await months();
    expect(have).not.toContain('2024-12');
    expect(have).toEqual(expect.arrayContaining(['2025-01', '2027-01', '2027-02', '2027-03']));
    expect(have).not.toContain('2027-04');
    expect((await stored(m.id)).map((x) => x.value)).toEqual(['2.000000000']);
    expect((await sql`select to_regclass('meter_interval_y2024m12') as t`)[0]!.t).toBeNull();
    // run again: nothing to do
    expect(
      await maintainIntervalPartitions(sql, new Date('2027-01-15T12:00:00Z'), { retentionMonths: 24 }),
    ).toMatchObject({
      created: [],
      dropped: [],
    });
  });

  it('runs from its Temporal Schedule on the workers’ clock, created once', async () => {
    let t: TemporalHarness;
    // the workers' clock says 10 March 2035: March to May 2035 are made, and months before March 2033 dropped
    t = await startWorkers(sql, { clock: clockStartingAt('2035-03-10T08:00:00Z') });
    await ensureIntervalPartitions(sql, ['2033-02']);
    const taskQueue = `${t.taskQueuePrefix}billing`;
    const scheduleId = `${INTERVAL_PARTITIONS_SCHEDULE_ID}-test`;
    expect(await ensureIntervalPartitionsSchedule(t.env.client, { taskQueue, scheduleId })).toBe('created');
    expect(await ensureIntervalPartitionsSchedule(t.env.client, { taskQueue, scheduleId })).toBe('exists');
    // created with triggerImmediately: the first run starts without waiting a day
    const deadline = Date.now() + 30_000;
    let have: string[] = [];
    while (Date.now() < deadline) {
      have = await months();
      if (have.includes('2035-05') && !have.includes('2033-02')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(have).toEqual(expect.arrayContaining(['2035-03', '2035-04', '2035-05']));
    expect(have.filter((x) => x < '2033-03')).toEqual([]);
    await t.env.client.schedule.getHandle(scheduleId).delete();
  });
});
