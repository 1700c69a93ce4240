// The staff work queue: open disputes and open service requests in one list, the nearest SLA first, then the
// oldest. A dispute's SLA is its sla_due_at (its policy's dispute SLA); a service request's is the date its
// work is wanted on (stop, move or start date), or SERVICE_REQUEST_SLA_DAYS after it was opened.
import { DISPUTE_STATUSES } from '../workflows/contracts/dispute.js';
import { SERVICE_REQUEST_STATUSES } from '../workflows/contracts/service-request.js';
import type { Sql } from './client.js';
import { Refused } from './refused.js';
import { SERVICE_REQUEST_KINDS } from './service-requests.js';

/** Policy: a request with no date of its own should be worked within this many days of being opened. */
export const SERVICE_REQUEST_SLA_DAYS = 5;

/** What a case is: a dispute, or a service request of its kind. */
export const CASE_KINDS = ['dispute', ...SERVICE_REQUEST_KINDS] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** The statuses in which a case is still someone's work. */
export const OPEN_DISPUTE_STATUSES = DISPUTE_STATUSES.filter((s) => s !== 'resolved');
export const OPEN_REQUEST_STATUSES = SERVICE_REQUEST_STATUSES.filter(
  (s) => s === 'submitted' || s === 'awaiting_approval' || s === 'in_progress',
);
export const OPEN_CASE_STATUSES = [...OPEN_DISPUTE_STATUSES, ...OPEN_REQUEST_STATUSES] as const;

export interface CaseRow {
  id: string;
  type: 'dispute' | 'service_request';
  kind: CaseKind;
  status: string;
  accountId: string | null;
  accountNumber: string | null;
  customerName: string | null;
  /** the day the case should be closed by, in the utility's time zone */
  slaDueOn: string;
  /** whole days since it was opened (the database's clock, as created_at is) */
  ageDays: number;
  createdAt: Date;
  billId: string | null;
  billPeriod: string | null;
  disputedCents: number | null;
  reason: string | null;
  details: Record<string, string> | null;
  /** where a start or transfer of service is to (the premise its details name) */
  premiseAddress: string | null;
  requiresApproval: boolean;
  workflowId: string;
}

export interface CaseFilter {
  kind?: CaseKind;
  status?: string;
  startingAfter?: string;
  limit: number;
  timeZone: string;
}

/** One page of open cases, the nearest SLA first, then the oldest; `startingAfter` is a case id. */
export async function listOpenCases(sql: Sql, f: CaseFilter) {
  if (f.status && !(OPEN_CASE_STATUSES as readonly string[]).includes(f.status))
    throw new Refused(
      `status must be one of ${OPEN_CASE_STATUSES.join(', ')}`,
      'parameter_invalid',
      'status',
    );
  // each case's SLA day, one rule each, for the list and for the cursor
  const disputeSla = sql`(d.sla_due_at at time zone ${f.timeZone})::date::text`;
  const requestSla = sql`coalesce((r.details->>'stop_date')::date, (r.details->>'move_date')::date,
    (r.details->>'start_date')::date,
    ((r.created_at at time zone ${f.timeZone}) + make_interval(days => ${SERVICE_REQUEST_SLA_DAYS}))::date)::text`;
  // the cursor is where its case sorts, whether or not it is still open (staff close cases between pages)
  const cursor = sql`
    select ${disputeSla} as sla_due_on, d.created_at, d.id from dispute d where d.id = ${f.startingAfter ?? ''}
    union all
    select ${requestSla}, r.created_at, r.id from service_request r where r.id = ${f.startingAfter ?? ''}`;
  if (f.startingAfter && !(await sql`${cursor}`).length)
    throw new Refused(
      `starting_after: no dispute or service request '${f.startingAfter}'`,
      'parameter_invalid',
      'starting_after',
    );
  const disputes = !f.kind || f.kind === 'dispute';
  const requests = f.kind !== 'dispute';
  const q = sql`
    select d.id, 'dispute' as type, 'dispute' as kind, d.status, d.account_id, a.account_number,
           c.name as customer_name, ${disputeSla} as sla_due_on, d.created_at,
           d.bill_id, b.period as bill_period, d.disputed_cents, d.reason, null::jsonb as details,
           null::text as premise_address, false as requires_approval, d.workflow_id
    from dispute d join account a on a.id = d.account_id join customer c on c.id = a.customer_id
      join bill b on b.id = d.bill_id
    where ${disputes} and d.status = any(${OPEN_DISPUTE_STATUSES as string[]})
      and (${f.status ?? null}::text is null or d.status = ${f.status ?? ''})
    union all
    select r.id, 'service_request', r.kind, r.status, r.account_id, a.account_number, c.name,
           ${requestSla}, r.created_at, null, null, null, null, r.details,
           (select concat_ws(', ', p.address_line1, p.address_line2, p.city) from premise p
             where p.id = coalesce(r.details->>'to_premise_id', r.details->>'premise_id')),
           r.requires_approval, r.workflow_id
    from service_request r left join account a on a.id = r.account_id
      left join customer c on c.id = coalesce(r.customer_id, a.customer_id)
    where ${requests} and r.status = any(${OPEN_REQUEST_STATUSES as string[]})
      and (${f.kind ?? null}::text is null or r.kind = ${f.kind ?? ''})
      and (${f.status ?? null}::text is null or r.status = ${f.status ?? ''})`;
  const rows = await sql<CaseRow[]>`
    with q as (${q}), cur as (${cursor})
    select q.*,
           floor(extract(epoch from now() - q.created_at) / 86400)::int as age_days
    from q
    where not exists (select 1 from cur) or (q.sla_due_on, q.created_at, q.id) > (select sla_due_on, created_at, id from cur)
    order by q.sla_due_on, q.created_at, q.id
    limit ${f.limit + 1}`;
  return { cases: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}
