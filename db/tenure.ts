// Tenure: the meter data an account may see and be billed for is what was read while one of its service
// agreements ran at that service point, from the start of the agreement's first day to the end of its last
// (whole days in the utility's time zone). The meter's installation dates say which meter served the
// premise, not who lived there: a new occupant never sees, or pays for, the previous occupant's usage.
// Usage history, the account's read list, bills and Green Button downloads all use this one rule.
import type { Sql } from './client.js';

/** The utility's IANA time zone, as the API and workers are configured (UTILITY_TIME_ZONE, default UTC). */
export const utilityTimeZone = () => process.env.UTILITY_TIME_ZONE?.trim() || 'UTC';

/**
 * SQL for the instants the agreement `alias` (a service_agreement row in the query) runs between:
 * `from` is the start of its start date, `to` the start of the day after its end date (null while open).
 */
export function tenureBounds(sql: Sql, alias: string, timeZone = utilityTimeZone()) {
  const sa = sql(alias);
  return {
    from: sql`(${sa}.start_date::timestamp at time zone ${timeZone})`,
    to: sql`((${sa}.end_date + 1)::timestamp at time zone ${timeZone})`,
  };
}

/** SQL: true when the instant `at` (a column or expression) falls within agreement `alias`'s tenure. */
export function inTenure(sql: Sql, at: ReturnType<Sql>, alias: string, timeZone = utilityTimeZone()) {
  const t = tenureBounds(sql, alias, timeZone);
  return sql`(${at} >= ${t.from} and (${sql(alias)}.end_date is null or ${at} < ${t.to}))`;
}

/**
 * SQL for a subquery of the account's tenures, one row per agreement: agreement_id, account_id,
 * service_point_id, service_type, from_at, to_at (null while the agreement runs).
 */
export function tenures(sql: Sql, accountId: string, timeZone = utilityTimeZone()) {
  const t = tenureBounds(sql, 'sa', timeZone);
  return sql`
    select sa.id as agreement_id, sa.account_id, sa.service_point_id, sa.service_type,
           ${t.from} as from_at, ${t.to} as to_at
    from service_agreement sa where sa.account_id = ${accountId}`;
}

/**
 * The span of an account's tenure at one service point: from the start of its first agreement there to the
 * end of its last (to: null while one still runs). Null when it never had an agreement there.
 */
export async function tenureSpan(
  sql: Sql,
  servicePointId: string,
  accountId: string,
  timeZone = utilityTimeZone(),
): Promise<{ from: Date; to: Date | null } | null> {
  const [w] = await sql<{ from: Date | null; to: Date | null; open: boolean }[]>`
    select min(from_at) as from, max(to_at) as to, bool_or(to_at is null) as open
    from (${tenures(sql, accountId, timeZone)}) t where t.service_point_id = ${servicePointId}`;
  if (!w?.from) return null;
  return { from: w.from, to: w.open ? null : w.to };
}
