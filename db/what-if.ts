// What-if for rate cases: re-rate an account's recent bills of one service under a proposed tariff,
// using the usage each bill recorded, and compare with what was billed. A net-metered account's bills are
// re-rated in order from the kWh they imported and exported, each handed the credit and kWh bank the one
// before left, starting from what its bill before the window carried.

import { rateByMonth } from '../domain/bill-calc.js';
import { type Dec, dec } from '../domain/decimal.js';
import { EMPTY_NEM_STATE, type NemState, rateNemMonth } from '../domain/net-metering.js';
import { loadTariff, type TariffSource } from '../domain/preview.js';
import { billedUsageContext } from '../domain/rate-impact.js';
import type { Tariff } from '../domain/tariff.js';
import { requireAccount } from './accounts.js';
import type { Sql } from './client.js';

/**
 * The what-if the API asks for: the account must exist (404) before the proposed tariff, in any format
 * loadTariff reads, is loaded and applied (its errors are the caller's input: the error map says which).
 */
export async function accountWhatIf(sql: Sql, accountId: string, proposed: TariffSource, months?: number) {
  await requireAccount(sql, accountId);
  const { tariff } = loadTariff(proposed);
  return whatIf(sql, accountId, tariff, months);
}

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
      exported: string | null;
      nemBefore: { kwhBank: Record<string, string>; creditCents: number } | null;
    }[]
  >`
    select b.id as bill_id, b.period, b.period_start::text, b.period_end::text, s.consumption::text, s.total_cents,
           (select sum(w.consumption)::text from bill_segment w where w.bill_id = b.id and w.service_type = 'water') as water,
           (select m.size from meter m join meter_read r on r.meter_id = m.id where r.id = s.end_read_id) as size,
           a.flags,
           (select trim_scale(n.exported)::text from bill_segment_nem n where n.bill_segment_id = s.id) as exported,
           -- what the agreement's bill before this one carried (net metering)
           (select json_build_object('kwhBank', n.kwh_bank, 'creditCents', n.credit_cents)
              from bill_segment_nem n join bill_segment ps on ps.id = n.bill_segment_id join bill pb on pb.id = ps.bill_id
              where ps.service_agreement_id = s.service_agreement_id and pb.status = 'issued' and pb.period < b.period
              order by pb.period desc limit 1) as nem_before
    from bill b join bill_segment s on s.bill_id = b.id join account a on a.id = b.account_id
    where b.account_id = ${accountId} and s.service_type = ${tariff.service} and b.status = 'issued'
    order by b.period desc limit ${months}`;
  const ordered = rows.reverse();
  const versions = [{ id: 'proposed', effectiveFrom: '1900-01-01', tariff }];
  const exporter = ordered.some((r) => r.exported !== null);
  let state: NemState = ordered[0]?.nemBefore
    ? { kwhBank: ordered[0].nemBefore.kwhBank, creditCents: Number(ordered[0].nemBefore.creditCents) }
    : EMPTY_NEM_STATE;
  const bills = ordered.map((r) => {
    const ctx = billedUsageContext({ ...r, meterSize: r.size });
    let proposed: number;
    if (tariff.netMetering) {
      const exported = (r.exported ? dec(r.exported) : 0n) as Dec;
      const nem = rateNemMonth(
        versions,
        ctx,
        [{ start: `${r.periodStart}T00:00`, minutes: 0, value: exported }],
        tariff.netMetering,
        state,
      );
      state = nem.state;
      proposed = nem.totalCents;
    } else {
      // the stored bill's own days: a final bill across months is re-rated month by month, as it was billed
      proposed = rateByMonth(versions, ctx).totalCents;
    }
    return {
      billId: r.billId,
      period: r.period,
      usage: r.consumption,
      ...(r.exported !== null ? { exported: r.exported } : {}),
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
    ...(tariff.netMetering ? { carriedCreditCents: state.creditCents, kwhBank: state.kwhBank } : {}),
    warnings:
      exporter && !tariff.netMetering
        ? [
            'the account exported energy, and the proposed tariff has no netMetering: exports earn nothing under it',
          ]
        : [],
  };
}
