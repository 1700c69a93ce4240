// What a bill needs (agreements, meters, reads, rate versions) and how an issued bill is stored.
import type { AccountFacts, RatedSegment, RateVersionFacts, SegmentFacts } from '../domain/bill-calc.js';
import { billEntry } from '../domain/ledger.js';
import type { RegisterRead } from '../domain/reads.js';
import { newId } from '../lib/ids.js';
import type { Sql } from './client.js';
import { postEntry } from './ledger.js';

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
  const [acct] = await sql<{ accountNumber: string; billingCycle: string; flags: string[] }[]>`
    select account_number, billing_cycle, flags from account where id = ${accountId}`;
  if (!acct) return null;
  const [existing] = await sql<{ id: string; totalCents: number; status: string }[]>`
    select id, total_cents, status from bill where account_id = ${accountId} and period = ${period.key}`;
  const rows = await sql`
    select sa.id as sa_id, sa.service_type, sa.status, sa.start_date::text as service_start, sa.end_date::text as service_end,
           sa.rating_params, rs.code as schedule_code,
           (select coalesce(jsonb_agg(jsonb_build_object('id', v.id, 'effectiveFrom', v.effective_from::text, 'tariff', v.tariff)
                    order by v.effective_from), '[]'::jsonb)
              from rate_version v where v.rate_schedule_id = sa.rate_schedule_id and v.effective_from <= ${period.end}::date) as rates,
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
           c.id as c_id, c.value::text as c_value, c.read_at as c_read_at, c.source as c_source
    from service_agreement sa
    join rate_schedule rs on rs.id = sa.rate_schedule_id
    left join meter_installation mi on mi.service_point_id = sa.service_point_id
      and mi.installed_at < (${period.end}::date + 1) and (mi.removed_at is null or mi.removed_at > ${period.start}::date)
    left join meter m on m.id = mi.meter_id
    left join lateral (
      select * from meter_read r where r.meter_id = m.id and r.quality = 'valid' and r.read_at < (${period.start}::date + 1)
      order by r.read_at desc limit 1) o on true
    left join lateral (
      select * from meter_read r where r.meter_id = m.id and r.quality = 'valid' and r.read_at < (${period.end}::date + 2)
        and r.read_at > (${period.start}::date + 1)
      order by r.read_at desc limit 1) c on true
    where sa.account_id = ${accountId}
      and sa.start_date <= ${period.end}::date and (sa.end_date is null or sa.end_date >= ${period.start}::date)
      and sa.status <> 'pending'
    order by sa.service_type, sa.id`;
  // last winter's average monthly water use, for sewer charges capped at the winter average
  const [winter] = await sql<{ avg: string | null }[]>`
    select round(avg(s.consumption), 9)::text as avg from bill_segment s join bill b on b.id = s.bill_id
    where b.account_id = ${accountId} and s.service_type = 'water' and b.status = 'issued'
      and extract(month from b.period_start) in (12, 1, 2) and b.period_start > ${period.start}::date - 365`;
  const read = (r: Record<string, unknown>, p: 'o' | 'c'): RegisterRead | null =>
    r[`${p}Id`]
      ? {
          id: r[`${p}Id`] as string,
          value: r[`${p}Value`] as string,
          readAt: (r[`${p}ReadAt`] as Date).toISOString(),
          source: r[`${p}Source`] as RegisterRead['source'],
        }
      : null;
  return {
    accountId,
    accountNumber: acct.accountNumber,
    billingCycle: acct.billingCycle,
    flags: acct.flags,
    winterAverage: winter?.avg ?? null,
    existingBill: existing ?? null,
    segments: rows.map(
      (r): SegmentFacts => ({
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
        openingRead: read(r, 'o'),
        closingRead: read(r, 'c'),
        rates: (r.rates as Omit<RateVersionFacts, 'scheduleCode'>[]).map((v) => ({
          ...v,
          scheduleCode: r.scheduleCode,
        })),
        ratingParams: r.ratingParams,
        history: { sameSeasonLastYearDaily: r.sameSeasonDaily, recentDaily: r.recentDaily },
      }),
    ),
  };
}

export interface IssueBillInput {
  accountId: string;
  period: { key: string; start: string; end: string };
  billDate: string;
  dueDate: string;
  workflowId: string;
  segments: RatedSegment[];
}

/**
 * Stores the bill, its segments and lines, and its journal entry in one transaction.
 * Idempotent: the (account, period) unique key and the entry's idempotency key make a retry a no-op.
 */
export async function issueBill(
  sql: Sql,
  b: IssueBillInput,
): Promise<{ billId: string; totalCents: number; created: boolean }> {
  return sql.begin(async (tx) => {
    const [existing] = await tx<{ id: string; totalCents: number }[]>`
      select id, total_cents from bill where account_id = ${b.accountId} and period = ${b.period.key} for update`;
    if (existing) return { billId: existing.id, totalCents: existing.totalCents, created: false };
    const billId = newId('bill');
    const total = b.segments.reduce((n, s) => n + s.totalCents, 0);
    await tx`
      insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents, workflow_id)
      values (${billId}, ${b.accountId}, ${b.period.key}, ${b.period.start}, ${b.period.end}, 'issued',
              ${b.billDate}, ${b.dueDate}, ${total}, ${b.workflowId})`;
    const segRows = b.segments.map((s) => ({ ...s, id: newId('seg') }));
    if (segRows.length) {
      await tx`insert into bill_segment ${tx(
        segRows.map((s) => ({
          id: s.id,
          billId,
          serviceAgreementId: s.serviceAgreementId,
          serviceType: s.serviceType,
          startReadId: s.startReadId,
          endReadId: s.endReadId,
          consumption: s.consumption,
          unit: s.unit,
          totalCents: s.totalCents,
        })),
      )}`;
      const lineRows = segRows.flatMap((s) =>
        s.lines.map((l, i) => ({
          id: newId('line'),
          billSegmentId: s.id,
          seq: i + 1,
          description: l.description,
          // "15/31" (a prorated period) is not a number; the trace keeps it
          quantity: l.quantity && /^-?\d+(\.\d+)?$/.test(l.quantity) ? l.quantity : null,
          unit: l.unit,
          unitPrice: l.unitPrice,
          amountCents: l.amountCents,
          rateVersionId: l.rateVersionId,
          trace: tx.json({ ...l.trace, quantity: l.quantity } as never),
        })),
      );
      if (lineRows.length) await tx`insert into bill_line ${tx(lineRows)}`;
    }
    const entry = billEntry({
      idempotencyKey: `${b.workflowId}/bill`,
      accountId: b.accountId,
      billDate: b.billDate,
      period: b.period.key,
      segments: b.segments,
    });
    if (entry) await postEntry(tx, entry, { billId });
    return { billId, totalCents: total, created: true };
  });
}

export async function billDetail(sql: Sql, billId: string) {
  const [bill] =
    await sql`select id, account_id, period, period_start::text, period_end::text, status, bill_date::text,
    due_date::text, total_cents, workflow_id from bill where id = ${billId}`;
  if (!bill) return undefined;
  const segments = await sql`select id, service_agreement_id, service_type, start_read_id, end_read_id,
    consumption::text, unit, total_cents from bill_segment where bill_id = ${billId} order by service_type`;
  const lines =
    await sql`select l.bill_segment_id, l.seq, l.description, l.quantity::text, l.unit, l.unit_price::text,
    l.amount_cents, l.rate_version_id, l.trace
    from bill_line l join bill_segment s on s.id = l.bill_segment_id where s.bill_id = ${billId} order by l.seq`;
  return {
    ...bill,
    segments: segments.map((s) => ({ ...s, lines: lines.filter((l) => l.billSegmentId === s.id) })),
  };
}
