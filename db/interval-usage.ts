// Hourly and daily usage from interval data (meter_interval), per metered service, for the days of one
// account's tenure only (db/tenure.ts): a new occupant never sees the previous occupant's hours. Days and
// hours are the utility's local ones: a spring-forward day has 23 hours, a fall-back day 25.
// Every read of meter_interval for usage goes through this file (the leak check reads it in db/leaks.ts).
import { estimateDayCents } from '../domain/daily-cost.js';
import { addDays, dayStartsAt } from '../domain/period.js';
import type { RateVersion } from '../domain/rate-engine.js';
import { parseTariff } from '../domain/tariff.js';
import type { Granularity } from '../domain/usage-range.js';
import { requireAccount } from './accounts.js';
import type { Sql } from './client.js';
import { tenures, utilityTimeZone } from './tenure.js';
import { addDecimals } from './usage.js';

/** The channel usage is: 0, delivered to the premise (1 is received: a solar customer's export). */
export const DELIVERED_CHANNEL = 0;
/** SQL: the interval row `alias` is delivered usage (the one place the channel is chosen). */
export const delivered = (sql: Sql, alias: string) => sql`${sql(alias)}.channel = ${DELIVERED_CHANNEL}`;

export interface UsagePoint {
  /** hour: the instant it starts (ISO, UTC); day: the local date */
  start: string;
  /** hour: the local wall clock "YYYY-MM-DDTHH:MM"; day: the local date */
  local: string;
  /** null: no interval data for it */
  quantity: string | null;
  /** by day only: the day's estimated cost in cents under the tariff (null when none can be given) */
  estimatedCents?: number | null;
}

export interface ServiceUsage {
  serviceType: string;
  unit: string;
  meters: string[];
  points: UsagePoint[];
  totals: { quantity: string; estimatedCents?: number | null };
}

/**
 * SQL for the account's meters while its tenure ran, cut to [lo, hi): service_type, agreement_id,
 * rate_schedule_id, meter_id, serial_number, unit, multiplier, size, lo, hi.
 */
function tenureMeters(sql: Sql, accountId: string, lo: string, hi: string, timeZone: string) {
  return sql`
    select t.agreement_id, t.service_type, sa.rate_schedule_id, mt.id as meter_id, mt.serial_number, mt.unit,
           mt.multiplier, mt.size,
           greatest(t.from_at, mi.installed_at, ${lo}::timestamptz) as lo,
           least(coalesce(t.to_at, 'infinity'), coalesce(mi.removed_at, 'infinity'), ${hi}::timestamptz) as hi
    from (${tenures(sql, accountId, timeZone)}) t
    join service_agreement sa on sa.id = t.agreement_id
    join meter_installation mi on mi.service_point_id = t.service_point_id
    join meter mt on mt.id = mi.meter_id
    where mi.installed_at < ${hi}::timestamptz and (mi.removed_at is null or mi.removed_at > ${lo}::timestamptz)
      and t.from_at < ${hi}::timestamptz and (t.to_at is null or t.to_at > ${lo}::timestamptz)`;
}

/**
 * The account's usage per metered service from `from` to `to` (local dates, inclusive) by hour or by day:
 * every hour or day of the range, null where there is no data. By day, each day carries an estimated cost
 * from the tariff of the agreement that ran that day (domain/daily-cost.ts). 404 if there is no such account.
 */
export async function intervalUsage(
  sql: Sql,
  accountId: string,
  o: { granularity: Granularity; from: string; to: string; timeZone?: string },
): Promise<ServiceUsage[]> {
  await requireAccount(sql, accountId);
  const tz = o.timeZone ?? utilityTimeZone();
  const lo = dayStartsAt(o.from, tz);
  const hi = dayStartsAt(addDays(o.to, 1), tz);
  const byHour = o.granularity === 'hour';
  const meters = await sql<
    {
      serviceType: string;
      agreementId: string;
      rateScheduleId: string;
      serialNumber: string;
      unit: string;
      size: string | null;
    }[]
  >`select distinct service_type, agreement_id, rate_schedule_id, serial_number, unit, size
    from (${tenureMeters(sql, accountId, lo, hi, tz)}) m where m.lo < m.hi order by 1, 4`;
  if (!meters.length) return [];
  const bucket = byHour
    ? sql`date_trunc('hour', v.start_at, ${tz})`
    : sql`(v.start_at at time zone ${tz})::date`;
  const series = byHour
    ? sql`select g as b from generate_series(${lo}::timestamptz, ${hi}::timestamptz - interval '1 hour', interval '1 hour') g`
    : sql`select d::date as b from generate_series(${o.from}::date, ${o.to}::date, interval '1 day') d`;
  const label = byHour
    ? sql`to_char(g.b at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as start,
          to_char(g.b at time zone ${tz}, 'YYYY-MM-DD"T"HH24:MI') as local`
    : sql`g.b::text as start, g.b::text as local`;
  const rows = await sql<{ serviceType: string; start: string; local: string; quantity: string | null }[]>`
    with m as (${tenureMeters(sql, accountId, lo, hi, tz)}),
    u as (
      select m.service_type, ${bucket} as b, trim_scale(sum(v.value * m.multiplier))::text as quantity
      from m join meter_interval v on v.meter_id = m.meter_id and v.start_at >= m.lo and v.start_at < m.hi
      where ${delivered(sql, 'v')}
      group by 1, 2
    ), s as (select distinct service_type from m), g as (${series})
    select s.service_type, ${label}, u.quantity
    from s cross join g left join u on u.service_type = s.service_type and u.b = g.b
    order by s.service_type, g.b`;
  const cost = byHour ? null : await dayCosts(sql, accountId, meters, o.to);
  const services = new Map<string, ServiceUsage>();
  for (const m of meters) {
    const s = services.get(m.serviceType) ?? {
      serviceType: m.serviceType,
      unit: m.unit,
      meters: [],
      points: [],
      totals: { quantity: '0' },
    };
    if (!s.meters.includes(m.serialNumber)) s.meters.push(m.serialNumber);
    services.set(m.serviceType, s);
  }
  for (const r of rows) {
    const s = services.get(r.serviceType)!;
    const point: UsagePoint = { start: r.start, local: r.local, quantity: r.quantity };
    if (cost) point.estimatedCents = r.quantity === null ? null : cost(r.serviceType, r.start, r.quantity);
    s.points.push(point);
  }
  for (const s of services.values()) {
    s.totals.quantity = addDecimals(s.points.map((p) => p.quantity ?? '0'));
    if (cost) {
      const priced = s.points.filter((p) => p.quantity !== null);
      s.totals.estimatedCents = priced.some((p) => p.estimatedCents === null)
        ? null
        : priced.reduce((n, p) => n + (p.estimatedCents ?? 0), 0);
    }
  }
  return [...services.values()];
}

/** Prices one service's day under the rate versions of the agreement that ran that day. */
async function dayCosts(
  sql: Sql,
  accountId: string,
  meters: { serviceType: string; agreementId: string; rateScheduleId: string; size: string | null }[],
  to: string,
) {
  const agreementIds = [...new Set(meters.map((m) => m.agreementId))];
  const [agreements, versions, [account]] = await Promise.all([
    sql<
      { id: string; serviceType: string; rateScheduleId: string; startDate: string; endDate: string | null }[]
    >`
      select id, service_type, rate_schedule_id, start_date::text, end_date::text
      from service_agreement where id = any(${agreementIds})`,
    sql<{ rateScheduleId: string; id: string; effectiveFrom: string; tariff: unknown }[]>`
      select rate_schedule_id, id, effective_from::text, tariff from rate_version
      where rate_schedule_id = any(${[...new Set(meters.map((m) => m.rateScheduleId))]})
        and effective_from <= ${to}::date order by effective_from`,
    sql<{ flags: string[] }[]>`select flags from account where id = ${accountId}`,
  ]);
  const bySchedule = new Map<string, RateVersion[]>();
  for (const v of versions) {
    let tariff: RateVersion['tariff'];
    try {
      tariff = parseTariff(v.tariff);
    } catch {
      continue; // a version the engine cannot read prices nothing: its days show no estimate
    }
    bySchedule.set(v.rateScheduleId, [
      ...(bySchedule.get(v.rateScheduleId) ?? []),
      { id: v.id, effectiveFrom: v.effectiveFrom, tariff },
    ]);
  }
  const sizeOf = new Map(meters.map((m) => [m.agreementId, m.size ?? undefined]));
  return (serviceType: string, day: string, quantity: string): number | null => {
    const sa = agreements.find(
      (a) => a.serviceType === serviceType && a.startDate <= day && (a.endDate === null || day <= a.endDate),
    );
    if (!sa) return null;
    return estimateDayCents(bySchedule.get(sa.rateScheduleId) ?? [], day, quantity, {
      meterSize: sizeOf.get(sa.id),
      flags: account?.flags ?? [],
    });
  };
}
