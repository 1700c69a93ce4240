// Everything printed on a bill, gathered in one place so the PDF, the portal and the staff view agree.

import { billDetail } from './billing.js';
import type { Sql } from './client.js';

export interface BillDocumentData {
  billId: string;
  accountNumber: string;
  customerName: string;
  serviceAddress: string[];
  paperless: boolean;
  period: { key: string; start: string; end: string };
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
  usageHistory: { service: string; unit: string; months: { period: string; usage: string }[] } | null;
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
}

/** "3640.2900" -> "3640.29": exact, only trailing zeros go */
export const trimZeros = (d: string) => (d.includes('.') ? d.replace(/\.?0+$/, '') : d);

export async function billDocumentData(sql: Sql, billId: string): Promise<BillDocumentData | undefined> {
  const bill = await billDetail(sql, billId);
  if (!bill) return undefined;
  const [acct] = await sql<{ accountNumber: string; customerName: string; paperless: boolean }[]>`
    select a.account_number, c.name as customer_name, a.paperless from account a join customer c on c.id = a.customer_id
    where a.id = ${bill.accountId}`;
  const [prem] = await sql<
    { addressLine1: string; addressLine2: string | null; city: string; state: string; postalCode: string }[]
  >`
    select p.address_line1, p.address_line2, p.city, p.state, p.postal_code from service_agreement sa
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
  const main = reads.find((r) => r.serviceType === 'water') ?? reads[0];
  const history = main
    ? await sql<{ period: string; usage: string }[]>`
        select b.period, s.consumption::text as usage from bill b join bill_segment s on s.bill_id = b.id
        where b.account_id = ${bill.accountId} and s.service_type = ${main.serviceType} and b.status = 'issued'
          and b.period <= ${bill.period} order by b.period desc limit 13`
    : [];
  // The account's story since its last bill, from the ledger, in accounting order (effective date, then
  // entry id): what it owed at the last bill, what came in since, what this bill adds. The three windows
  // partition the ledger, so previous - payments + adjustments + current charges = amount due, always.
  const [entry] = await sql<{ id: string; effectiveOn: string }[]>`
    select id, effective_on::text from journal_entry where bill_id = ${billId} and kind = 'bill'`;
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
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');
  return {
    billId,
    accountNumber: acct!.accountNumber,
    customerName: acct!.customerName,
    serviceAddress: prem
      ? [
          prem.addressLine1,
          ...(prem.addressLine2 ? [prem.addressLine2] : []),
          `${prem.city}, ${prem.state} ${prem.postalCode}`,
        ]
      : [],
    paperless: acct!.paperless,
    period: { key: bill.period, start: bill.periodStart, end: bill.periodEnd },
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
    usageHistory: main
      ? { service: main.serviceType, unit: main.unit, months: [...history].reverse() }
      : null,
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
  };
}
