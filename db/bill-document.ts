// Everything printed on a bill, gathered in one place so the PDF, the portal and the staff view agree.

import { disconnectState, pastDueOn } from '../domain/collections.js';
import type { BillLanguage } from '../domain/date-format.js';
import { add, dec, decToString, ZERO } from '../domain/decimal.js';
import { addMonths, daysBetween } from '../domain/period.js';
import { billDetail } from './billing.js';
import type { Sql } from './client.js';
import { accountCharges } from './collections.js';
import { addressLines, type MailingAddress, mailingAddressJoin } from './mailing-address.js';

export interface BillDocumentData {
  billId: string;
  accountNumber: string;
  customerName: string;
  /** the customer's language: every label on the bill is printed in it */
  language: BillLanguage;
  /** where the bill is mailed as of its issue (db/mailing-address.ts): the envelope window's lines under the name */
  mailingAddress: string[];
  /** the premise served */
  serviceAddress: string[];
  paperless: boolean;
  /** `days`: both ends counted */
  period: { key: string; start: string; end: string; days: number };
  billDate: string;
  dueDate: string;
  reads: {
    service: string;
    meter: string;
    unit: string;
    start: { value: string; date: string; estimated: boolean } | null;
    end: { value: string; date: string; estimated: boolean } | null;
    usage: string | null;
  }[];
  /** a service billed from interval data: how many, how many estimated, kWh per TOU period, the peak */
  intervals: {
    service: string;
    unit: string;
    count: number;
    estimated: number;
    byPeriod: { period: string; quantity: string }[];
    /** local time with its offset, e.g. 2026-11-17T18:00-06:00 */
    peak: { kw: string; at: string } | null;
  }[];
  /**
   * One per metered service on the bill: this bill's usage, the usage on the account's bill for the same
   * month a year before (null: no bill then), and the 13 months from that one to this bill's, oldest first
   * (usage null: no bill that month).
   */
  usage: {
    service: string;
    unit: string;
    usage: string;
    lastYear: string | null;
    months: { period: string; usage: string | null }[];
  }[];
  segments: {
    service: string;
    totalCents: number;
    lines: {
      description: string;
      quantity: string | null;
      unit: string | null;
      unitPrice: string | null;
      amountCents: number;
    }[];
  }[];
  previousBalanceCents: number;
  paymentsCents: number;
  adjustmentsCents: number;
  currentChargesCents: number;
  amountDueCents: number;
  /**
   * What of the balance before this bill was past due on the bill date (unpaid charges due before it, the
   * oldest paid first: `pastDueOn`, the past-due banner's rule), as the ledger stood when the bill was made;
   * null when nothing was.
   */
  pastDue: { cents: number; oldestDueDate: string } | null;
  /**
   * The disconnect the account's open collections case had scheduled when the bill was made (its final
   * notice's date) and what had to be paid to avoid it (the past-due amount); null when none was.
   */
  disconnection: { on: string; amountCents: number } | null;
}

/** "3640.2900" -> "3640.29": exact, only trailing zeros go (a register's reading, shown ungrouped) */
const trimZeros = (d: string) => (d.includes('.') ? d.replace(/\.?0+$/, '') : d);

export async function billDocumentData(sql: Sql, billId: string): Promise<BillDocumentData | undefined> {
  const bill = await billDetail(sql, billId);
  if (!bill) return undefined;
  const [acct] = await sql<
    {
      accountNumber: string;
      customerName: string;
      language: string;
      paperless: boolean;
      mail: MailingAddress;
    }[]
  >`
    select a.account_number, c.name as customer_name, c.language, a.paperless,
           json_build_object('line1', mail.line1, 'line2', mail.line2, 'city', mail.city, 'state', mail.state,
                             'postalCode', mail.postal_code) as mail
    from account a join customer c on c.id = a.customer_id
      ${mailingAddressJoin(sql, sql`(select created_at from bill where id = ${billId})`)}
    where a.id = ${bill.accountId}`;
  const [prem] = await sql<MailingAddress[]>`
    select p.address_line1 as line1, p.address_line2 as line2, p.city, p.state, p.postal_code from service_agreement sa
    join service_point sp on sp.id = sa.service_point_id join premise p on p.id = sp.premise_id
    where sa.account_id = ${bill.accountId} order by sa.service_type limit 1`;
  const reads = await sql<
    {
      serviceType: string;
      serial: string;
      unit: string;
      consumption: string | null;
      sv: string | null;
      sd: Date | null;
      ss: string | null;
      ev: string | null;
      ed: Date | null;
      es: string | null;
    }[]
  >`
    select s.service_type, m.serial_number as serial, m.unit, s.consumption::text,
           r1.value::text as sv, r1.read_at as sd, r1.source as ss, r2.value::text as ev, r2.read_at as ed, r2.source as es
    from bill_segment s
    join meter_read r2 on r2.id = s.end_read_id
    join meter m on m.id = r2.meter_id
    left join meter_read r1 on r1.id = s.start_read_id
    where s.bill_id = ${billId} order by s.service_type`;
  // metered services: the ones with reads; usage by period from the account's issued bills, for the chart
  // (13 months to this bill's) and the same month a year before
  // a segment billed from intervals has no reads; its trace keeps what the intervals gave
  const intervals = bill.segments.flatMap((g) => {
    const iv = g.lines.find((l) => l.trace.intervals)?.trace.intervals as
      | {
          intervals: number;
          estimated: number;
          byPeriod?: { period: string; kwh: string }[];
          peak?: { kw: string; at: string };
        }
      | undefined;
    return iv
      ? [
          {
            service: g.serviceType,
            unit: g.unit ?? '',
            count: iv.intervals,
            estimated: iv.estimated,
            byPeriod: (iv.byPeriod ?? []).map((p) => ({ period: p.period, quantity: p.kwh })),
            peak: iv.peak ?? null,
          },
        ]
      : [];
  });
  const metered = [...new Set([...reads.map((r) => r.serviceType), ...intervals.map((i) => i.service)])];
  const lastYear = addMonths(bill.period, -12);
  const billed = metered.length
    ? await sql<{ serviceType: string; period: string; usage: string }[]>`
        select s.service_type, b.period, sum(s.consumption)::text as usage
        from bill b join bill_segment s on s.bill_id = b.id
        where b.account_id = ${bill.accountId} and b.status = 'issued' and s.consumption is not null
          and s.service_type in ${sql(metered)} and b.period >= ${lastYear} and b.period <= ${bill.period}
        group by 1, 2 order by 1, 2`
    : [];
  // The account's story since its last bill, from the ledger, in accounting order (effective date, then
  // entry id): what it owed at the last bill, what came in since, what this bill adds. The three windows
  // partition the ledger, so previous - payments + adjustments + current charges = amount due, always.
  const [entry] = await sql<{ id: string; effectiveOn: string; createdAt: Date }[]>`
    select id, effective_on::text, created_at from journal_entry where bill_id = ${billId} and kind = 'bill'`;
  const [prev] = await sql<{ id: string; effectiveOn: string }[]>`
    select j.id, j.effective_on::text from journal_entry j join bill b on b.id = j.bill_id
    where b.account_id = ${bill.accountId} and j.kind = 'bill' and b.period < ${bill.period} order by b.period desc limit 1`;
  const ar = `ar:${bill.accountId}`;
  const upTo = entry ?? { id: '~', effectiveOn: '9999-12-31' };
  const since = prev ?? { id: '', effectiveOn: '0001-01-01' };
  const [sums] = await sql<{ previous: number; payments: number; other: number; due: number }[]>`
    with e as (
      select p.amount_cents, j.kind,
             (j.effective_on, j.id) <= (${since.effectiveOn}::date, ${since.id}::text) as before,
             (j.effective_on, j.id) < (${upTo.effectiveOn}::date, ${upTo.id}::text) as until,
             (j.effective_on, j.id) <= (${upTo.effectiveOn}::date, ${upTo.id}::text) as through
      from posting p join journal_entry j on j.id = p.journal_entry_id where p.ledger_account_id = ${ar})
    select coalesce(sum(amount_cents) filter (where before), 0)::bigint as previous,
           coalesce(-sum(amount_cents) filter (where not before and until and kind = 'payment'), 0)::bigint as payments,
           coalesce(sum(amount_cents) filter (where not before and until and kind <> 'payment'), 0)::bigint as other,
           coalesce(sum(amount_cents) filter (where through), 0)::bigint as due
    from e`;
  // past due and a scheduled disconnect, as of the bill: the ledger before its own entry, the case and its
  // trail as they stood when it was made, so a reprint prints the same
  const { charges } = await accountCharges(sql, bill.accountId, {
    effectiveOn: upTo.effectiveOn,
    id: upTo.id,
    knownAt: entry?.createdAt ?? null,
  });
  const past = pastDueOn(charges, bill.billDate);
  const trail = await sql<{ event: string; detail: { disconnectOn?: string } }[]>`
    select e.event, e.detail from bill b
    join collection_case c on c.account_id = b.account_id and c.opened_at <= b.created_at
      and (c.closed_at is null or c.closed_at > b.created_at)
    join case_event e on e.subject_type = 'collection' and e.subject_id = c.id and e.created_at <= b.created_at
    where b.id = ${billId} order by e.id`;
  const disconnect = disconnectState(trail);
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');
  return {
    billId,
    accountNumber: acct!.accountNumber,
    customerName: acct!.customerName,
    language: acct!.language === 'es' ? 'es' : 'en',
    mailingAddress: acct!.mail.line1 ? addressLines(acct!.mail) : [],
    serviceAddress: prem ? addressLines(prem) : [],
    paperless: acct!.paperless,
    period: {
      key: bill.period,
      start: bill.periodStart,
      end: bill.periodEnd,
      days: daysBetween(bill.periodStart, bill.periodEnd) + 1,
    },
    billDate: bill.billDate,
    dueDate: bill.dueDate,
    reads: reads.map((r) => ({
      service: r.serviceType,
      meter: r.serial,
      unit: r.unit,
      start: r.sv ? { value: trimZeros(r.sv), date: day(r.sd), estimated: r.ss === 'estimated' } : null,
      end: r.ev ? { value: trimZeros(r.ev), date: day(r.ed), estimated: r.es === 'estimated' } : null,
      usage: r.consumption,
    })),
    intervals,
    usage: metered.map((service) => {
      const months = billed.filter((b) => b.serviceType === service);
      const segs = bill.segments.filter((g) => g.serviceType === service && g.consumption !== null);
      return {
        service,
        unit: (reads.find((r) => r.serviceType === service)?.unit ??
          intervals.find((i) => i.service === service)?.unit)!,
        // the segments' own usage, so a bill not yet issued still shows its figure
        usage: decToString(segs.reduce((t, g) => add(t, dec(g.consumption!)), ZERO)),
        lastYear: months.find((m) => m.period === lastYear)?.usage ?? null,
        months: Array.from({ length: 13 }, (_, i) => addMonths(lastYear, i)).map((period) => ({
          period,
          usage: months.find((m) => m.period === period)?.usage ?? null,
        })),
      };
    }),
    segments: bill.segments.map((s) => ({
      service: s.serviceType,
      totalCents: s.totalCents,
      lines: s.lines.map((l) => ({
        description: l.description,
        // the trace keeps what the column cannot: "16/31" of a period, "3%" of a subtotal
        quantity: (l.trace.quantity as string | undefined) ?? l.quantity,
        unit: l.unit,
        unitPrice: (l.trace.unitPrice as string | undefined) ?? l.unitPrice,
        amountCents: l.amountCents,
      })),
    })),
    previousBalanceCents: sums!.previous,
    paymentsCents: sums!.payments,
    adjustmentsCents: sums!.other,
    currentChargesCents: bill.totalCents,
    amountDueCents: sums!.due,
    pastDue: past.pastDueCents > 0 ? { cents: past.pastDueCents, oldestDueDate: past.oldestDueDate! } : null,
    disconnection:
      disconnect.allowedOn && !disconnect.disconnected && past.pastDueCents > 0
        ? { on: disconnect.allowedOn, amountCents: past.pastDueCents }
        : null,
  };
}
