// An account's history on one line for the staff 360: its bills, payments, meter reads, notices, disputes,
// service requests, field orders and the steps its workflows recorded (case_event), newest first. One union,
// paged by (at, id) with a cursor that is an entry's id, so a page boundary never repeats or skips an entry
// even when two happened at the same instant.
//
// A bill is placed at the start of its bill date in the utility's time zone (the day it is dated, which is
// what a rep and the customer talk about); a payment at the time it was received; a read at its read time;
// everything else at the time its row was written (the database's clock).
import { confirmationNumber } from '../domain/payment-receipt.js';
import { requireAccount } from './accounts.js';
import type { Sql } from './client.js';
import { Refused } from './refused.js';
import { inTenure } from './tenure.js';

export const TIMELINE_KINDS = [
  'bill',
  'payment',
  'read',
  'message',
  'dispute',
  'service_request',
  'service_order',
  'workflow',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  /** the row's own id (a workflow step: `cev_<case_event id>`); the cursor */
  id: string;
  kind: TimelineKind;
  at: Date;
  /** what it is within its kind: a bill's period, a payment's method, a read's source, a notice's alert,
   *  a request's or order's kind, a workflow step's event */
  subject: string | null;
  /** its status word as stored (issued, succeeded, valid, processed, investigating, open, …) */
  status: string | null;
  amountCents: number | null;
  /** what a rep reads out: a payment's confirmation number, a read's meter serial, a bill's period */
  reference: string | null;
  /** free text: a dispute's reason, an order's reason, a read's value and unit, a card's brand and last 4 */
  detail: string | null;
  billId: string | null;
  workflowId: string | null;
  /** a dispute's SLA day (utility time zone) */
  dueOn: string | null;
  /** a workflow step's subject (collection, dispute, service_request, arrangement, hold) */
  subjectType: string | null;
}

export interface TimelineQuery {
  kinds?: readonly string[];
  limit: number;
  startingAfter?: string;
  timeZone: string;
}

/** One page of the account's timeline, newest first; `kinds` (none: all) picks the sources. */
export async function accountTimeline(sql: Sql, accountId: string, q: TimelineQuery) {
  const kinds = q.kinds?.length ? q.kinds : TIMELINE_KINDS;
  const unknown = kinds.filter((k) => !(TIMELINE_KINDS as readonly string[]).includes(k));
  if (unknown.length)
    throw new Refused(
      `kinds: '${unknown[0]}' is not one of ${TIMELINE_KINDS.join(', ')}`,
      'parameter_invalid',
      'kinds',
    );
  await requireAccount(sql, accountId);
  const tz = q.timeZone;
  const branch: Record<TimelineKind, ReturnType<Sql>> = {
    bill: sql`
      select b.id, 'bill'::text as kind, (b.bill_date::timestamp at time zone ${tz}) as at, b.period as subject,
        b.status, b.total_cents::bigint as amount_cents, b.period as reference, null::text as detail,
        b.id as bill_id, b.workflow_id, null::text as due_on, null::text as subject_type
      from bill b where b.account_id = ${accountId}`,
    payment: sql`
      select p.id, 'payment', p.received_at, p.method, p.status, p.amount_cents::bigint, null,
        nullif(concat_ws(' ', p.method_brand, p.method_last4), ''), null, p.workflow_id, null, null
      from payment p where p.account_id = ${accountId}`,
    read: sql`
      select mr.id, 'read', mr.read_at, mr.source, mr.quality, null::bigint, mt.serial_number,
        trim_scale(mr.value)::text || ' ' || mt.unit, null, null, null, null
      from service_agreement sa
      join meter_installation mi on mi.service_point_id = sa.service_point_id
      join meter mt on mt.id = mi.meter_id
      join meter_read mr on mr.meter_id = mt.id
        and mr.read_at >= mi.installed_at and (mi.removed_at is null or mr.read_at <= mi.removed_at)
      where sa.account_id = ${accountId} and ${inTenure(sql, sql`mr.read_at`, 'sa', tz)}`,
    message: sql`
      select n.id, 'message', n.created_at, n.alert, n.status, null::bigint, null, null,
        n.data->>'billId', null, null, null
      from notification n where n.account_id = ${accountId}`,
    dispute: sql`
      select d.id, 'dispute', d.created_at, null, d.status, d.disputed_cents::bigint, null, d.reason,
        d.bill_id, d.workflow_id, (d.sla_due_at at time zone ${tz})::date::text, null
      from dispute d where d.account_id = ${accountId}`,
    service_request: sql`
      select r.id, 'service_request', r.created_at, r.kind, r.status, null::bigint, null, null,
        null, r.workflow_id, null, null
      from service_request r where r.account_id = ${accountId}`,
    service_order: sql`
      select o.id, 'service_order', o.created_at, o.kind, o.status, null::bigint, null, o.reason,
        null, null, null, null
      from service_order o where o.account_id = ${accountId}`,
    workflow: sql`
      select 'cev_' || e.id, 'workflow', e.created_at, e.event, null, null::bigint, null, null,
        e.bill_id, null, null, e.subject_type
      from case_event e where e.account_id = ${accountId}`,
  };
  // the first branch names and types the columns; bill goes first whenever it is asked for
  const parts = TIMELINE_KINDS.filter((k) => kinds.includes(k)).map((k) => branch[k]);
  const first = parts[0] === branch.bill ? parts : [sql`${branch.bill} and false`, ...parts];
  const union = first.reduce((acc, p) => sql`${acc} union all ${p}`);
  // the cursor is found among all of the account's entries, so it still works when the filter changes
  const all = TIMELINE_KINDS.map((k) => branch[k]).reduce((acc, p) => sql`${acc} union all ${p}`);
  // its time stays text, sent as text (::text first): a timestamptz parameter goes through a JS Date, which
  // would drop the microseconds and skip entries just older than the cursor
  let cursor: { at: string; id: string } | undefined;
  if (q.startingAfter) {
    [cursor] = await sql<{ at: string; id: string }[]>`
      with e as (${all}) select at::text as at, id from e where id = ${q.startingAfter}`;
    if (!cursor)
      throw new Refused(
        `starting_after: no timeline entry '${q.startingAfter}' on this account`,
        'parameter_invalid',
        'starting_after',
      );
  }
  const rows = await sql<(Omit<TimelineEntry, 'amountCents'> & { amountCents: number | null })[]>`
    with e as (${union})
    select * from e
    ${cursor ? sql`where (e.at, e.id) < (${cursor.at}::text::timestamptz, ${cursor.id}::text)` : sql``}
    order by e.at desc, e.id desc
    limit ${q.limit + 1}`;
  const entries = rows.slice(0, q.limit).map(
    (r): TimelineEntry => ({
      ...r,
      reference: r.kind === 'payment' ? confirmationNumber(r.id) : r.reference,
    }),
  );
  return { entries, hasMore: rows.length > q.limit };
}

/** What one of the account's workflows is about, from the row it drives (a workflow id names one of them). */
export interface WorkflowSubject {
  workflowId: string;
  /** dispute, service_request, bill, collection, arrangement, payment */
  subjectType: string;
  subjectId: string;
  /** the row's own status (investigating, in_progress, held, dunning stage, …) */
  status: string;
  /** a request's kind, a bill's period */
  subject: string | null;
  /** a dispute's SLA day (utility time zone) */
  dueOn: string | null;
}

/** The rows the account's workflows drive, by workflow id: what the console names a workflow by. */
export async function workflowSubjects(sql: Sql, accountId: string, timeZone: string) {
  // a bill's workflow may have held it (bill_exception) and then issued it (bill): the bill is named last, and wins
  const rows = await sql<(WorkflowSubject & { rank: number })[]>`
    select workflow_id, 'dispute' as subject_type, id as subject_id, status, null::text as subject,
      (sla_due_at at time zone ${timeZone})::date::text as due_on, 1 as rank
    from dispute where account_id = ${accountId}
    union all
    select workflow_id, 'service_request', id, status, kind, null, 1 from service_request where account_id = ${accountId}
    union all
    select workflow_id, 'bill', id, case when status in ('open', 'escalated') then 'held' else status end, period, null, 1
    from bill_exception where account_id = ${accountId}
    union all
    select workflow_id, 'bill', id, status, period, null, 2 from bill
    where account_id = ${accountId} and workflow_id is not null
    union all
    select workflow_id, 'collection', id, case when status = 'open' then stage else status end, null, null, 1
    from collection_case where account_id = ${accountId}
    union all
    select workflow_id, 'arrangement', id, status, null, null, 1 from payment_arrangement where account_id = ${accountId}
    union all
    select workflow_id, 'payment', id, status, method, null, 1 from payment
    where account_id = ${accountId} and workflow_id is not null
    order by rank`;
  return rows.map(({ rank: _, ...r }): WorkflowSubject => r);
}
