// Collections persistence: the facts the dunning decision needs, and each step recorded exactly once.
import {
  type CollectionAction,
  type CollectionFacts,
  type CollectionPolicy,
  disconnectState,
  holdLimits,
  parseCollectionPolicy,
  unpaidByCharge,
} from '../domain/collections.js';
import { addDays } from '../domain/period.js';
import { durationMs } from '../domain/policy-clock.js';
import { newId } from '../lib/ids.js';
import { postAdjustment } from './adjustments.js';
import type { Sql, Tx } from './client.js';
import { accountBalanceCents } from './ledger.js';
import { queueNotification } from './notifications.js';
import { Refused } from './refused.js';

export async function collectionPolicyFor(sql: Sql | Tx, accountId: string): Promise<CollectionPolicy> {
  const [row] = await sql<{ policy: unknown }[]>`
    select cp.policy from account a join collection_policy cp on cp.customer_class = a.customer_class
    where a.id = ${accountId}`;
  return parseCollectionPolicy(row?.policy);
}

/** A customer class's stored policy over the defaults (the defaults alone when nothing is stored). */
export async function classCollectionPolicy(sql: Sql | Tx, customerClass: string): Promise<CollectionPolicy> {
  const [row] = await sql<{ policy: unknown }[]>`
    select policy from collection_policy where customer_class = ${customerClass}`;
  return parseCollectionPolicy(row?.policy);
}

/** Stores the class's policy as given (absent keys keep their defaults when it is read). */
export async function setClassCollectionPolicy(
  sql: Sql | Tx,
  customerClass: string,
  policy: Record<string, unknown>,
  updatedBy: string,
) {
  await sql`insert into collection_policy (customer_class, policy, updated_by)
    values (${customerClass}, ${sql.json(policy as never)}, ${updatedBy})
    on conflict (customer_class) do update set policy = excluded.policy, updated_by = excluded.updated_by, updated_at = now()`;
}

export interface HoldRow {
  id: string;
  kind: 'medical' | 'manual';
  startsOn: string;
  endsOn: string;
  renewals: number;
  note: string | null;
}

/**
 * A hold on disconnection from today for the policy's days (or fewer), recorded with its case event.
 * Refused when the days asked for pass what the account's policy allows for that kind.
 */
export async function placeHold(
  sql: Sql,
  h: {
    accountId: string;
    kind: 'medical' | 'manual';
    days?: number;
    note: string;
    today: string;
    by: string;
  },
): Promise<HoldRow> {
  const limits = holdLimits(await collectionPolicyFor(sql, h.accountId), h.kind);
  const days = h.days ?? limits.days;
  if (days > limits.days)
    throw new Refused(
      `a ${h.kind} hold may run at most ${limits.days} days under this collection policy`,
      'hold_too_long',
      'days',
    );
  const id = newId('hold');
  return sql.begin(async (tx) => {
    const [hold] = await tx<HoldRow[]>`
      insert into collection_hold (id, account_id, kind, starts_on, ends_on, note, created_by)
      values (${id}, ${h.accountId}, ${h.kind}, ${h.today}, ${addDays(h.today, days - 1)}, ${h.note}, ${h.by})
      returning id, kind, starts_on::text, ends_on::text, renewals, note`;
    await recordCaseEvent(tx, {
      key: `hold:${id}:placed`,
      subjectType: 'hold',
      subjectId: id,
      accountId: h.accountId,
      event: 'hold_placed',
      detail: { kind: h.kind, days, note: h.note },
      actor: h.by,
    });
    return hold!;
  });
}

/**
 * Renews an active hold by the policy's days, if it has renewals left: the count is checked in the update,
 * so concurrent renewals cannot pass it. False when none are left (or the hold is released).
 */
async function renewHold(sql: Sql | Tx, holdId: string, limits: { days: number; renewals: number }) {
  const rows =
    await sql`update collection_hold set ends_on = ends_on + ${limits.days}::int, renewals = renewals + 1
    where id = ${holdId} and released_at is null and renewals < ${limits.renewals} returning id`;
  return rows.length > 0;
}

export type HoldChange =
  | { outcome: 'missing' }
  | { outcome: 'renewals_exhausted'; kind: string; renewals: number }
  | {
      outcome: 'changed';
      account: { id: string; accountNumber: string };
      hold: HoldRow & { releasedAt: Date | null };
    };

/** Renews an active hold (within the policy's renewals) or releases it, with its case event. */
export async function changeHold(
  sql: Sql,
  c: { holdId: string; action: 'renew' | 'release'; by: string },
): Promise<HoldChange> {
  const [hold] = await sql<
    {
      id: string;
      accountId: string;
      accountNumber: string;
      kind: 'medical' | 'manual';
      renewals: number;
      releasedAt: Date | null;
    }[]
  >`
    select h.id, h.account_id, a.account_number, h.kind, h.renewals, h.released_at
    from collection_hold h join account a on a.id = h.account_id where h.id = ${c.holdId}`;
  if (!hold || hold.releasedAt) return { outcome: 'missing' };
  if (c.action === 'renew') {
    const limits = holdLimits(await collectionPolicyFor(sql, hold.accountId), hold.kind);
    if (!(await renewHold(sql, hold.id, limits)))
      return { outcome: 'renewals_exhausted', kind: hold.kind, renewals: limits.renewals };
  } else await sql`update collection_hold set released_at = now() where id = ${hold.id}`;
  await recordCaseEvent(sql, {
    key: `hold:${hold.id}:${c.action}:${hold.renewals}`,
    subjectType: 'hold',
    subjectId: hold.id,
    accountId: hold.accountId,
    event: `hold_${c.action === 'renew' ? 'renewed' : 'released'}`,
    actor: c.by,
  });
  const [now] = await sql<(HoldRow & { releasedAt: Date | null })[]>`
    select id, kind, starts_on::text, ends_on::text, renewals, note, released_at
    from collection_hold where id = ${hold.id}`;
  return {
    outcome: 'changed',
    account: { id: hold.accountId, accountNumber: hold.accountNumber },
    hold: now!,
  };
}

/**
 * A place in the ledger's accounting order (effective date, then entry id), as the bill document counts it;
 * with `knownAt`, only entries made by then count (one posted later, even dated earlier, was not yet known).
 */
export interface LedgerPosition {
  effectiveOn: string;
  id: string;
  knownAt?: Date | null;
}

/**
 * Charges still on the account's receivable: bills and fees, minus any that were reversed. With `before`, as
 * the ledger stood just before that position: later entries (payments, reversals, charges) do not count, so
 * a reprinted bill finds what was true when it was made.
 */
export async function accountCharges(sql: Sql | Tx, accountId: string, before?: LedgerPosition) {
  const ar = `ar:${accountId}`;
  const known = before?.knownAt ?? new Date('9999-12-31T00:00:00Z');
  const earlier = (e: 'je' | 'r') =>
    !before
      ? sql``
      : e === 'je'
        ? sql`and (je.effective_on, je.id) < (${before.effectiveOn}::date, ${before.id}::text) and je.created_at <= ${known}`
        : sql`and (r.effective_on, r.id) < (${before.effectiveOn}::date, ${before.id}::text) and r.created_at <= ${known}`;
  const debits = await sql<{ billId: string | null; dueDate: string; amountCents: number }[]>`
    select je.bill_id, coalesce(b.due_date, je.effective_on)::text as due_date, p.amount_cents
    from journal_entry je
    join posting p on p.journal_entry_id = je.id and p.ledger_account_id = ${ar}
    left join bill b on b.id = je.bill_id
    where je.account_id = ${accountId} and p.amount_cents > 0 and je.kind <> 'reversal'
      ${earlier('je')}
      and not exists (select 1 from journal_entry r where r.reverses_id = je.id ${earlier('r')})`;
  let balance: number;
  if (before) {
    const [row] = await sql<{ balance: number }[]>`
      select coalesce(sum(p.amount_cents), 0)::bigint as balance
      from posting p join journal_entry je on je.id = p.journal_entry_id
      where p.ledger_account_id = ${ar} ${earlier('je')}`;
    balance = row!.balance;
  } else balance = await accountBalanceCents(sql, accountId);
  return { balanceCents: balance, charges: unpaidByCharge(balance, debits) };
}

export async function collectionFacts(
  sql: Sql,
  a: { accountId: string; caseId: string; today: string },
): Promise<CollectionFacts & { policy: CollectionPolicy; balanceCents: number }> {
  // independent reads, sent together: a dunning review runs on every wake-up of every case
  const [policy, { balanceCents, charges }, [account], disputes, [arrangement], events, holds] =
    await Promise.all([
      collectionPolicyFor(sql, a.accountId),
      accountCharges(sql, a.accountId),
      sql<{ serviceState: 'connected' | 'disconnected'; autopay: boolean; status: string }[]>`
      select a.service_state, a.status,
             exists (select 1 from autopay_enrollment e where e.account_id = a.id and e.status = 'active') as autopay
      from account a where a.id = ${a.accountId}`,
      sql<{ billId: string; disputedCents: number }[]>`
      select bill_id, disputed_cents from dispute where account_id = ${a.accountId} and status <> 'resolved'`,
      sql<{ coversDueOn: string }[]>`
      select covers_due_on::text from payment_arrangement where account_id = ${a.accountId} and status = 'active'`,
      sql<{ event: string; billId: string | null; subjectId: string; detail: { disconnectOn?: string } }[]>`
      select event, bill_id, subject_id, detail from case_event
      where account_id = ${a.accountId} and subject_type = 'collection' order by id`,
      sql<{ kind: string; endsOn: string }[]>`
      select kind, ends_on::text from collection_hold where account_id = ${a.accountId} and released_at is null
        and starts_on <= ${a.today}::date`,
    ]);
  const disputed = new Map(disputes.map((r) => [r.billId, r.disputedCents]));
  const done = new Set<string>();
  for (const e of events) if (e.billId) done.add(`${e.event}:${e.billId}`);
  const disconnectAllowedOn = disconnectState(events.filter((e) => e.subjectId === a.caseId)).allowedOn;
  return {
    policy,
    balanceCents,
    today: a.today,
    autopay: account?.autopay ?? false,
    serviceState: account?.serviceState ?? 'connected',
    accountClosed: account?.status === 'closed',
    done,
    disconnectAllowedOn,
    holds,
    bills: charges
      .filter((c) => c.billId)
      .map((c) => ({
        billId: c.billId!,
        dueDate: c.dueDate,
        openCents: Math.max(0, c.unpaidCents - (disputed.get(c.billId!) ?? 0)),
        disputed: disputed.has(c.billId!),
        arranged: arrangement ? c.dueDate <= arrangement.coversDueOn : false,
      })),
  };
}

/** The open case of the account, or a new one. */
export async function openCase(sql: Sql, accountId: string, workflowId: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into collection_case (id, account_id, workflow_id) values (${newId('dun')}, ${accountId}, ${workflowId})
    on conflict (account_id) where status = 'open' do update set workflow_id = excluded.workflow_id
    returning id`;
  return row!.id;
}

export async function recordCaseEvent(
  db: Sql | Tx,
  e: {
    key: string;
    subjectType: 'collection' | 'dispute' | 'service_request' | 'arrangement' | 'hold';
    subjectId: string;
    accountId: string | null;
    event: string;
    billId?: string | null;
    detail?: Record<string, unknown>;
    actor?: string;
  },
): Promise<boolean> {
  const rows = await db`
    insert into case_event (idempotency_key, subject_type, subject_id, account_id, event, bill_id, detail, actor)
    values (${e.key}, ${e.subjectType}, ${e.subjectId}, ${e.accountId}, ${e.event}, ${e.billId ?? null},
            ${db.json((e.detail ?? {}) as never)}, ${e.actor ?? 'system'})
    on conflict (idempotency_key) do nothing returning id`;
  return rows.length > 0;
}

/** A case's trail (a dispute's, a service request's): every step, who took it, when. */
export async function caseEvents(
  sql: Sql | Tx,
  subjectType: 'dispute' | 'service_request',
  subjectId: string,
) {
  return sql<{ event: string; detail: unknown; actor: string | null; createdAt: Date }[]>`
    select event, detail, actor, created_at from case_event
    where subject_type = ${subjectType} and subject_id = ${subjectId} order by id`;
}

/** Performs one dunning step; keyed so that a retried activity changes nothing the second time. */
export async function performCollectionAction(
  sql: Sql,
  a: { accountId: string; caseId: string; today: string; action: CollectionAction },
) {
  const x = a.action;
  const ev = (key: string, event: string, detail: Record<string, unknown>, billId?: string) => ({
    key,
    subjectType: 'collection' as const,
    subjectId: a.caseId,
    accountId: a.accountId,
    event,
    billId: billId ?? null,
    detail,
  });
  switch (x.kind) {
    case 'reminder':
    case 'past_due_notice':
      await sql.begin(async (tx) => {
        const key = `dunning:${x.billId}:${x.kind}`;
        if (!(await recordCaseEvent(tx, ev(key, x.kind, { amountCents: x.amountCents }, x.billId)))) return;
        await queueNotification(tx, {
          accountId: a.accountId,
          key,
          ...(x.kind === 'reminder'
            ? {
                alert: 'payment_due' as const,
                data: { billId: x.billId, amountCents: x.amountCents, dueDate: x.dueDate },
              }
            : {
                alert: 'collection_notice' as const,
                data: { stage: 'past_due', amountCents: x.amountCents, dueDate: x.dueDate },
              }),
        });
      });
      return;
    case 'late_fee': {
      // the fee is an adjustment tied to its bill: once per bill, whatever retries or case restarts happen
      const adj = await postAdjustment(sql, {
        idempotencyKey: `late-fee:${x.billId}`,
        accountId: a.accountId,
        kind: 'late_fee',
        amountCents: x.feeCents,
        reason: 'Late payment fee',
        billId: x.billId,
        on: a.today,
      });
      await sql.begin(async (tx) => {
        const key = `dunning:${x.billId}:late_fee`;
        const detail = { feeCents: x.feeCents, adjustmentId: adj.id, journalEntryId: adj.journalEntryId };
        if (!(await recordCaseEvent(tx, ev(key, 'late_fee', detail, x.billId)))) return;
        await queueNotification(tx, {
          accountId: a.accountId,
          key,
          alert: 'collection_notice',
          data: { stage: 'late_fee', feeCents: x.feeCents, amountCents: x.feeCents },
        });
      });
      return;
    }
    case 'final_notice':
      await sql.begin(async (tx) => {
        const key = `dunning:${a.caseId}:final_notice:${a.today}`;
        const detail = { amountCents: x.amountCents, disconnectOn: x.disconnectOn };
        if (!(await recordCaseEvent(tx, ev(key, 'final_notice', detail)))) return;
        await queueNotification(tx, {
          accountId: a.accountId,
          key,
          alert: 'collection_notice',
          urgent: true,
          data: { stage: 'final_notice', amountCents: x.amountCents, disconnectOn: x.disconnectOn },
        });
      });
      return;
    case 'disconnect':
    case 'reconnect':
      await sql.begin(async (tx) => {
        const key = `dunning:${a.caseId}:${x.kind}:${a.today}`;
        const [order] = await tx<{ id: string }[]>`
          insert into service_order (id, account_id, kind, status, reason, source_type, source_id, idempotency_key, completed_at, result)
          values (${newId('so')}, ${a.accountId}, ${x.kind}, 'completed',
                  ${x.kind === 'disconnect' ? 'Non-payment after final notice' : 'Past-due balance paid'},
                  'collection', ${a.caseId}, ${key}, now(), ${tx.json({ remote: true } as never)})
          on conflict (idempotency_key) do nothing returning id`;
        if (!order) return;
        await tx`update account set service_state = ${x.kind === 'disconnect' ? 'disconnected' : 'connected'}
          where id = ${a.accountId}`;
        const detail =
          x.kind === 'disconnect'
            ? { amountCents: x.amountCents, serviceOrderId: order.id }
            : { feeCents: x.feeCents, serviceOrderId: order.id };
        await recordCaseEvent(tx, ev(key, x.kind, detail));
        await queueNotification(tx, {
          accountId: a.accountId,
          key,
          alert: 'collection_notice',
          urgent: true,
          data: {
            stage: x.kind === 'disconnect' ? 'disconnected' : 'reconnected',
            amountCents: x.kind === 'disconnect' ? x.amountCents : x.feeCents,
          },
        });
      });
      if (x.kind === 'reconnect' && x.feeCents > 0)
        await postAdjustment(sql, {
          idempotencyKey: `reconnect-fee:${a.caseId}:${a.today}`,
          accountId: a.accountId,
          kind: 'debit',
          amountCents: x.feeCents,
          reason: 'Reconnection fee',
          on: a.today,
        });
      return;
  }
}

export async function updateCase(sql: Sql, caseId: string, stage: string, close: boolean) {
  await sql`update collection_case set stage = ${stage},
      status = case when ${close} then 'closed' else status end,
      closed_at = case when ${close} then now() else closed_at end
    where id = ${caseId}`;
}

/** What staff and the customer see of collections on an account. */
export async function collectionsView(sql: Sql, accountId: string) {
  const [open] = await sql<{ id: string; stage: string; workflowId: string; openedAt: Date }[]>`
    select id, stage, workflow_id, opened_at from collection_case where account_id = ${accountId} and status = 'open'`;
  const events = await sql<
    { event: string; billId: string | null; detail: unknown; createdAt: Date; subjectId: string }[]
  >`select event, bill_id, detail, created_at, subject_id from case_event
    where account_id = ${accountId} and subject_type in ('collection', 'hold') order by id desc limit 100`;
  const holds = await sql<
    { id: string; kind: string; startsOn: string; endsOn: string; renewals: number; note: string | null }[]
  >`select id, kind, starts_on::text, ends_on::text, renewals, note from collection_hold
    where account_id = ${accountId} and released_at is null order by ends_on`;
  const [acct] = await sql<
    { serviceState: string }[]
  >`select service_state from account where id = ${accountId}`;
  const [arrangement] = await sql`
    select id, status, total_cents, installments, covers_due_on::text, created_at from payment_arrangement
    where account_id = ${accountId} order by created_at desc limit 1`;
  return {
    case: open ?? null,
    events,
    holds,
    serviceState: acct?.serviceState ?? 'connected',
    arrangement: arrangement ?? null,
  };
}

/** Each class's policy, for the classes of the accounts a bill run billed. */
async function runPolicies(sql: Sql, runId: string) {
  const rows = await sql<{ customerClass: string; policy: unknown }[]>`
    select x.customer_class, cp.policy from (
      select distinct a.customer_class from bill b join account a on a.id = b.account_id where b.workflow_id = ${runId}
    ) x left join collection_policy cp on cp.customer_class = x.customer_class`;
  return rows.map((r) => ({ customerClass: r.customerClass, policy: parseCollectionPolicy(r.policy) }));
}

/**
 * A bill run's hand-off to collections: the days on which it has work. From the earliest reminder day to
 * the latest past-due day of the classes it billed; its clock runs on the shortest policy day among them.
 */
export async function handoffPlan(sql: Sql, runId: string) {
  const [due] = await sql<{ dueDate: string | null }[]>`
    select max(due_date)::text as due_date from bill where workflow_id = ${runId}`;
  const policies = await runPolicies(sql, runId);
  if (!due?.dueDate || !policies.length) return null;
  const days = policies.map((p) => p.policy);
  return {
    dueDate: due.dueDate,
    firstDay: addDays(due.dueDate, -Math.max(...days.map((p) => p.reminderDaysBeforeDue))),
    lastDay: addDays(due.dueDate, Math.max(...days.map((p) => p.pastDueNoticeAfterDays))),
    dayLength: days.map((p) => p.dayLength).sort((a, b) => durationMs(a) - durationMs(b))[0]!,
  };
}

/**
 * One pass of a bill run's hand-off, set-based so a 100,000-bill run costs a few statements: reminders for
 * unpaid bills whose class's reminder day has come (not on autopay, not disputed), each once, as a case
 * event and a notice; and the accounts whose bill is now past due, for which a dunning case must start.
 * Unpaid is the newest bill's share of the balance (payments pay the oldest charges first).
 */
export async function handoffPass(sql: Sql, a: { runId: string; today: string }) {
  const policies = await runPolicies(sql, a.runId);
  const classes = policies.map((p) => p.customerClass);
  const remind = policies.map((p) => p.policy.reminderDaysBeforeDue);
  const notice = policies.map((p) => p.policy.pastDueNoticeAfterDays);
  return sql.begin(async (tx) => {
    await tx`create temp table handoff_bill on commit drop as
      select b.id, b.account_id, b.due_date, pol.remind_days, pol.notice_days,
        least(b.total_cents, greatest(0, coalesce((select sum(p.amount_cents) from posting p
          where p.ledger_account_id = 'ar:' || b.account_id), 0)))::bigint as unpaid,
        exists (select 1 from autopay_enrollment e where e.account_id = b.account_id and e.status = 'active') as autopay
      from bill b join account a on a.id = b.account_id
      join unnest(${classes}::text[], ${remind}::int[], ${notice}::int[]) as pol(customer_class, remind_days, notice_days)
        on pol.customer_class = a.customer_class
      where b.workflow_id = ${a.runId} and b.status = 'issued' and b.total_cents > 0
        and not exists (select 1 from dispute d where d.bill_id = b.id and d.status <> 'resolved')`;
    const [reminded] = await tx<{ n: number }[]>`
      with ev as (
        insert into case_event (idempotency_key, subject_type, subject_id, account_id, event, bill_id, detail)
        select 'dunning:' || id || ':reminder', 'collection', ${a.runId}, account_id, 'reminder', id,
               jsonb_build_object('amountCents', unpaid)
        from handoff_bill
        where unpaid > 0 and not autopay and ${a.today}::date between due_date - remind_days and due_date
        on conflict (idempotency_key) do nothing
        returning account_id, bill_id, (detail->>'amountCents')::bigint as amount),
      n as (
        insert into notification (id, idempotency_key, account_id, alert, data)
        select 'ntf_' || replace(gen_random_uuid()::text, '-', ''), 'dunning:' || ev.bill_id || ':reminder', ev.account_id,
               'payment_due', jsonb_build_object('billId', ev.bill_id, 'amountCents', ev.amount, 'dueDate', h.due_date::text)
        from ev join handoff_bill h on h.id = ev.bill_id
        on conflict (idempotency_key) do nothing
        returning id)
      select count(pg_notify('notification_queued', id))::int as n from n`;
    const pastDue = await tx<{ id: string; accountNumber: string }[]>`
      select distinct a.id, a.account_number from handoff_bill h join account a on a.id = h.account_id
      where h.unpaid > 0 and ${a.today}::date >= h.due_date + h.notice_days
        and not exists (select 1 from collection_case c where c.account_id = a.id and c.status = 'open')`;
    return { reminded: reminded!.n, pastDue };
  });
}

/**
 * Accounts owing on a bill whose due date has passed, with no open collection case: those the demo or a
 * legacy migration brought in already in arrears, which no bill run's hand-off will see. Past due is the part
 * of the balance older than the bills not yet due (payments pay the oldest charges first); the dunning
 * workflow then decides from the account's own facts what, if anything, is owed to it.
 */
export async function pastDueWithoutCase(sql: Sql, today: string) {
  return sql<{ id: string; accountNumber: string }[]>`
    select a.id, a.account_number from account a
    where a.status <> 'closed'
      and not exists (select 1 from collection_case c where c.account_id = a.id and c.status = 'open')
      and exists (select 1 from bill b where b.account_id = a.id and b.status = 'issued' and b.due_date < ${today}::date)
      and (select coalesce(sum(p.amount_cents), 0) from posting p where p.ledger_account_id = 'ar:' || a.id)
        > (select coalesce(sum(b.total_cents), 0) from bill b
           where b.account_id = a.id and b.status = 'issued' and b.due_date >= ${today}::date)
    order by a.id`;
}
