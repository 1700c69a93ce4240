// Rate-change impact reports: what a proposed tariff would have billed every active account on a schedule
// over its last 12 billed months, against the version in effect. Made by the rate-impact workflow in pages
// (workflows/rate-impact.ts); rating is domain/rate-impact.ts, the same rateByMonth the bill run uses.

import { addMonths } from '../domain/period.js';
import {
  type AccountImpact,
  type BilledUsage,
  type ImpactFigures,
  impactFigures,
  impactRater,
  soleVersion,
} from '../domain/rate-impact.js';
import type { Tariff } from '../domain/tariff.js';
import { parseTariff } from '../domain/tariff.js';
import { newId } from '../lib/ids.js';
import type { Sql } from './client.js';
import { noSuch, Refused } from './refused.js';

/** The agreements an impact report rates: open ones that bill (not waiting to start, not closed). */
const RATED_AGREEMENT = `sa.status not in ('pending', 'closed')`;

export type Proposal = { versionId: string; tariff?: undefined } | { tariff: unknown; versionId?: undefined };

/**
 * A new report, pending until its workflow runs. The proposal is a version of this schedule not yet in
 * effect on `today`, or a tariff document (it must parse: a TariffError names the field, and price the
 * schedule's service). The current version is the one in effect on `today`; the months rated are the 12
 * calendar months before today's.
 */
export async function createImpactReport(
  sql: Sql,
  scheduleId: string,
  p: Proposal,
  o: { today: string; userId: string | null },
) {
  if ((p.versionId === undefined) === (p.tariff === undefined))
    throw new Refused('give exactly one of versionId and tariff', 'parameter_invalid', 'versionId');
  const document = p.tariff !== undefined ? parseTariff(p.tariff) : null;
  const [s] = await sql<{ serviceType: string; currentId: string | null }[]>`
    select rs.service_type,
      (select id from rate_version v where v.rate_schedule_id = rs.id and v.effective_from <= ${o.today}
        order by effective_from desc limit 1) as current_id
    from rate_schedule rs where rs.id = ${scheduleId}`;
  if (!s) throw noSuch('rate schedule', scheduleId);
  if (!s.currentId)
    throw new Refused(`no version of this schedule is in effect on ${o.today}`, 'parameter_invalid', 'id');
  let proposed: Tariff;
  if (document) {
    if (document.service !== s.serviceType)
      throw new Refused(
        `the tariff is for ${document.service}, the schedule for ${s.serviceType}`,
        'parameter_invalid',
        'tariff.service',
      );
    proposed = document;
  } else {
    const [v] = await sql<{ effectiveFrom: string; tariff: Tariff }[]>`
      select effective_from::text, tariff from rate_version
      where id = ${p.versionId!} and rate_schedule_id = ${scheduleId}`;
    if (!v) throw noSuch('rate version of this schedule', p.versionId!, 'versionId');
    if (v.effectiveFrom <= o.today)
      throw new Refused(
        `version ${p.versionId} is already in effect (since ${v.effectiveFrom}); propose one not yet effective`,
        'parameter_invalid',
        'versionId',
      );
    proposed = v.tariff;
  }
  const monthsTo = addMonths(o.today.slice(0, 7), -1);
  const row = {
    id: newId('rir'),
    rateScheduleId: scheduleId,
    serviceType: s.serviceType,
    currentVersionId: s.currentId,
    proposedVersionId: p.versionId ?? null,
    monthsFrom: addMonths(monthsTo, -11),
    monthsTo,
  };
  await sql`insert into rate_impact_report
    (id, rate_schedule_id, service_type, current_version_id, proposed_version_id, proposed_tariff,
     months_from, months_to, requested_by)
    values (${row.id}, ${scheduleId}, ${s.serviceType}, ${s.currentId}, ${row.proposedVersionId},
      ${sql.json(proposed as never)}, ${row.monthsFrom}, ${row.monthsTo}, ${o.userId})`;
  return row;
}

/** Page boundaries (the account id each page starts after) over the accounts the report rates. */
export async function planImpactPages(sql: Sql, reportId: string, pageSize: number) {
  const [r] = await sql<{ rateScheduleId: string }[]>`
    select rate_schedule_id from rate_impact_report where id = ${reportId}`;
  if (!r) throw noSuch('rate impact report', reportId);
  const rows = await sql<{ id: string; n: number }[]>`
    select a.id, (row_number() over (order by a.id))::int as n from account a
    where a.status = 'active' and exists (select 1 from service_agreement sa where sa.account_id = a.id
      and sa.rate_schedule_id = ${r.rateScheduleId} and ${sql.unsafe(RATED_AGREEMENT)})
    order by a.id`;
  const starts = [''];
  for (const x of rows) if (x.n % pageSize === 0 && x.n < rows.length) starts.push(x.id);
  await sql`update rate_impact_report set status = 'running', accounts = ${rows.length}
    where id = ${reportId} and status in ('pending', 'running')`;
  return { total: rows.length, starts };
}

interface ReportTerms {
  rateScheduleId: string;
  serviceType: string;
  monthsFrom: string;
  monthsTo: string;
  currentTariff: Tariff;
  proposedTariff: Tariff;
}

async function reportTerms(sql: Sql, reportId: string): Promise<ReportTerms> {
  const [r] = await sql<ReportTerms[]>`
    select r.rate_schedule_id, r.service_type, r.months_from, r.months_to, v.tariff as current_tariff,
      r.proposed_tariff
    from rate_impact_report r join rate_version v on v.id = r.current_version_id where r.id = ${reportId}`;
  if (!r) throw noSuch('rate impact report', reportId);
  return r;
}

/**
 * One page of accounts: their billed months on the schedule loaded with one query, each account rated on
 * both tariffs, and its row written (a retried page replaces its own rows). An account that cannot be rated
 * is reported, not stored; one with no billed month in the window is skipped.
 */
export async function rateImpactPage(sql: Sql, reportId: string, after: string, pageSize: number) {
  const t = await reportTerms(sql, reportId);
  const rows = await sql<
    (BilledUsage & { accountId: string; accountNumber: string; customerClass: string })[]
  >`
    with page as (
      select a.id, a.account_number, a.customer_class, a.flags from account a
      where a.status = 'active' and a.id > ${after}
        and exists (select 1 from service_agreement sa where sa.account_id = a.id
          and sa.rate_schedule_id = ${t.rateScheduleId} and ${sql.unsafe(RATED_AGREEMENT)})
      order by a.id limit ${pageSize})
    select p.id as account_id, p.account_number, p.customer_class, p.flags,
      b.period_start::text, b.period_end::text, s.consumption::text, m.size as meter_size,
      ${
        t.serviceType === 'sewer'
          ? sql`(select sum(w.consumption)::text from bill_segment w where w.bill_id = b.id and w.service_type = 'water')`
          : sql`null::text`
      } as water
    from page p
    join service_agreement sa on sa.account_id = p.id and sa.rate_schedule_id = ${t.rateScheduleId}
      and ${sql.unsafe(RATED_AGREEMENT)}
    join bill_segment s on s.service_agreement_id = sa.id
    join bill b on b.id = s.bill_id and b.status = 'issued' and b.period between ${t.monthsFrom} and ${t.monthsTo}
    left join meter_read r on r.id = s.end_read_id
    left join meter m on m.id = r.meter_id
    order by p.id, b.period, s.id`;
  const rateBothWays = impactRater(
    soleVersion('current', t.currentTariff),
    soleVersion('proposed', t.proposedTariff),
  );
  type Month = (typeof rows)[number];
  const byAccount = new Map<string, Month[]>();
  for (const r of rows) {
    const list = byAccount.get(r.accountId);
    if (list) list.push(r);
    else byAccount.set(r.accountId, [r]);
  }
  const rated: (AccountImpact & { reportId: string })[] = [];
  const failed: { accountId: string; error: string }[] = [];
  for (const [accountId, months] of byAccount) {
    try {
      const both = rateBothWays(months);
      rated.push({
        reportId,
        accountId,
        accountNumber: months[0]!.accountNumber,
        customerClass: months[0]!.customerClass,
        months: new Set(months.map((m) => m.periodStart)).size,
        ...both,
      });
    } catch (e) {
      failed.push({ accountId, error: (e as Error).message });
    }
  }
  const last = rows.at(-1)?.accountId;
  await sql.begin(async (tx) => {
    if (byAccount.size)
      await tx`delete from rate_impact_account where report_id = ${reportId}
        and account_id in ${tx([...byAccount.keys()])}`;
    if (rated.length) await tx`insert into rate_impact_account ${tx(rated as never)}`;
  });
  return { rated: rated.length, failed, lastId: last ?? null };
}

/** The figures from every rated account, stored on the report, which is then complete. */
export async function finishImpactReport(sql: Sql, reportId: string): Promise<ImpactFigures> {
  const t = await reportTerms(sql, reportId);
  const rows = await sql<AccountImpact[]>`
    select account_id, account_number, customer_class, months, current_cents, proposed_cents
    from rate_impact_account where report_id = ${reportId}`;
  const figures = impactFigures(t.serviceType, rows);
  await sql`update rate_impact_report set status = 'completed', figures = ${sql.json(figures as never)},
    completed_at = now() where id = ${reportId}`;
  return figures;
}

/** A report as staff read it: its terms, status and (once complete) figures. */
export async function impactReport(sql: Sql, reportId: string) {
  const [r] = await sql<
    {
      id: string;
      rateScheduleId: string;
      serviceType: string;
      currentVersionId: string;
      proposedVersionId: string | null;
      monthsFrom: string;
      monthsTo: string;
      status: string;
      accounts: number | null;
      rated: number;
      figures: ImpactFigures | null;
      createdAt: Date;
      completedAt: Date | null;
    }[]
  >`
    select r.id, r.rate_schedule_id, r.service_type, r.current_version_id, r.proposed_version_id,
      r.months_from, r.months_to, r.status, r.accounts, r.figures, r.created_at, r.completed_at,
      (select count(*)::int from rate_impact_account x where x.report_id = r.id) as rated
    from rate_impact_report r where r.id = ${reportId}`;
  if (!r) throw noSuch('rate impact report', reportId);
  return r;
}

/** A report whose workflow gave up: marked failed, so staff are not left waiting on it. */
export async function failImpactReport(sql: Sql, reportId: string) {
  await sql`update rate_impact_report set status = 'failed', completed_at = now()
    where id = ${reportId} and status <> 'completed'`;
}
