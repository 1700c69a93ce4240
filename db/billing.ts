// What a bill needs (agreements, meters, reads, rate versions) and how an issued bill is stored.
import {
  type RatedSegment,
  type RateVersionFacts,
  type SegmentFacts,
  segmentIntervalBasis,
} from '../domain/bill-calc.js';
import type { StoredLine } from '../domain/bill-explain.js';
import type { BillFacts, IssueBillInput } from '../domain/bill-issue.js';
import { serviceWindow } from '../domain/billing-window.js';
import type { MeterIntervals } from '../domain/interval-billing.js';
import { billEntry, type JournalEntry } from '../domain/ledger.js';
import { addDays, dayStartsAt } from '../domain/period.js';
import type { RegisterRead } from '../domain/reads.js';
import { newId } from '../lib/ids.js';
import { type Column, insertColumns } from './bulk.js';
import type { Sql, Tx } from './client.js';
import { type IntervalWindow, intervalsForBilling } from './intervals.js';
import { postEntries } from './ledger.js';

export type BillingInputs = BillFacts;
export type { IssueBillInput };

/**
 * What one account's bill needs. Which days it covers and which reads open and close it follow the one
 * window rule in domain/billing-window.ts (consecutive bills share a read; a final bill closes on the
 * stop date's read; a move-in opens on the start date's read). Days are in `timeZone` (default UTC).
 */
export async function loadBillingInputs(
  sql: Sql,
  accountId: string,
  period: { key: string; start: string; end: string },
  timeZone = 'UTC',
): Promise<BillingInputs | null> {
  return (await loadBillingInputsMany(sql, [accountId], period, timeZone)).get(accountId) ?? null;
}

/** The same facts for many accounts at once, in five set-based queries: what a bill run pages through. */
export async function loadBillingInputsMany(
  sql: Sql,
  accountIds: string[],
  period: { key: string; start: string; end: string },
  timeZone = 'UTC',
): Promise<Map<string, BillingInputs>> {
  const out = new Map<string, BillingInputs>();
  if (!accountIds.length) return out;
  const [accounts, existing, rows, winters] = await Promise.all([
    sql<{ id: string; accountNumber: string; billingCycle: string; flags: string[] }[]>`
      select id, account_number, billing_cycle, flags from account where id = any(${accountIds})`,
    sql<{ accountId: string; id: string; totalCents: number; status: string; workflowId: string }[]>`
      select account_id, id, total_cents, status, workflow_id from bill
      where account_id = any(${accountIds}) and period = ${period.key} and status <> 'cancelled'`,
    sql`
      select sa.account_id, sa.id as sa_id, sa.service_type, sa.status, sa.start_date::text as service_start,
             sa.end_date::text as service_end, sa.rating_params, sa.rate_schedule_id, rs.code as schedule_code,
             (select round(sum(bs.consumption) / nullif(sum(b.period_end - b.period_start + 1), 0), 9)::text
                from bill_segment bs join bill b on b.id = bs.bill_id
                where bs.service_agreement_id = sa.id and b.status = 'issued'
                  and b.period = to_char(${period.start}::date - interval '1 year', 'YYYY-MM')) as same_season_daily,
             (select round(sum(x.consumption) / nullif(sum(x.days), 0), 9)::text from (
                select bs.consumption, (b.period_end - b.period_start + 1) as days
                from bill_segment bs join bill b on b.id = bs.bill_id
                where bs.service_agreement_id = sa.id and b.status = 'issued' and b.period_start < ${period.start}::date
                order by b.period_start desc limit 3) x) as recent_daily,
             m.id as meter_id, m.serial_number, m.unit, m.dial_count, m.multiplier::text as multiplier, m.size,
             lb.period_end::text as billed_through, nem.kwh_bank as nem_kwh_bank, nem.credit_cents as nem_credit_cents,
             p.id as p_id, p.value::text as p_value, p.read_at as p_read_at, p.source as p_source,
             p.received_value::text as p_received
      from service_agreement sa
      join rate_schedule rs on rs.id = sa.rate_schedule_id
      left join meter_installation mi on mi.service_point_id = sa.service_point_id
        and mi.installed_at < (${period.end}::date + 1) and (mi.removed_at is null or mi.removed_at > ${period.start}::date)
      left join meter m on m.id = mi.meter_id
      -- the agreement's latest issued bill of another period that starts by this period's end (so a rebill
      -- of an old period ignores later bills): this bill starts the day after it ends
      left join lateral (
        select b.period_end, bs.end_read_id, bs.id as seg_id from bill_segment bs join bill b on b.id = bs.bill_id
        where bs.service_agreement_id = sa.id and b.status = 'issued' and b.period <> ${period.key}
          and b.period_start <= ${period.end}::date
        order by b.period_end desc limit 1) lb on true
      -- the read that bill ended on opens this one, even an estimate: the true-up bills from it
      left join meter_read p on p.id = lb.end_read_id and p.meter_id = m.id
      -- net metering: what that bill carried (kWh bank, $ credit)
      left join bill_segment_nem nem on nem.bill_segment_id = lb.seg_id
      where sa.account_id = any(${accountIds})
        and sa.start_date <= ${period.end}::date and (sa.end_date is null or sa.end_date >= ${period.start}::date)
        and sa.status <> 'pending'
      order by sa.account_id, sa.service_type, sa.id`,
    // last winter's average monthly water use, for sewer charges capped at the winter average
    sql<{ accountId: string; avg: string | null }[]>`
      select b.account_id, round(avg(s.consumption), 9)::text as avg from bill_segment s join bill b on b.id = s.bill_id
      where b.account_id = any(${accountIds}) and s.service_type = 'water' and b.status = 'issued'
        and extract(month from b.period_start) in (12, 1, 2) and b.period_start > ${period.start}::date - 365
      group by b.account_id`,
  ]);
  // Rate versions once per schedule: every account on a schedule shares the same tariff object.
  const scheduleIds = [...new Set(rows.map((r) => r.rateScheduleId as string))];
  const versions = new Map<string, Omit<RateVersionFacts, 'scheduleCode'>[]>();
  if (scheduleIds.length) {
    for (const v of await sql<
      { rateScheduleId: string; id: string; effectiveFrom: string; tariff: unknown }[]
    >`
      select rate_schedule_id, id, effective_from::text, tariff from rate_version
      where rate_schedule_id = any(${scheduleIds}) and effective_from <= ${period.end}::date order by effective_from`) {
      const list = versions.get(v.rateScheduleId) ?? [];
      list.push({ id: v.id, effectiveFrom: v.effectiveFrom, tariff: v.tariff });
      versions.set(v.rateScheduleId, list);
    }
  }
  const [reads, intervals] = await Promise.all([
    windowReads(sql, rows, period, timeZone),
    windowIntervals(sql, rows, versions, period, timeZone),
  ]);
  const read = (r: Record<string, unknown>, p: 'o' | 'c' | 'p'): RegisterRead | null =>
    r[`${p}Id`]
      ? {
          id: r[`${p}Id`] as string,
          value: r[`${p}Value`] as string,
          readAt: (r[`${p}ReadAt`] as Date).toISOString(),
          source: r[`${p}Source`] as RegisterRead['source'],
          received: (r[`${p}Received`] as string | null) ?? null,
        }
      : null;
  const existingBy = new Map(
    existing.map((e) => [
      e.accountId,
      { id: e.id, totalCents: e.totalCents, status: e.status, workflowId: e.workflowId },
    ]),
  );
  const winterBy = new Map(winters.map((w) => [w.accountId, w.avg]));
  for (const a of accounts) {
    out.set(a.id, {
      accountId: a.id,
      accountNumber: a.accountNumber,
      billingCycle: a.billingCycle,
      flags: a.flags,
      winterAverage: winterBy.get(a.id) ?? null,
      timeZone,
      existingBill: existingBy.get(a.id) ?? null,
      segments: [],
    });
  }
  rows.forEach((r, i) => {
    const w = reads.get(i) ?? {};
    const rates = (versions.get(r.rateScheduleId) ?? []).map((v) => ({ ...v, scheduleCode: r.scheduleCode }));
    out.get(r.accountId)?.segments.push({
      serviceAgreementId: r.saId,
      serviceType: r.serviceType,
      status: r.status,
      serviceStart: r.serviceStart,
      serviceEnd: r.serviceEnd,
      meter: r.meterId
        ? {
            serialNumber: r.serialNumber,
            unit: r.unit,
            dialCount: r.dialCount,
            multiplier: r.multiplier,
            size: r.size,
          }
        : null,
      billedThrough: r.billedThrough,
      openingRead: read(r, 'p') ?? read(w, 'o'),
      closingRead: read(w, 'c'),
      rates,
      ...(r.meterId && segmentIntervalBasis(rates) !== 'none'
        ? { intervals: intervals.get(r.meterId) ?? null }
        : {}),
      ratingParams: r.ratingParams,
      nemState:
        r.nemCreditCents == null
          ? null
          : { kwhBank: r.nemKwhBank as Record<string, string>, creditCents: Number(r.nemCreditCents) },
      history: { sameSeasonLastYearDaily: r.sameSeasonDaily, recentDaily: r.recentDaily },
    } satisfies SegmentFacts);
  });
  return out;
}

/**
 * The intervals of each agreement whose tariff may bill from them (domain/interval-billing.ts), for its
 * billing window's local days, in one query for the page (db/intervals.ts).
 */
async function windowIntervals(
  sql: Sql,
  rows: Record<string, unknown>[],
  versions: Map<string, Omit<RateVersionFacts, 'scheduleCode'>[]>,
  period: { start: string; end: string },
  timeZone: string,
): Promise<Map<string, MeterIntervals>> {
  const byMeter = new Map<string, IntervalWindow>();
  for (const r of rows) {
    if (!r.meterId) continue;
    const rates = (versions.get(r.rateScheduleId as string) ?? []).map((v) => ({ ...v, scheduleCode: '' }));
    if (segmentIntervalBasis(rates) === 'none') continue;
    const w = serviceWindow({
      period,
      serviceStart: r.serviceStart as string,
      serviceEnd: r.serviceEnd as string | null,
      billedThrough: r.billedThrough as string | null,
    });
    if (!w) continue;
    const from = dayStartsAt(w.from, timeZone);
    const to = dayStartsAt(addDays(w.to, 1), timeZone);
    const seen = byMeter.get(r.meterId as string);
    // one meter on two agreements (rare): the union of their windows
    byMeter.set(r.meterId as string, {
      meterId: r.meterId as string,
      from: seen && seen.from < from ? seen.from : from,
      to: seen && seen.to > to ? seen.to : to,
    });
  }
  return intervalsForBilling(sql, [...byMeter.values()]);
}

/**
 * The opening and closing reads of each agreement's window, in one set-based query. The bounds come from
 * the one window rule (domain/billing-window.ts); SQL only picks the latest valid read inside them.
 */
async function windowReads(
  sql: Sql,
  rows: Record<string, unknown>[],
  period: { start: string; end: string },
  timeZone: string,
): Promise<Map<number, Record<string, unknown>>> {
  const b = {
    k: [] as number[],
    meter: [] as string[],
    openFrom: [] as (string | null)[],
    openBefore: [] as string[],
    closeAfter: [] as string[],
    closeBefore: [] as string[],
    pAt: [] as (string | null)[],
  };
  rows.forEach((r, i) => {
    if (!r.meterId) return;
    const w = serviceWindow(
      {
        period,
        serviceStart: r.serviceStart as string,
        serviceEnd: r.serviceEnd as string | null,
        billedThrough: r.billedThrough as string | null,
      },
      timeZone,
    );
    if (!w) return;
    b.k.push(i);
    b.meter.push(r.meterId as string);
    b.openFrom.push(w.openFrom);
    b.openBefore.push(w.openBefore);
    b.closeAfter.push(w.closeAfter);
    b.closeBefore.push(w.closeBefore);
    b.pAt.push(r.pReadAt ? (r.pReadAt as Date).toISOString() : null);
  });
  if (!b.k.length) return new Map();
  const found = await sql`
    select w.k, o.id as o_id, o.value::text as o_value, o.read_at as o_read_at, o.source as o_source,
           o.received_value::text as o_received,
           c.id as c_id, c.value::text as c_value, c.read_at as c_read_at, c.source as c_source,
           c.received_value::text as c_received
    from unnest(${b.k}::int[], ${b.meter}::text[], ${b.openFrom as never}::timestamptz[],
                ${b.openBefore}::timestamptz[], ${b.closeAfter}::timestamptz[], ${b.closeBefore}::timestamptz[],
                ${b.pAt as never}::timestamptz[])
         as w(k, meter_id, open_from, open_before, close_after, close_before, p_at)
    left join lateral (
      select * from meter_read r where w.p_at is null and r.meter_id = w.meter_id and r.quality = 'valid'
        and r.read_at < w.open_before and (w.open_from is null or r.read_at >= w.open_from)
      -- the latest read by the first day; for a move-in, the first read of its start day
      order by case when w.open_from is null then r.read_at end desc nulls last, r.read_at limit 1) o on true
    left join lateral (
      select * from meter_read r where r.meter_id = w.meter_id and r.quality = 'valid'
        and r.read_at < w.close_before and r.read_at >= w.close_after
        and r.read_at > coalesce(w.p_at, o.read_at, '-infinity'::timestamptz)
      order by r.read_at desc limit 1) c on true`;
  return new Map(found.map((f) => [f.k as number, f]));
}

/**
 * The journal entry key of a bill: one bill per account and period, however it was produced; a corrected
 * bill (revision n) has its own.
 */
export const billEntryKey = (accountId: string, period: string, revision = 0) =>
  revision ? `bill:${accountId}:${period}:r${revision}` : `bill:${accountId}:${period}`;

/** Stores one bill; see issueBills. */
export async function issueBill(
  sql: Sql,
  b: IssueBillInput,
): Promise<{ billId: string; totalCents: number; created: boolean }> {
  return (await issueBills(sql, [b]))[0]!;
}

/**
 * Stores bills, their segments and lines, and their journal entries in one transaction, set-based.
 * Idempotent: a bill whose account and period are already billed is skipped (unique key), and each
 * entry posts once (idempotency key), so a retried activity or a re-run bill run bills no one twice.
 */
export async function issueBills(
  sql: Sql,
  bills: IssueBillInput[],
): Promise<{ billId: string; totalCents: number; created: boolean }[]> {
  if (!bills.length) return [];
  return sql.begin((tx) => issueBillsTx(tx, bills));
}

const SEGMENT_COLUMNS: Column[] = [
  ['id', 'text'],
  ['bill_id', 'text'],
  ['service_agreement_id', 'text'],
  ['service_type', 'text'],
  ['start_read_id', 'text'],
  ['end_read_id', 'text'],
  ['consumption', 'numeric'],
  ['unit', 'text'],
  ['total_cents', 'bigint'],
];
const LINE_COLUMNS: Column[] = [
  ['id', 'text'],
  ['bill_segment_id', 'text'],
  ['seq', 'int'],
  ['description', 'text'],
  ['quantity', 'numeric'],
  ['unit', 'text'],
  ['unit_price', 'numeric'],
  ['amount_cents', 'bigint'],
  ['rate_version_id', 'text'],
  ['trace', 'jsonb'],
];
const NEM_COLUMNS: Column[] = [
  ['bill_segment_id', 'text'],
  ['service_agreement_id', 'text'],
  ['exported', 'numeric'],
  ['kwh_bank', 'jsonb'],
  ['credit_cents', 'bigint'],
  ['carry_cents', 'bigint'],
  ['expired_cents', 'bigint'],
];

/** issueBills inside the caller's transaction (a rebill cancels and re-issues atomically). */
export async function issueBillsTx(
  tx: Tx,
  bills: IssueBillInput[],
): Promise<{ billId: string; totalCents: number; created: boolean }[]> {
  {
    const rows = bills.map((b) => ({
      id: newId('bill'),
      accountId: b.accountId,
      period: b.period.key,
      periodStart: b.period.start,
      periodEnd: b.period.end,
      status: 'issued',
      billDate: b.billDate,
      dueDate: b.dueDate,
      totalCents: b.segments.reduce((n, s) => n + s.totalCents, 0),
      workflowId: b.workflowId,
      revision: b.replaces?.revision ?? 0,
      replacesBillId: b.replaces?.billId ?? null,
    }));
    const inserted = new Set((await insertBills(tx, rows)).map((r) => r.id));
    const fresh = rows.map((r, i) => ({ row: r, bill: bills[i]! })).filter((x) => inserted.has(x.row.id));
    const segRows: Record<string, unknown>[] = [];
    const lineRows: Record<string, unknown>[] = [];
    const nemRows: Record<string, unknown>[] = [];
    const entries: JournalEntry[] = [];
    for (const { row, bill } of fresh) {
      for (const s of bill.segments) {
        const segId = newId('seg');
        segRows.push({
          id: segId,
          bill_id: row.id,
          service_agreement_id: s.serviceAgreementId,
          service_type: s.serviceType,
          start_read_id: s.startReadId,
          end_read_id: s.endReadId,
          consumption: s.consumption,
          unit: s.unit,
          total_cents: s.totalCents,
        });
        if (s.nem)
          nemRows.push({
            bill_segment_id: segId,
            service_agreement_id: s.serviceAgreementId,
            exported: s.nem.exportedKwh,
            kwh_bank: s.nem.state.kwhBank,
            credit_cents: s.nem.state.creditCents,
            carry_cents: s.nem.carryCents,
            expired_cents: s.nem.expiredCents,
          });
        s.lines.forEach((l, i) => {
          lineRows.push({
            id: newId('line'),
            bill_segment_id: segId,
            seq: i + 1,
            description: l.description,
            // "15/31" (a prorated period) is not a number; the trace keeps it
            quantity: l.quantity && /^-?\d+(\.\d+)?$/.test(l.quantity) ? l.quantity : null,
            unit: l.unit,
            unit_price: l.unitPrice,
            amount_cents: l.amountCents,
            rate_version_id: l.rateVersionId,
            trace: { ...l.trace, quantity: l.quantity },
          });
        });
      }
      const e = billEntry({
        idempotencyKey: billEntryKey(bill.accountId, bill.period.key, bill.replaces?.revision),
        accountId: bill.accountId,
        billDate: bill.billDate,
        period: bill.period.key,
        segments: bill.segments,
      });
      if (e) entries.push(e);
    }
    await insertColumns(tx, 'bill_segment', SEGMENT_COLUMNS, segRows);
    await insertColumns(tx, 'bill_line', LINE_COLUMNS, lineRows);
    await insertColumns(tx, 'bill_segment_nem', NEM_COLUMNS, nemRows);
    if (entries.length)
      await postEntries(
        tx,
        entries,
        new Map(
          fresh.map((x) => [
            billEntryKey(x.bill.accountId, x.bill.period.key, x.bill.replaces?.revision),
            x.row.id,
          ]),
        ),
      );
    // bills that already existed report their stored totals
    const skipped = rows.filter((r) => !inserted.has(r.id));
    const stored = skipped.length
      ? (
          await tx<{ id: string; accountId: string; period: string; totalCents: number }[]>`
            select id, account_id, period, total_cents from bill
            where status <> 'cancelled' and account_id = any(${skipped.map((r) => r.accountId)}) and period = any(${[...new Set(skipped.map((r) => r.period))]})`
        ).filter((b) => skipped.some((r) => r.accountId === b.accountId && r.period === b.period))
      : [];
    const storedBy = new Map(stored.map((r) => [r.accountId, r]));
    return rows.map((r) => {
      if (inserted.has(r.id)) return { billId: r.id, totalCents: r.totalCents, created: true };
      const e = storedBy.get(r.accountId)!;
      return { billId: e.id, totalCents: e.totalCents, created: false };
    });
  }
}

/** A stored line as the bill explanation reads it, with its segment. */
export interface BillLineRow extends StoredLine {
  billSegmentId: string;
}

/** A bill's own row: its account, period, dates, status and total. */
export interface BillRow {
  id: string;
  accountId: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  status: string;
  billDate: string;
  dueDate: string;
  totalCents: number;
}

/** SQL: the columns of a BillRow, selected from `bill`. */
export const billRowColumns = (sql: Sql | Tx) =>
  sql`id, account_id, period, period_start::text, period_end::text, status, bill_date::text, due_date::text, total_cents`;

type StoredSegment = Pick<
  RatedSegment,
  'serviceAgreementId' | 'serviceType' | 'startReadId' | 'endReadId' | 'consumption' | 'unit' | 'totalCents'
>;

export interface BillDetail extends BillRow {
  workflowId: string | null;
  /** a stored segment: the rated segment's usage and total, its own id and its stored lines */
  segments: (StoredSegment & { id: string; lines: BillLineRow[] })[];
}

/** Whose bill it is (authorization asks before the bill is read); undefined if there is no such bill. */
export async function billAccountId(sql: Sql | Tx, billId: string): Promise<string | undefined> {
  const [b] = await sql<{ accountId: string }[]>`select account_id from bill where id = ${billId}`;
  return b?.accountId;
}

export async function billDetail(sql: Sql, billId: string): Promise<BillDetail | undefined> {
  const [bill] = await sql<Omit<BillDetail, 'segments'>[]>`
    select ${billRowColumns(sql)}, workflow_id from bill where id = ${billId}`;
  if (!bill) return undefined;
  const segments = await sql<Omit<BillDetail['segments'][number], 'lines'>[]>`
    select id, service_agreement_id, service_type, start_read_id, end_read_id, consumption::text, unit, total_cents
    from bill_segment where bill_id = ${billId} order by service_type`;
  const lines = await sql<BillLineRow[]>`
    select l.bill_segment_id, l.seq, l.description, l.quantity::text, l.unit, l.unit_price::text,
           l.amount_cents, l.rate_version_id, l.trace
    from bill_line l join bill_segment s on s.id = l.bill_segment_id where s.bill_id = ${billId} order by l.seq`;
  return {
    ...bill,
    segments: segments.map((s) => ({ ...s, lines: lines.filter((l) => l.billSegmentId === s.id) })),
  };
}

/**
 * Inserts bills, skipping any account and period already billed. Two issuers racing for one account both pass
 * the duplicate pre-check; the second then trips the no-day-billed-twice exclusion constraint (which ON
 * CONFLICT cannot name) while waiting on the first. Once the first has committed, the same insert, retried from
 * a savepoint, sees its bill and skips it. A real overlap with another period fails again and is raised.
 */
async function insertBills(tx: Tx, rows: Record<string, unknown>[], attempts = 3): Promise<{ id: string }[]> {
  for (let i = 1; ; i++) {
    try {
      return await tx.savepoint(
        (sp) =>
          sp<{ id: string }[]>`insert into bill ${sp(rows as never)}
            on conflict (account_id, period) where status <> 'cancelled' do nothing returning id`,
      );
    } catch (e) {
      if ((e as { code?: string }).code !== '23P01' || i >= attempts) throw e;
    }
  }
}
