// What-if for rate cases: re-rate an account's recent bills of one service under a proposed tariff,
// using the usage each bill recorded, and compare with what was billed.

import { rateByMonth } from '../domain/bill-calc.js';
import { dec } from '../domain/decimal.js';
import type { Tariff } from '../domain/tariff.js';
import type { Sql } from './client.js';

export async function whatIf(sql: Sql, accountId: string, tariff: Tariff, months = 12) {
  const rows = await sql<
    {
      billId: string;
      period: string;
      periodStart: string;
      periodEnd: string;
      consumption: string | null;
      totalCents: number;
      water: string | null;
      size: string | null;
      flags: string[];
    }[]
  >`
    select b.id as bill_id, b.period, b.period_start::text, b.period_end::text, s.consumption::text, s.total_cents,
           (select sum(w.consumption)::text from bill_segment w where w.bill_id = b.id and w.service_type = 'water') as water,
           (select m.size from meter m join meter_read r on r.meter_id = m.id where r.id = s.end_read_id) as size,
           a.flags
    from bill b join bill_segment s on s.bill_id = b.id join account a on a.id = b.account_id
    where b.account_id = ${accountId} and s.service_type = ${tariff.service} and b.status = 'issued'
    order by b.period desc limit ${months}`;
  const bills = rows.reverse().map((r) => {
    // the stored bill's own days: a final bill across months is re-rated month by month, as it was billed
    const proposed = rateByMonth([{ id: 'proposed', effectiveFrom: '1900-01-01', tariff }], {
      periodStart: r.periodStart,
      periodEnd: r.periodEnd,
      usage: r.consumption ? dec(r.consumption) : undefined,
      waterUsage: r.water ? dec(r.water) : undefined,
      meterSize: r.size ?? undefined,
      flags: r.flags,
    }).totalCents;
    return {
      billId: r.billId,
      period: r.period,
      usage: r.consumption,
      currentCents: r.totalCents,
      proposedCents: proposed,
      differenceCents: proposed - r.totalCents,
    };
  });
  const sum = (k: 'currentCents' | 'proposedCents') => bills.reduce((n, b) => n + b[k], 0);
  return {
    service: tariff.service,
    bills,
    currentCents: sum('currentCents'),
    proposedCents: sum('proposedCents'),
    differenceCents: sum('proposedCents') - sum('currentCents'),
  };
}
