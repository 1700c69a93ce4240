// The leak check's SQL: the signals per water meter from hourly interval data (the rule is in
// domain/leak.ts), the episodes they open, continue and close, the leak_suspected notice once per episode,
// and the episodes an account may see.
import {
  episodeStep,
  GALLONS_PER_UNIT,
  type LeakEvidence,
  type LeakKind,
  type LeakPolicy,
  type LeakSignal,
  leakEvidence,
} from '../domain/leak.js';
import { localDate } from '../domain/period.js';
import { newId } from '../lib/ids.js';
import { requireAccount } from './accounts.js';
import type { Sql, Tx } from './client.js';
import { delivered } from './interval-usage.js';
import { queueNotification } from './notifications.js';
import { inTenure, utilityTimeZone } from './tenure.js';

export interface MeterSignal extends LeakSignal {
  meterId: string;
  accountId: string;
  servicePointId: string;
}

/**
 * One set-based pass over every water meter whose current account's tenure covers `asOf`: the continuous
 * run ending at each meter's latest hour of data, and last night's lowest hour against the meter's own
 * nights before. Returns the meters with a signal, and those with an open episode (so it can be closed).
 */
export async function findLeakSignals(
  sql: Sql,
  asOf: Date,
  p: LeakPolicy,
  timeZone = utilityTimeZone(),
): Promise<MeterSignal[]> {
  const at = asOf.toISOString();
  const rows = await sql<
    {
      meterId: string;
      accountId: string;
      servicePointId: string;
      runHours: number | null;
      runStart: Date | null;
      atLeast: boolean;
      lowestHourly: string | null;
      covered: boolean;
      night: string;
      nightStart: Date;
      nightLowest: string | null;
      nightNormal: string | null;
      nightFlagged: boolean;
      nightCovered: boolean;
    }[]
  >`
    with m as (
      select mt.id as meter_id, sa.account_id, mi.service_point_id, mt.multiplier,
             coalesce((${sql.json(GALLONS_PER_UNIT)}::jsonb ->> mt.unit)::numeric, 1) as gal,
             greatest(mi.installed_at, (sa.start_date::timestamp at time zone ${timeZone})) as since
      from meter mt
      join meter_installation mi on mi.meter_id = mt.id
        and mi.installed_at <= ${at}::timestamptz and (mi.removed_at is null or mi.removed_at > ${at}::timestamptz)
      join service_agreement sa on sa.service_point_id = mi.service_point_id and sa.service_type = 'water'
        and ${inTenure(sql, sql`${at}::timestamptz`, 'sa', timeZone)}
      where mt.kind = 'water'
    ), w as (
      -- last night: the latest local date whose night window has ended by asOf; the run lookback's start
      select night, ${at}::timestamptz - make_interval(days => ${p.runLookbackDays}, hours => ${p.maxDataLagHours}) as run_lo,
             (night - ${p.baselineNights}::int)::timestamp at time zone ${timeZone} as base_lo,
             (night + make_interval(hours => ${p.nightStartHour}))::timestamp at time zone ${timeZone} as n_lo
      from (select ((${at}::timestamptz at time zone ${timeZone}) - make_interval(hours => ${p.nightEndHour}))::date as night) l
    ), h as (
      -- hourly gallons: the run lookback in full, and the night hours of the baseline nights
      select meter_id, hour, (hour at time zone ${timeZone}) as local, g
      from (
        select m.meter_id, date_trunc('hour', v.start_at, ${timeZone}) as hour, sum(v.value * m.multiplier * m.gal) as g
        from m cross join w
        join meter_interval v on v.meter_id = m.meter_id
          and v.start_at >= greatest(m.since, least(w.base_lo, w.run_lo)) and v.start_at < ${at}::timestamptz
        where ${delivered(sql, 'v')}
          and (v.start_at >= w.run_lo
               or extract(hour from v.start_at at time zone ${timeZone}) between ${p.nightStartHour} and ${p.nightEndHour - 1})
        group by 1, 2
      ) x
    ), recent as (
      select h.meter_id, h.hour, h.g, lag(h.hour) over (partition by h.meter_id order by h.hour) as prev,
             max(h.hour) over (partition by h.meter_id) as last_hour
      from h cross join w where h.hour >= w.run_lo
    ), run as (
      -- the run of hours with flow that ends at the meter's latest hour: it starts after the last dry hour,
      -- or at the first hour after a gap in the data
      select meter_id, max(last_hour) as last_hour, min(hour) as first_hour,
             max(case when g <= ${p.zeroFlowGallons}::numeric then hour + interval '1 hour'
                      when prev is distinct from hour - interval '1 hour' then hour end) as break_at,
             count(*) filter (where hour > last_hour - make_interval(hours => ${p.continuousHours})) as window_hours,
             min(g) filter (where hour > last_hour - make_interval(hours => ${p.continuousHours})) as lowest
      from recent group by meter_id
    ), c as (
      select meter_id, break_at as run_start, break_at = first_hour as at_least,
             (extract(epoch from last_hour + interval '1 hour' - break_at) / 3600)::int as run_hours,
             window_hours = ${p.continuousHours} as covered, trim_scale(lowest)::text as lowest
      from run cross join w
      where last_hour >= ${at}::timestamptz - make_interval(hours => ${p.maxDataLagHours})
    ), expected as (
      -- the hours each night's window has (3 on a spring-forward night)
      select d::date as night,
             extract(epoch from ((d::date + make_interval(hours => ${p.nightEndHour}))::timestamp at time zone ${timeZone})
               - ((d::date + make_interval(hours => ${p.nightStartHour}))::timestamp at time zone ${timeZone}))::int / 3600 as hours
      from w, generate_series(w.night - ${p.baselineNights}::int, w.night, interval '1 day') d
    ), nights as (
      -- each complete night's lowest hour (a night missing an hour of data says nothing)
      select h.meter_id, h.local::date as night, min(h.g) as lowest, count(*) as hours
      from h
      where extract(hour from h.local) between ${p.nightStartHour} and ${p.nightEndHour - 1}
      group by 1, 2
    ), n as (
      select nights.meter_id,
             max(nights.lowest) filter (where nights.night = w.night) as last_lowest,
             percentile_disc(0.5) within group (order by nights.lowest) filter (where nights.night < w.night) as normal,
             count(*) filter (where nights.night < w.night) as base_nights
      from nights join expected e on e.night = nights.night and e.hours = nights.hours cross join w
      group by nights.meter_id
    ), s as (
      select m.meter_id, m.account_id, m.service_point_id,
             c.run_hours, c.run_start, coalesce(c.at_least, false) as at_least, c.lowest as lowest_hourly,
             coalesce(c.covered, false) as covered,
             w.night::text as night, w.n_lo as night_start,
             trim_scale(n.last_lowest)::text as night_lowest, trim_scale(n.normal)::text as night_normal,
             coalesce(n.base_nights >= ${p.minBaselineNights}
               and n.last_lowest >= ${p.nightFloorGallons}::numeric
               and n.last_lowest > ${p.nightFactor}::numeric * n.normal, false) as night_flagged,
             coalesce(n.last_lowest is not null and n.base_nights >= ${p.minBaselineNights}, false) as night_covered
      from m cross join w
      left join c on c.meter_id = m.meter_id
      left join n on n.meter_id = m.meter_id
    )
    select s.* from s
    where (s.run_hours >= ${p.continuousHours} and s.covered) or s.night_flagged
       or exists (select 1 from leak_episode e where e.meter_id = s.meter_id and e.account_id = s.account_id
                  and e.status = 'open')`;
  return rows.map((r) => ({
    meterId: r.meterId,
    accountId: r.accountId,
    servicePointId: r.servicePointId,
    continuous:
      r.runHours !== null && r.runHours >= p.continuousHours && r.covered && r.runStart
        ? {
            runHours: r.runHours,
            since: r.runStart.toISOString(),
            atLeast: r.atLeast,
            lowestHourly: r.lowestHourly ?? '0',
          }
        : null,
    night: r.nightFlagged
      ? {
          night: r.night,
          since: r.nightStart.toISOString(),
          lowest: r.nightLowest ?? '0',
          normal: r.nightNormal ?? '0',
        }
      : null,
    continuousCovered: r.covered,
    nightCovered: r.nightCovered,
  }));
}

export interface LeakCheckResult {
  meters: number;
  opened: number;
  continued: number;
  closed: number;
  queued: number;
}

/**
 * Applies one check's signals: a new signal opens an episode and queues its one leak_suspected notice in the
 * same transaction (key per episode); a signal on an open episode updates its figures; complete data without
 * the signal closes it. Open episodes of an account that no longer has the meter (moved out) are closed.
 */
export async function recordLeakCheck(
  sql: Sql,
  asOf: Date,
  signals: MeterSignal[],
  timeZone = utilityTimeZone(),
): Promise<LeakCheckResult> {
  const result: LeakCheckResult = { meters: signals.length, opened: 0, continued: 0, closed: 0, queued: 0 };
  for (const s of signals) {
    await sql.begin(async (tx) => {
      // two checks at once (the schedule's and a catch-up) must not both open this meter's episode
      await tx`select pg_advisory_xact_lock(hashtext(${`leak-episode/${s.meterId}`}))`;
      const [open] = await tx<{ id: string; kind: LeakKind }[]>`
        select id, kind from leak_episode
        where meter_id = ${s.meterId} and account_id = ${s.accountId} and status = 'open' for update`;
      const step = episodeStep(s, open?.kind ?? null);
      const evidence = leakEvidence(s);
      if (step.action === 'open') {
        const id = newId('leak');
        await tx`
          insert into leak_episode (id, meter_id, service_point_id, account_id, kind, status, started_at, last_seen_at, evidence)
          values (${id}, ${s.meterId}, ${s.servicePointId}, ${s.accountId}, ${step.kind}, 'open', ${step.startedAt},
                  ${asOf.toISOString()}, ${tx.json(evidence as never)})`;
        const notificationId = await queueLeakNotice(tx, {
          id,
          accountId: s.accountId,
          kind: step.kind,
          since: localDate(Date.parse(step.startedAt), timeZone),
          evidence,
        });
        if (notificationId) {
          await tx`update leak_episode set notification_id = ${notificationId} where id = ${id}`;
          result.queued++;
        }
        result.opened++;
      } else if (step.action === 'continue' && open) {
        await tx`update leak_episode set last_seen_at = ${asOf.toISOString()}, evidence = ${tx.json(evidence as never)}
                 where id = ${open.id}`;
        result.continued++;
      } else if (step.action === 'close' && open) {
        await closeEpisode(tx, open.id, asOf);
        result.closed++;
      }
    });
  }
  // tenure: an episode belongs to the account that had the meter; when that account no longer does, it ends
  const gone = await sql`
    update leak_episode e set status = 'closed', closed_at = ${asOf.toISOString()}
    where e.status = 'open' and not exists (
      select 1 from meter_installation mi join service_agreement sa on sa.service_point_id = mi.service_point_id
      where mi.meter_id = e.meter_id and sa.account_id = e.account_id and sa.service_type = 'water'
        and mi.installed_at <= ${asOf.toISOString()}::timestamptz
        and (mi.removed_at is null or mi.removed_at > ${asOf.toISOString()}::timestamptz)
        and ${inTenure(sql, sql`${asOf.toISOString()}::timestamptz`, 'sa', timeZone)})
    returning e.id`;
  result.closed += gone.length;
  return result;
}

const closeEpisode = (tx: Tx, id: string, asOf: Date) =>
  tx`update leak_episode set status = 'closed', closed_at = ${asOf.toISOString()} where id = ${id}`;

function queueLeakNotice(
  tx: Tx,
  e: { id: string; accountId: string; kind: LeakKind; since: string; evidence: LeakEvidence },
) {
  return queueNotification(tx, {
    accountId: e.accountId,
    alert: 'leak_suspected',
    key: `leak_suspected/${e.id}`,
    data: { kind: e.kind, since: e.since, service: 'water', ...e.evidence },
  });
}

export interface LeakEpisode {
  id: string;
  kind: LeakKind;
  status: 'open' | 'closed';
  meterSerial: string;
  startedAt: string;
  /** the local date it started, for "Possible leak since Dec 2" */
  since: string;
  lastSeenAt: string;
  closedAt: string | null;
  evidence: LeakEvidence;
}

/** The account's leak episodes, open first then newest: only those found during its own tenure. */
export async function accountLeakEpisodes(
  sql: Sql,
  accountId: string,
  o: { limit?: number; timeZone?: string } = {},
): Promise<LeakEpisode[]> {
  await requireAccount(sql, accountId);
  const rows = await sql<
    {
      id: string;
      kind: LeakKind;
      status: 'open' | 'closed';
      meterSerial: string;
      startedAt: Date;
      lastSeenAt: Date;
      closedAt: Date | null;
      evidence: LeakEpisode['evidence'];
    }[]
  >`
    select e.id, e.kind, e.status, m.serial_number as meter_serial, e.started_at, e.last_seen_at, e.closed_at, e.evidence
    from leak_episode e join meter m on m.id = e.meter_id
    where e.account_id = ${accountId}
    order by e.status = 'open' desc, e.started_at desc limit ${o.limit ?? 20}`;
  const tz = o.timeZone ?? utilityTimeZone();
  return rows.map((r) => ({
    ...r,
    startedAt: r.startedAt.toISOString(),
    since: localDate(r.startedAt.getTime(), tz),
    lastSeenAt: r.lastSeenAt.toISOString(),
    closedAt: r.closedAt?.toISOString() ?? null,
  }));
}
