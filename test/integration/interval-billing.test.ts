// Billing from interval data through the bill run's own page (activities/bill-run.ts billPage ->
// loadBillingInputsMany -> calculateBill -> issueBills, held bills to the exceptions queue), in the
// utility's time zone, America/Chicago. The period is November 2026: it starts on the fall-back day
// (Sunday 1 November, 25 hours), so a month of hourly data is 30 x 24 + 1 = 721 intervals.
// Amounts are worked by hand in the comments.

import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBillPipeline } from '../../activities/bill-pipeline.js';
import { type BatchResult, createBillRunActivities } from '../../activities/bill-run.js';
import { renderBillPdf } from '../../activities/documents.js';
import { addRead } from '../../db/accounts.js';
import { billDocumentData } from '../../db/bill-document.js';
import { heldBillFacts } from '../../db/bill-exceptions.js';
import { billExplanation } from '../../db/bill-explanation.js';
import type { Sql } from '../../db/client.js';
import { ensureIntervalPartitions } from '../../db/interval-partitions.js';
import { monthlyPeriod } from '../../domain/period.js';
import { validationOf } from '../../workflows/contracts/billing-cycle.js';
import { meteredAccount } from '../support/accounts.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { pdfText } from '../support/pdf.js';

let sql: Sql;
const TZ = 'America/Chicago';
const PERIOD = monthlyPeriod('2026-11');
const CYCLE = 'IV';
// local midnight of 1 November (CDT, -05:00) to local midnight of 1 December (CST, -06:00)
const FROM = '2026-11-01T00:00:00-05:00';
const TO = '2026-12-01T00:00:00-06:00';

// Peak: weekdays 14:00-18:59 (hours 14 to 18) in every month; weekends all off-peak
const weekday = Array.from({ length: 12 }, () =>
  Array.from({ length: 24 }, (_, h) => (h >= 14 && h <= 18 ? 1 : 0)),
);
const weekend = Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
const touEnergy = {
  type: 'tou',
  name: 'Energy',
  weekday,
  weekend,
  periods: [
    { name: 'Off-peak', tiers: [{ from: '0', price: '0.10' }] },
    { name: 'Peak', tiers: [{ from: '0', price: '0.30' }] },
  ],
};
const electric = (name: string, components: unknown[], extra: Record<string, unknown> = {}) => ({
  schema: 'cisflow.tariff/1',
  name,
  service: 'electric',
  unit: 'kWh',
  ...extra,
  components: [{ type: 'fixed', name: 'Basic charge', amount: '10.00' }, ...components],
});

/** An electric account in the test's cycle on `tariff`, with 1 kWh in every hour of November (721 hours). */
async function account(tariff: unknown, o: { intervals?: boolean } = {}) {
  const a = await meteredAccount(sql, { service: 'electric', unit: 'kWh', tariff, customerName: 'Ada Watt' });
  await sql`update account set billing_cycle = ${CYCLE} where id = ${a.acct.id}`;
  if (o.intervals !== false)
    await sql`
      insert into meter_interval (meter_id, channel, start_at, seconds, value)
      select ${a.meter.id}, 0, g, 3600, 1
      from generate_series(${FROM}::timestamptz, ${TO}::timestamptz - interval '1 hour', interval '1 hour') g`;
  return a;
}
/** Sets (or, with null, removes) the hourly intervals starting at these local times (Chicago). */
async function setHours(meterId: string, locals: string[], value: string | null, channel = 0) {
  for (const l of locals) {
    const at = sql`(${l}::timestamp at time zone ${TZ})`;
    if (value === null)
      await sql`delete from meter_interval where meter_id = ${meterId} and channel = ${channel} and start_at = ${at}`;
    else
      await sql`insert into meter_interval (meter_id, channel, start_at, seconds, value)
        values (${meterId}, ${channel}, ${at}, 3600, ${value})
        on conflict (meter_id, channel, start_at) do update set value = excluded.value`;
  }
}
const hours = (day: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => `${day} ${String(from + k).padStart(2, '0')}:00`);

function recordingClient() {
  return {
    workflow: {
      async start() {},
      async signalWithStart() {},
    },
  } as unknown as Client;
}

let run: BatchResult;
const made: Record<string, Awaited<ReturnType<typeof account>>> = {};

async function billOf(accountId: string) {
  const [b] = await sql<{ id: string; totalCents: number }[]>`
    select id, total_cents from bill where account_id = ${accountId} and period = ${PERIOD.key}`;
  if (!b) return null;
  const lines = await sql<
    { description: string; quantity: string | null; amountCents: number; trace: Record<string, unknown> }[]
  >`
    select l.description, l.quantity::text, l.amount_cents, l.trace from bill_line l
    join bill_segment s on s.id = l.bill_segment_id where s.bill_id = ${b.id} order by l.seq`;
  const [seg] = await sql<{ consumption: string; startReadId: string | null }[]>`
    select trim_scale(consumption)::text as consumption, start_read_id from bill_segment where bill_id = ${b.id}`;
  return { ...b, lines, segment: seg! };
}

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  // November in Chicago ends at 06:00 on 1 December in UTC
  await ensureIntervalPartitions(sql, ['2026-11', '2026-12']);
  // TOU: 21 weekdays x 5 peak hours = 105 kWh peak; 721 - 105 = 616 kWh off-peak
  made.tou = await account(electric('Residential TOU', [touEnergy]));

  // Demand: 1 kWh an hour, and 4.5 kWh in the hour from 18:00 on Tuesday 17 November (CST)
  made.demand = await account(
    electric('Small commercial', [
      { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.08' }] },
      { type: 'demand', name: 'Demand', tiers: [{ from: '0', price: '12.00' }] },
    ]),
  );
  await setHours(made.demand.meter.id, ['2026-11-17 18:00'], '4.5');

  // Net metering (kWh banked per TOU period): 2 kWh exported in every peak hour, none otherwise
  made.nem = await account(
    electric('Residential solar TOU', [touEnergy], {
      trueUpMonth: 12,
      netMetering: { mode: 'nem_kwh', yearEndSellRate: '0.04' },
    }),
  );
  await sql`
    insert into meter_interval (meter_id, channel, start_at, seconds, value)
    select ${made.nem.meter.id}, 1, g, 3600,
           case when extract(isodow from g at time zone ${TZ}) < 6
                 and extract(hour from g at time zone ${TZ}) between 14 and 18 then 2 else 0 end
    from generate_series(${FROM}::timestamptz, ${TO}::timestamptz - interval '1 hour', interval '1 hour') g`;

  // A small gap: Tuesday 10 November 02:00-04:59 missing (3 hours, off-peak), 05:00 read 5 kWh
  made.smallGap = await account(electric('Residential TOU', [touEnergy]));
  await setHours(made.smallGap.meter.id, hours('2026-11-10', 2, 4), null);
  await setHours(made.smallGap.meter.id, ['2026-11-10 05:00'], '5');

  // A large gap: Thursday 12 November 08:00-17:59 missing (10 hours)
  made.largeGap = await account(electric('Residential TOU', [touEnergy]));
  await setHours(made.largeGap.meter.id, hours('2026-11-12', 8, 17), null);

  // Register reads: a flat tariff bills its reads (500 kWh), not the 721 kWh its intervals add up to
  made.register = await account(
    electric('Residential flat', [
      { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.12' }] },
    ]),
  );
  for (const [at, value] of [
    ['2026-11-01T06:00:00Z', '1000'],
    ['2026-12-01T06:00:00Z', '1500'],
  ] as const)
    await addRead(sql, { meterId: made.register.meter.id, readAt: at, value, source: 'ami' });

  const pipeline = createBillPipeline({
    sql,
    client: recordingClient(),
    queues: { payments: 'payments', collections: 'collections' },
    publicUrl: 'http://cisflow.test',
  });
  const acts = createBillRunActivities(sql, recordingClient(), pipeline, TZ);
  // the bill run's policy (contract module): gaps over 6 hours hold the bill
  const validation = validationOf({ maxIntervalGapHours: 6 });
  run = (await new MockActivityEnvironment().run(() =>
    acts.billPage({
      cycle: CYCLE,
      period: PERIOD,
      after: '',
      pageSize: 100,
      billDate: TODAY,
      dueDays: 21,
      runId: 'bill-run/IV/2026-11',
      validation,
    }),
  )) as BatchResult;
}, 120_000);

describe('billing from intervals in the bill run', () => {
  it('bills a TOU account on the kWh of each TOU period, in local hours across the 25-hour day', async () => {
    const b = (await billOf(made.tou!.acct.id))!;
    // $10.00 + 616 kWh x $0.10 ($61.60) + 105 kWh x $0.30 ($31.50) = $103.10
    expect(b.lines.map((l) => [l.description, l.quantity, l.amountCents])).toEqual([
      ['Basic charge', '1.000000000', 1000],
      ['Energy, Off-peak', '616.000000000', 6160],
      ['Energy, Peak', '105.000000000', 3150],
    ]);
    expect(b.totalCents).toBe(10310);
    expect(b.segment).toEqual({ consumption: '721', startReadId: null });
    const trace = b.lines[1]!.trace.intervals as Record<string, unknown>;
    expect(trace).toMatchObject({
      timeZone: TZ,
      intervals: 721,
      estimated: 0,
      byPeriod: [
        { period: 'Off-peak', kwh: '616' },
        { period: 'Peak', kwh: '105' },
      ],
    });
  });

  it('bills the peak kW from intervals and says when the peak was, in local time', async () => {
    const b = (await billOf(made.demand!.acct.id))!;
    // energy 720 x 1 + 4.5 = 724.5 kWh x $0.08 = $57.96; demand 4.5 kW x $12.00 = $54.00; + $10.00 = $121.96
    expect(b.lines.map((l) => [l.description, l.quantity, l.amountCents])).toEqual([
      ['Basic charge', '1.000000000', 1000],
      ['Energy', '724.500000000', 5796],
      ['Demand', '4.500000000', 5400],
    ]);
    expect(b.totalCents).toBe(12196);
    const demand = b.lines[2]!.trace;
    expect((demand.detail as Record<string, string>).peakAt).toBe('2026-11-17T18:00-06:00');
    expect(demand.intervals).toMatchObject({ peak: { kw: '4.5', at: '2026-11-17T18:00-06:00' } });
  });

  it('nets a net-metered account per TOU period from its delivered and received channels', async () => {
    const b = (await billOf(made.nem!.acct.id))!;
    // peak: 105 delivered - 210 received = 105 kWh surplus, banked (billed 0); off-peak: 616 - 0 = 616 kWh
    // x $0.10 = $61.60; + $10.00 = $71.60
    expect(b.totalCents).toBe(7160);
    expect(b.lines.map((l) => [l.description, l.quantity, l.amountCents])).toEqual([
      ['Basic charge', '1.000000000', 1000],
      ['Energy, Off-peak', '616.000000000', 6160],
    ]);
    const [nem] = await sql<{ exported: string; kwhBank: Record<string, string> }[]>`
      select trim_scale(n.exported)::text as exported, n.kwh_bank from bill_segment_nem n
      join bill_segment s on s.id = n.bill_segment_id join bill b on b.id = s.bill_id where b.id = ${b.id}`;
    expect(nem).toEqual({ exported: '210', kwhBank: { Peak: '105' } });
    expect(b.lines[1]!.trace.intervals).toMatchObject({ received: { intervals: 721, kwh: '210' } });
  });

  it('estimates a short gap linearly between its neighbours and marks it', async () => {
    const b = (await billOf(made.smallGap!.acct.id))!;
    // 01:00 read 1 kWh, 05:00 read 5: the missing 02:00, 03:00, 04:00 are 2, 3 and 4 kWh (quality 1).
    // off-peak: 616 - 3 missing + 9 estimated + 4 (05:00 at 5, not 1) = 626 kWh x $0.10 = $62.60
    // total: $10.00 + $62.60 + $31.50 = $104.10
    expect(b.totalCents).toBe(10410);
    expect(b.lines[1]!.quantity).toBe('626.000000000');
    expect(b.lines[1]!.trace.intervals).toMatchObject({
      intervals: 721,
      estimated: 3,
      gaps: [{ from: '2026-11-10T02:00-06:00', to: '2026-11-10T05:00-06:00', hours: '3', intervals: 3 }],
    });
    // the estimate is the bill's, not the meter's: meter_interval keeps only what was sent
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from meter_interval where meter_id = ${made.smallGap!.meter.id}`;
    expect(row?.n).toBe(721 - 3);
    expect(run.estimated).toBe(1);
  });

  it('holds a bill whose gap is longer than the policy allows, in the exceptions queue with the reason', async () => {
    expect(await billOf(made.largeGap!.acct.id)).toBeNull();
    expect(run.held.map((h) => [h.accountId, h.holds.map((x) => x.code)])).toEqual([
      [made.largeGap!.acct.id, ['interval_gap']],
    ]);
    const [ex] = await sql<
      {
        id: string;
        accountId: string;
        period: string;
        workflowId: string;
        status: string;
        reasons: { code: string; message: string }[];
      }[]
    >`
      select id, account_id, period, workflow_id, status, reasons from bill_exception
      where account_id = ${made.largeGap!.acct.id}`;
    expect(ex?.status).toBe('open');
    expect(ex?.reasons).toEqual([
      expect.objectContaining({
        code: 'interval_gap',
        message: `meter ${made.largeGap!.meter.serialNumber} has no intervals from 2026-11-12T08:00-06:00 to 2026-11-12T18:00-06:00 (10 hours), more than the 6-hour limit for estimating`,
      }),
    ]);
    // approved, the gap is estimated by the same rule: 07:00 and 18:00 read 1 kWh, so the ten hours are 1
    // each (4 of them peak) and the bill is the full month's $103.10
    const facts = await heldBillFacts(sql, [ex as never], TZ);
    expect(facts.get(ex!.id)?.wouldBeCents).toBe(10310);
  });

  it('bills a register-read tariff in the same run from its reads, its intervals unread', async () => {
    const b = (await billOf(made.register!.acct.id))!;
    // 1500 - 1000 = 500 kWh x $0.12 = $60.00; + $10.00 = $70.00
    expect(b.totalCents).toBe(7000);
    expect(b.segment.consumption).toBe('500');
    expect(b.segment.startReadId).not.toBeNull();
    expect(b.lines.every((l) => l.trace.intervals === undefined)).toBe(true);
    expect(run.billed).toBe(5);
  });

  it('shows the kWh per TOU period, the estimates and the peak in the explanation and on the PDF', async () => {
    const tou = (await billOf(made.smallGap!.acct.id))!;
    const e = (await billExplanation(sql, tou.id))!;
    expect(e.segments[0]!.intervals).toEqual({
      timeZone: TZ,
      count: 721,
      estimated: 3,
      vendorEstimated: 0,
      byPeriod: [
        { period: 'Off-peak', quantity: '626' },
        { period: 'Peak', quantity: '105' },
      ],
      peak: null,
    });
    const demand = (await billOf(made.demand!.acct.id))!;
    expect((await billExplanation(sql, demand.id))!.segments[0]!.intervals?.peak).toEqual({
      kw: '4.5',
      at: '2026-11-17T18:00-06:00',
    });
    const touPdf = await pdfText(await renderBillPdf((await billDocumentData(sql, tou.id))!));
    expect(touPdf).toContain('721 meter intervals (3 estimated)');
    expect(touPdf).toMatch(/Off-peak 626 kWh, Peak 105 kWh/);
    const demandPdf = await pdfText(await renderBillPdf((await billDocumentData(sql, demand.id))!));
    expect(demandPdf).toContain('peak 4.5 kW on 2026-11-17 18:00');
  });
});

describe('migration 0122', () => {
  const migration = readFileSync(
    new URL('../../db/migrations/0122_meter_interval_channel_quality.sql', import.meta.url),
    'utf8',
  );
  const key = (tx: Sql) =>
    tx<{ name: string; cols: string }[]>`
      select c.conname as name, string_agg(a.attname, ',' order by k.ord) as cols
      from pg_constraint c cross join lateral unnest(c.conkey) with ordinality k(attnum, ord)
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
      where c.conrelid = 'meter_interval'::regclass and c.contype = 'p' group by c.conname`;
  /** runs `fn` in a transaction that is then rolled back, so the test's data stays as it was */
  async function rolledBack(fn: (tx: Sql) => Promise<void>) {
    await sql
      .begin(async (tx) => {
        await fn(tx as unknown as Sql);
        throw new Error('rollback');
      })
      .catch((e) => {
        if ((e as Error).message !== 'rollback') throw e;
      });
  }

  it('gave the plain table its channel, quality and (meter, channel, start) key; run again it changes nothing', async () => {
    await rolledBack(async (tx) => {
      const before = await key(tx);
      expect(before).toEqual([{ name: expect.any(String), cols: 'meter_id,channel,start_at' }]);
      await tx.unsafe(migration);
      expect(await key(tx)).toEqual(before);
    });
  });

  it('is a no-op on the partitioned table of the lead-fixed columns', async () => {
    await rolledBack(async (tx) => {
      await tx`alter table meter_interval rename to meter_interval_plain`;
      await tx.unsafe(`
        create table meter_interval (
          meter_id text not null, channel smallint not null default 0, start_at timestamptz not null,
          seconds int not null, value numeric(20, 9) not null, quality smallint not null default 0,
          constraint meter_interval_part_pkey primary key (meter_id, channel, start_at)
        ) partition by range (start_at);
        create table meter_interval_2026_11 partition of meter_interval
          for values from ('2026-11-01') to ('2026-12-01');`);
      await tx.unsafe(migration);
      expect(await key(tx)).toEqual([
        { name: 'meter_interval_part_pkey', cols: 'meter_id,channel,start_at' },
      ]);
    });
  });
});
