// Rate schedules and their effective-dated tariff versions: create, add a version, list, diff, who is on one.

import { parseTariff, type Tariff } from '../domain/tariff.js';
import { diffTariffs } from '../domain/tariff-diff.js';
import { newId } from '../lib/ids.js';
import type { Sql } from './client.js';
import { noSuch, Refused } from './refused.js';
import { likeLiteral } from './search.js';

/** A new schedule with its first version, in one transaction. */
export async function createRateSchedule(
  sql: Sql,
  s: { code: string; name: string; serviceType: string; effectiveFrom: string; tariff: Tariff },
) {
  const id = newId('rs');
  const rateVersionId = newId('rv');
  await sql.begin(async (tx) => {
    await tx`insert into rate_schedule (id, code, name, service_type) values (${id}, ${s.code}, ${s.name}, ${s.serviceType})`;
    await tx`insert into rate_version (id, rate_schedule_id, effective_from, tariff)
      values (${rateVersionId}, ${id}, ${s.effectiveFrom}, ${tx.json(s.tariff as never)})`;
  });
  return { id, rateVersionId };
}

/**
 * Adopts a new tariff version on a date. The tariff must parse (a TariffError names the field) and price the
 * schedule's service; the date must come after the latest version's, and after every bill already issued on
 * the schedule, so no issued bill would have been priced differently (a retroactive change is a rebill).
 * The schedule row is locked, so two versions added at once cannot both pass the check.
 */
export async function addRateVersion(
  sql: Sql,
  scheduleId: string,
  v: { effectiveFrom: string; tariff: unknown },
) {
  const tariff = parseTariff(v.tariff);
  return sql.begin(async (tx) => {
    const [s] = await tx<{ serviceType: string }[]>`
      select service_type from rate_schedule where id = ${scheduleId} for update`;
    if (!s) throw noSuch('rate schedule', scheduleId);
    if (tariff.service !== s.serviceType)
      throw new Refused(
        `the tariff is for ${tariff.service}, the schedule for ${s.serviceType}`,
        'parameter_invalid',
        'tariff.service',
      );
    const [last] = await tx<{ latest: string | null; billedThrough: string | null }[]>`
      select (select max(effective_from)::text from rate_version where rate_schedule_id = ${scheduleId}) as latest,
        (select max(b.period_end)::text from bill b
           join bill_segment bs on bs.bill_id = b.id
           join service_agreement sa on sa.id = bs.service_agreement_id
         where sa.rate_schedule_id = ${scheduleId} and b.status <> 'cancelled') as billed_through`;
    if (last?.latest && v.effectiveFrom <= last.latest)
      throw new Refused(
        `effectiveFrom must be after the latest version's (${last.latest})`,
        'rate_version_not_after_latest',
        'effectiveFrom',
      );
    if (last?.billedThrough && v.effectiveFrom <= last.billedThrough)
      throw new Refused(
        `effectiveFrom falls in a period already billed on this schedule (through ${last.billedThrough}); a retroactive rate is a rebill`,
        'rate_version_overlaps_billed',
        'effectiveFrom',
      );
    const id = newId('rv');
    await tx`insert into rate_version (id, rate_schedule_id, effective_from, tariff)
      values (${id}, ${scheduleId}, ${v.effectiveFrom}, ${tx.json(tariff as never)})`;
    return { id, rateScheduleId: scheduleId, effectiveFrom: v.effectiveFrom, tariff };
  });
}

export interface RateScheduleFilter {
  serviceType?: string;
  /** the start of a code or a word of the name */
  q?: string;
  limit: number;
  startingAfter?: string;
}

/** Schedules by id (creation order), each with its versions' span and how many agreements it prices now. */
export async function listRateSchedules(sql: Sql, f: RateScheduleFilter) {
  const rows = await sql<
    {
      id: string;
      code: string;
      name: string;
      serviceType: string;
      versions: number;
      firstEffectiveFrom: string | null;
      latestEffectiveFrom: string | null;
      latestVersionId: string | null;
      activeAgreements: number;
    }[]
  >`
    select rs.id, rs.code, rs.name, rs.service_type,
      (select count(*)::int from rate_version v where v.rate_schedule_id = rs.id) as versions,
      (select min(effective_from)::text from rate_version v where v.rate_schedule_id = rs.id) as first_effective_from,
      lv.effective_from::text as latest_effective_from, lv.id as latest_version_id,
      (select count(*)::int from service_agreement sa
        where sa.rate_schedule_id = rs.id and sa.status <> 'closed') as active_agreements
    from rate_schedule rs
    left join lateral (select id, effective_from from rate_version v where v.rate_schedule_id = rs.id
      order by effective_from desc limit 1) lv on true
    where true
      ${f.serviceType ? sql`and rs.service_type = ${f.serviceType}` : sql``}
      ${f.q ? sql`and (starts_with(lower(rs.code), lower(${f.q})) or rs.name ilike ${`%${likeLiteral(f.q)}%`})` : sql``}
      ${f.startingAfter ? sql`and rs.id > ${f.startingAfter}` : sql``}
    order by rs.id limit ${f.limit + 1}`;
  return { data: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

async function requireSchedule(sql: Sql, id: string) {
  const [s] = await sql`select 1 from rate_schedule where id = ${id}`;
  if (!s) throw noSuch('rate schedule', id);
}

export interface RateVersionRow {
  id: string;
  effectiveFrom: string;
  /** the day before the next version takes over; null for the latest */
  effectiveTo: string | null;
  createdAt: Date;
  tariff: Tariff;
}

/** A schedule's versions, oldest first (a schedule has a handful: no paging). */
export async function listRateVersions(sql: Sql, scheduleId: string): Promise<RateVersionRow[]> {
  await requireSchedule(sql, scheduleId);
  return sql<RateVersionRow[]>`
    select id, effective_from::text, created_at, tariff,
      (lead(effective_from) over (order by effective_from) - 1)::text as effective_to
    from rate_version where rate_schedule_id = ${scheduleId} order by effective_from`;
}

/**
 * Two versions of one schedule compared; without ids, the latest against the one before it.
 * A version id that is not the schedule's is missing (404 naming the parameter).
 */
export async function diffRateVersions(sql: Sql, scheduleId: string, ids: { from?: string; to?: string }) {
  const versions = await listRateVersions(sql, scheduleId);
  const pick = (id: string | undefined, fallback: RateVersionRow | undefined, param: string) => {
    const v = id ? versions.find((x) => x.id === id) : fallback;
    if (!v) throw noSuch('rate version of this schedule', id ?? '(previous)', param);
    return v;
  };
  const to = pick(ids.to, versions.at(-1), 'to');
  const from = pick(ids.from, versions[versions.indexOf(to) - 1], 'from');
  return {
    from: { id: from.id, effectiveFrom: from.effectiveFrom },
    to: { id: to.id, effectiveFrom: to.effectiveFrom },
    // both normalised by the parser, so a default it fills in is not a change
    ...diffTariffs(parseTariff(from.tariff, { preview: true }), parseTariff(to.tariff, { preview: true })),
  };
}

/** The service agreements a schedule prices (open ones unless `status` says otherwise), by agreement id. */
export async function listScheduleAgreements(
  sql: Sql,
  scheduleId: string,
  f: { status?: string; limit: number; startingAfter?: string },
) {
  await requireSchedule(sql, scheduleId);
  const rows = await sql<
    {
      id: string;
      accountId: string;
      accountNumber: string;
      customerName: string;
      customerClass: string;
      status: string;
      startDate: string;
      endDate: string | null;
      addressLine1: string;
    }[]
  >`
    select sa.id, sa.account_id, a.account_number, c.name as customer_name, a.customer_class, sa.status,
      sa.start_date::text, sa.end_date::text, p.address_line1
    from service_agreement sa join account a on a.id = sa.account_id join customer c on c.id = a.customer_id
    join service_point sp on sp.id = sa.service_point_id join premise p on p.id = sp.premise_id
    where sa.rate_schedule_id = ${scheduleId}
      ${f.status ? sql`and sa.status = ${f.status}` : sql`and sa.status <> 'closed'`}
      ${f.startingAfter ? sql`and sa.id > ${f.startingAfter}` : sql``}
    order by sa.id limit ${f.limit + 1}`;
  return { data: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}
