// The exceptions queue: held bills waiting for staff (written by the billing-cycle workflow's activities).
// What a reviewer needs beside each held bill is read here: the amount it would be if approved (the same
// rating an approval runs: calculateBill without the usage checks), the read the hold is about, and that
// meter's recent reads; and who the held bill is assigned to and by when it should be decided.
import { calculateBill, type Hold } from '../domain/bill-calc.js';
import { monthlyPeriod } from '../domain/period.js';
import { newId } from '../lib/ids.js';
import { finalBillWorkflowId } from '../workflows/contracts/billing-cycle.js';
import { loadBillingInputsMany } from './billing.js';
import type { Sql, Tx } from './client.js';
import { queueNotifications } from './notifications.js';
import { noSuch, Refused } from './refused.js';

/** A held bill as it enters the exceptions queue: one per bill workflow. */
export interface HeldBill {
  accountId: string;
  period: string;
  workflowId: string;
  reasons: Hold[];
}

/**
 * Puts held bills in the exceptions queue in one statement, and tells each customer whose bill is held for
 * high usage (a leak costs them every day it runs). A bill run's page queues its held bills once
 * (`refresh: false`: a retried page changes nothing); the bill's own workflow refreshes the reasons after a
 * re-rating and reopens an exception staff had closed (`refresh: true`).
 */
export async function enqueueHeldBills(tx: Tx, held: HeldBill[], o: { refresh: boolean }) {
  if (!held.length) return;
  const rows = held.map((h) => ({
    id: newId('exc'),
    account_id: h.accountId,
    period: h.period,
    workflow_id: h.workflowId,
    reasons: tx.json(h.reasons as never),
  }));
  const onConflict = o.refresh
    ? tx`do update set reasons = excluded.reasons,
        status = case when bill_exception.status in ('resolved', 'cancelled') then 'open' else bill_exception.status end`
    : tx`do nothing`;
  await tx`insert into bill_exception ${tx(rows)} on conflict (workflow_id) ${onConflict}`;
  await queueHighUsageNotices(
    tx,
    held.flatMap((h) => h.reasons.filter((r) => r.code === 'high_usage').map((hold) => ({ ...h, hold }))),
  );
}

/**
 * The high-usage notice of held bills: the read check's message carries the figures ("12.5/day is over 2.5x
 * the same season last year of 3.1/day"); the agreement gives the service and the meter's unit. One key per
 * bill workflow and agreement, so each is told once however often the bill is queued.
 */
async function queueHighUsageNotices(tx: Tx, list: (HeldBill & { hold: Hold })[]) {
  if (!list.length) return;
  const agreements = await tx<{ id: string; serviceType: string; unit: string | null }[]>`
    select sa.id, sa.service_type, (select me.unit from meter_installation mi join meter me on me.id = mi.meter_id
        where mi.service_point_id = sa.service_point_id order by mi.installed_at desc limit 1) as unit
    from service_agreement sa where sa.id = any(${[...new Set(list.map((x) => x.hold.serviceAgreementId))]})`;
  const byId = new Map(agreements.map((a) => [a.id, a]));
  await queueNotifications(
    tx,
    list.map((x) => {
      const m = /^([\d.]+)\/day .* of ([\d.]+)\/day/.exec(x.hold.message);
      const sa = byId.get(x.hold.serviceAgreementId);
      return {
        accountId: x.accountId,
        alert: 'high_usage' as const,
        key: `high_usage/hold/${x.workflowId}/${x.hold.serviceAgreementId}`,
        data: {
          usage: m?.[1] ?? null,
          normal: m?.[2] ?? null,
          unit: sa?.unit ?? null,
          service: sa?.serviceType ?? null,
          basis: 'bill_exception',
        },
      };
    }),
  );
}

export interface BillException {
  id: string;
  accountId: string;
  accountNumber: string;
  customerName: string;
  billingCycle: string;
  period: string;
  status: string;
  reasons: Record<string, unknown>[];
  workflowId: string;
  createdAt: Date;
  /** whole days since the bill was held (the database's clock, as created_at is) */
  ageDays: number;
  assigneeId: string | null;
  assigneeName: string | null;
  slaDueOn: string | null;
}

/** One meter a hold is about: the read that looks wrong (null when the read is missing) and its last reads. */
export interface HeldMeter {
  serviceAgreementId: string;
  serialNumber: string;
  unit: string;
  suspectReadId: string | null;
  reads: { id: string; readAt: Date; value: string; source: string; quality: string }[];
}

export interface ExceptionFilter {
  statuses: string[];
  /** a hold code, e.g. high_usage */
  reason?: string;
  /** the account's billing cycle, e.g. "07" */
  cycle?: string;
  /** held at least this many whole days */
  minAgeDays?: number;
  /** a staff user's id, or "none" for held bills no one is assigned */
  assignee?: string;
  startingAfter?: string;
  limit: number;
}

/** How many of a held meter's reads the queue shows. */
const HISTORY_READS = 6;

/** Exceptions in the given statuses matching the filter, in id order (oldest first) after `startingAfter`. */
export async function listBillExceptions(sql: Sql, f: ExceptionFilter) {
  const rows = await sql<BillException[]>`
    select e.id, e.account_id, a.account_number, c.name as customer_name, a.billing_cycle, e.period, e.status,
           e.reasons, e.workflow_id, e.created_at, floor(extract(epoch from now() - e.created_at) / 86400)::int as age_days,
           e.assignee_id, u.display_name as assignee_name, e.sla_due_on::text
    from bill_exception e join account a on a.id = e.account_id join customer c on c.id = a.customer_id
      left join app_user u on u.id = e.assignee_id
    where e.status = any(${f.statuses}) and e.id > ${f.startingAfter ?? ''}
      and (${f.reason ?? null}::text is null or e.reasons @> ${sql.json([{ code: f.reason ?? '' }] as never)})
      and (${f.cycle ?? null}::text is null or a.billing_cycle = ${f.cycle ?? ''})
      and (${f.minAgeDays ?? null}::int is null or e.created_at <= now() - make_interval(days => ${f.minAgeDays ?? 0}))
      and (${f.assignee ?? null}::text is null
           or (${f.assignee ?? ''} = 'none' and e.assignee_id is null) or e.assignee_id = ${f.assignee ?? ''})
    order by e.id limit ${f.limit + 1}`;
  return { exceptions: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

/**
 * For each held bill: what it would total if approved (null when approving would still not bill it, e.g. a
 * missing read, or a final bill, whose window is not its month), and the meters its holds are about.
 */
export async function heldBillFacts(
  sql: Sql,
  exceptions: Pick<BillException, 'id' | 'accountId' | 'period' | 'workflowId' | 'reasons'>[],
  timeZone: string,
): Promise<Map<string, { wouldBeCents: number | null; meters: HeldMeter[] }>> {
  const out = new Map<string, { wouldBeCents: number | null; meters: HeldMeter[] }>();
  const byPeriod = new Map<string, typeof exceptions>();
  for (const x of exceptions) {
    if (x.workflowId.startsWith(finalBillWorkflowId(''))) {
      out.set(x.id, { wouldBeCents: null, meters: [] });
      continue;
    }
    byPeriod.set(x.period, [...(byPeriod.get(x.period) ?? []), x]);
  }
  const wanted: { exceptionId: string; meter: Omit<HeldMeter, 'reads'>; readId: string }[] = [];
  for (const [key, xs] of byPeriod) {
    const period = monthlyPeriod(key);
    const facts = await loadBillingInputsMany(
      sql,
      xs.map((x) => x.accountId),
      period,
      timeZone,
    );
    for (const x of xs) {
      const f = facts.get(x.accountId);
      if (!f) {
        out.set(x.id, { wouldBeCents: null, meters: [] });
        continue;
      }
      const rated = calculateBill({ ...f, validation: undefined }, period);
      const wouldBeCents = rated.holds.length ? null : rated.segments.reduce((n, s) => n + s.totalCents, 0);
      out.set(x.id, { wouldBeCents, meters: [] });
      const heldAgreements = new Set((x.reasons as unknown as Hold[]).map((h) => h.serviceAgreementId));
      for (const s of f.segments) {
        if (!heldAgreements.has(s.serviceAgreementId) || !s.meter) continue;
        const ref = s.closingRead ?? s.openingRead;
        if (!ref) continue;
        wanted.push({
          exceptionId: x.id,
          readId: ref.id,
          meter: {
            serviceAgreementId: s.serviceAgreementId,
            serialNumber: s.meter.serialNumber,
            unit: s.meter.unit,
            suspectReadId: s.closingRead?.id ?? null,
          },
        });
      }
    }
  }
  if (!wanted.length) return out;
  const reads = await sql<(HeldMeter['reads'][number] & { refId: string })[]>`
    select ref.id as ref_id, r.id, r.read_at, trim_scale(r.value)::text as value, r.source, r.quality
    from meter_read ref
    cross join lateral (
      select x.id, x.read_at, x.value, x.source, x.quality from meter_read x
      where x.meter_id = ref.meter_id and x.read_at <= ref.read_at
      order by x.read_at desc, x.id desc limit ${HISTORY_READS}) r
    where ref.id = any(${wanted.map((w) => w.readId)})
    order by r.read_at desc, r.id desc`;
  for (const w of wanted)
    out.get(w.exceptionId)!.meters.push({
      ...w.meter,
      reads: reads.filter((r) => r.refId === w.readId).map(({ refId: _, ...r }) => r),
    });
  return out;
}

/** The exception's bill workflow and status (404 if there is no such exception). */
export async function billException(sql: Sql, id: string) {
  const [e] = await sql<
    { workflowId: string; status: string }[]
  >`select workflow_id, status from bill_exception where id = ${id}`;
  if (!e) throw noSuch('exception', id);
  return e;
}

/**
 * Assigns a held bill to a staff user (or to no one) and sets the date it should be decided by. Only a bill
 * still waiting for a decision is assigned; the assignee must be a staff login.
 */
export async function assignBillException(
  sql: Sql,
  id: string,
  a: { assigneeId: string | null; slaDueOn: string | null },
) {
  return sql.begin(async (tx) => {
    const [e] = await tx<{ status: string }[]>`select status from bill_exception where id = ${id} for update`;
    if (!e) throw noSuch('exception', id);
    if (e.status !== 'open' && e.status !== 'escalated')
      throw new Refused(`This bill is not waiting for a decision (${e.status})`, 'exception_not_open', 'id');
    if (a.assigneeId) {
      const [u] = await tx`select 1 from app_user where id = ${a.assigneeId} and kind = 'staff'`;
      if (!u)
        throw new Refused(`assignee_id: no staff user '${a.assigneeId}'`, 'parameter_invalid', 'assignee_id');
    }
    const [row] = await tx<{ assigneeId: string | null; slaDueOn: string | null }[]>`
      update bill_exception set assignee_id = ${a.assigneeId}, sla_due_on = ${a.slaDueOn},
        assigned_at = case when ${a.assigneeId}::text is null then null else now() end
      where id = ${id} returning assignee_id, sla_due_on::text`;
    return row!;
  });
}
