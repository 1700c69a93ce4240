// An account's usage history: monthly consumption per metered service, each month beside the same month a
// year before, from the meter reads its tenure covers.
import { addMonths } from '../domain/period.js';
import { requireAccount } from './accounts.js';
import type { Sql } from './client.js';
import { tenures } from './tenure.js';

/** Exact decimal sum of decimal strings (usage is never a float). */
export function addDecimals(xs: string[]): string {
  const scale = Math.max(0, ...xs.map((x) => x.split('.')[1]?.length ?? 0));
  let total = 0n;
  for (const x of xs) {
    const [w, f = ''] = x.split('.');
    total += BigInt(`${w}${f.padEnd(scale, '0')}`);
  }
  if (!scale) return total.toString();
  const s = total.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/\.?0+$/, '');
}

/**
 * Monthly consumption per service from the meter reads the account's tenure covers (db/tenure.ts): each
 * read's advance over the meter's previous read, times the meter's multiplier, counted in the month the
 * usage happened (a read on the 1st closes the month before). A register that wrapped past its dials counts
 * the wrap. Superseded and rejected reads are skipped. 404 if there is no such account.
 */
export async function usageHistory(sql: Sql, accountId: string, months: number, lastPeriod: string) {
  await requireAccount(sql, accountId);
  const first = addMonths(lastPeriod, -(months - 1));
  const from = addMonths(first, -12); // last year's months for the comparison
  const rows = await sql<
    { serviceType: string; unit: string; serial: string; spId: string; period: string; quantity: string }[]
  >`
    with t as (${tenures(sql, accountId)}), m as (
      select t.agreement_id, t.service_type, t.service_point_id, mt.id as meter_id, mt.unit, mt.serial_number,
             mt.multiplier, mt.dial_count, mi.installed_at, mi.removed_at, t.from_at, t.to_at
      from t
      join meter_installation mi on mi.service_point_id = t.service_point_id
      join meter mt on mt.id = mi.meter_id
    ), r as (
      -- each tenure's first read is its baseline: usage before it was someone else's
      select m.service_type, m.service_point_id, m.unit, m.serial_number, m.multiplier, m.dial_count, mr.read_at,
             mr.value - lag(mr.value) over (partition by m.meter_id, m.agreement_id order by mr.read_at) as advance
      from m join meter_read mr on mr.meter_id = m.meter_id
      where mr.read_at >= ${`${addMonths(from, -1)}-01`}::timestamptz
        and mr.read_at < (${`${addMonths(lastPeriod, 1)}-01`}::date + 1)::timestamptz
        and mr.read_at >= m.installed_at and (m.removed_at is null or mr.read_at <= m.removed_at)
        and mr.read_at >= m.from_at and (m.to_at is null or mr.read_at < m.to_at)
        and mr.quality <> 'rejected'
        and not exists (select 1 from meter_read s where s.supersedes_id = mr.id)
    )
    select service_type, unit, serial_number as serial, service_point_id as sp_id,
           to_char((read_at at time zone 'UTC') - interval '1 day', 'YYYY-MM') as period,
           sum((case when advance < 0 then advance + power(10::numeric, dial_count) else advance end) * multiplier)::text as quantity
    from r where advance is not null
    group by 1, 2, 3, 4, 5`;
  const periods = Array.from({ length: months }, (_, i) => addMonths(first, i));
  const byService = new Map<
    string,
    { unit: string; meters: Set<string>; sps: Set<string>; q: Map<string, string[]> }
  >();
  for (const r of rows) {
    const s = byService.get(r.serviceType) ?? {
      unit: r.unit,
      meters: new Set(),
      sps: new Set(),
      q: new Map(),
    };
    s.meters.add(r.serial);
    s.sps.add(r.spId);
    s.q.set(r.period, [...(s.q.get(r.period) ?? []), r.quantity]);
    byService.set(r.serviceType, s);
  }
  const norm = (x: string[] | undefined) => (x ? addDecimals(x) : null);
  const services = [...byService.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([serviceType, s]) => {
      const usage = periods.map((period) => ({
        period,
        quantity: norm(s.q.get(period)),
        lastYear: norm(s.q.get(addMonths(period, -12))),
      }));
      const lastYears = usage.map((u) => u.lastYear).filter((x): x is string => x !== null);
      return {
        serviceType,
        unit: s.unit,
        meters: [...s.meters].sort(),
        servicePointIds: [...s.sps].sort(),
        usage,
        totals: {
          quantity: addDecimals(usage.map((u) => u.quantity ?? '0')),
          lastYear: lastYears.length === usage.length ? addDecimals(lastYears) : null,
        },
      };
    });
  return { periods, services };
}
