// What a bill needs (agreements, meters, reads, rate versions) and how an issued bill is stored.
import type { AccountFacts, RatedSegment, RateVersionFacts, SegmentFacts } from '../domain/bill-calc.js';
import { billEntry, type JournalEntry } from '../domain/ledger.js';
import type { RegisterRead } from '../domain/reads.js';
import { newId } from '../lib/ids.js';
import { insertMany } from './bulk.js';
import type { Sql, Tx } from './client.js';
import { postEntries } from './ledger.js';
import { inTenure } from './tenure.js';

export interface BillingInputs extends AccountFacts {
  accountId: string;
  accountNumber: string;
  billingCycle: string;
  existingBill: { id: string; totalCents: number; status: string } | null;
}

/**
 * Read boundaries: a period's opening read is the last valid read taken on or before its first day;
 * its closing read is the last valid read on or before the day after its last day (the next period's
 * opening read), so consecutive periods share a read and no usage is billed twice or skipped. Days are UTC.
 */
export async function loadBillingInputs(
  sql: Sql,
  accountId: string,
  period: { key: string; start: string; end: string },
): Promise<BillingInputs | null> {
  return (await loadBillingInputsMany(sql, [accountId], period)).get(accountId) ?? null;
}

/** The same facts for many accounts at once, in five set-based queries: what a bill run pages through. */
export async function loadBillingInputsMany(
  sql: Sql,
  accountIds: string[],
  period: { key: string; start: string; end: string },
): Promise<Map<string, BillingInputs>> {
  const out = new Map<string, BillingInputs>();
  if (!accountIds.length) return out;
  const [accounts, existing, rows, winters] = await Promise.all([
    sql<{ id: string; accountNumber: string; billingCycle: string; flags: string[] }[]>`
      select id, account_number, billing_cycle, flags from account where id = any(${accountIds})`,
    sql<{ accountId: string; id: string; totalCents: number; status: string }[]>`
      select account_id, id, total_cents, status from bill
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
             o.id as o_id, o.value::text as o_value, o.read_at as o_read_at, o.source as o_source,
             c.id as c_id, c.value::text as c_value, c.read_at as c_read_at, c.source as c_source,
             p.id as p_id, p.value::text as p_value, p.read_at as p_read_at, p.source as p_source
      from service_agreement sa
      join rate_schedule rs on rs.id = sa.rate_schedule_id
      left join meter_installation mi on mi.service_point_id = sa.service_point_id
        and mi.installed_at < (${period.end}::date + 1) and (mi.removed_at is null or mi.removed_at > ${period.start}::date)
      left join meter m on m.id = mi.meter_id
      -- reads only from the account's own tenure (db/tenure.ts): a new occupant's first bill opens on the
      -- move-in read, not on the previous occupant's last one
      left join lateral (
        select * from meter_read r where r.meter_id = m.id and r.quality = 'valid'
          and r.read_at < (greatest(${period.start}::date, sa.start_date) + 1) and ${inTenure(sql, sql`r.read_at`, 'sa')}
        order by r.read_at desc limit 1) o on true
      left join lateral (
        select * from meter_read r where r.meter_id = m.id and r.quality = 'valid' and r.read_at < (${period.end}::date + 2)
          and r.read_at > (${period.start}::date + 1) and ${inTenure(sql, sql`r.read_at`, 'sa')}
        order by r.read_at desc limit 1) c on true
      -- the read the last bill ended on opens this one, even an estimate: the true-up bills from it
      left join lateral (
        select r.* from bill_segment bs join bill b on b.id = bs.bill_id join meter_read r on r.id = bs.end_read_id
        where bs.service_agreement_id = sa.id and b.status = 'issued' and b.period < ${period.key} and r.meter_id = m.id
        order by b.period desc limit 1) p on true
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
  const read = (r: Record<string, unknown>, p: 'o' | 'c' | 'p'): RegisterRead | null =>
    r[`${p}Id`]
      ? {
          id: r[`${p}Id`] as string,
          value: r[`${p}Value`] as string,
          readAt: (r[`${p}ReadAt`] as Date).toISOString(),
          source: r[`${p}Source`] as RegisterRead['source'],
        }
      : null;
  const existingBy = new Map(
    existing.map((e) => [e.accountId, { id: e.id, totalCents: e.totalCents, status: e.status }]),
  );
  const winterBy = new Map(winters.map((w) => [w.accountId, w.avg]));
  for (const a of accounts) {
    out.set(a.id, {
      accountId: a.id,
      accountNumber: a.accountNumber,
      billingCycle: a.billingCycle,
      flags: a.flags,
      winterAverage: winterBy.get(a.id) ?? null,
      existingBill: existingBy.get(a.id) ?? null,
      segments: [],
    });
  }
  for (const r of rows) {
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
      openingRead: read(r, 'p') ?? read(r, 'o'),
      closingRead: read(r, 'c'),
      rates: (versions.get(r.rateScheduleId) ?? []).map((v) => ({ ...v, scheduleCode: r.scheduleCode })),
      ratingParams: r.ratingParams,
      history: { sameSeasonLastYearDaily: r.sameSeasonDaily, recentDaily: r.recentDaily },
    } satisfies SegmentFacts);
  }
  return out;
}

export interface IssueBillInput {
  accountId: string;
  period: { key: string; start: string; end: string };
  billDate: string;
  dueDate: string;
  workflowId: string;
  segments: RatedSegment[];
  /** a corrected bill (cancel/rebill) replacing a cancelled one for the same period */
  replaces?: { billId: string; revision: number };
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
    const inserted = new Set(
      (
        await tx<
          { id: string }[]
        >`insert into bill ${tx(rows as never)} on conflict (account_id, period) where status <> 'cancelled' do nothing returning id`
      ).map((r) => r.id),
    );
    const fresh = rows.map((r, i) => ({ row: r, bill: bills[i]! })).filter((x) => inserted.has(x.row.id));
    const segRows: Record<string, unknown>[] = [];
    const lineRows: Record<string, unknown>[] = [];
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
    await insertMany(tx, 'bill_segment', segRows);
    await insertMany(tx, 'bill_line', lineRows);
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

export interface BillLineRow {
  billSegmentId: string;
  seq: number;
  description: string;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  amountCents: number;
  rateVersionId: string | null;
  trace: Record<string, unknown>;
}

export interface BillDetail {
  id: string;
  accountId: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  status: string;
  billDate: string;
  dueDate: string;
  totalCents: number;
  workflowId: string | null;
  segments: {
    id: string;
    serviceAgreementId: string;
    serviceType: string;
    startReadId: string | null;
    endReadId: string | null;
    consumption: string | null;
    unit: string | null;
    totalCents: number;
    lines: BillLineRow[];
  }[];
}

export async function billDetail(sql: Sql, billId: string): Promise<BillDetail | undefined> {
  const [bill] = await sql<Omit<BillDetail, 'segments'>[]>`
    select id, account_id, period, period_start::text, period_end::text, status, bill_date::text,
           due_date::text, total_cents, workflow_id from bill where id = ${billId}`;
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
