// Service requests: start, stop (move-out), transfer, mailing-address change, re-read, seasonal suspend and
// resume. Each is a workflow; these are its records and the changes it makes to accounts and agreements.
import { finalBillPeriod } from '../domain/billing-window.js';
import { assertBalanced, receivable } from '../domain/ledger.js';
import { addDays } from '../domain/period.js';
import { newId } from '../lib/ids.js';
import {
  type ServiceRequestStatus,
  type ServiceRequestStep,
  serviceRequestWorkflowId,
} from '../workflows/contracts/service-request.js';
import { createAccount } from './accounts.js';
import type { Sql, Tx } from './client.js';
import { recordCaseEvent } from './collections.js';
import { accountBalanceCents, postEntry } from './ledger.js';
import { queueNotification } from './notifications.js';
import { Refused } from './refused.js';

export const SERVICE_REQUEST_KINDS = [
  'start_service',
  'stop_service',
  'transfer',
  'mailing_address',
  'reread',
  'seasonal_suspend',
  'seasonal_resume',
] as const;
export type ServiceRequestKind = (typeof SERVICE_REQUEST_KINDS)[number];

/** Policy: these change who is billed for what, so a supervisor or billing admin approves them first. */
export const NEEDS_APPROVAL: ReadonlySet<ServiceRequestKind> = new Set(['start_service', 'transfer']);

export interface ServiceRequestRow {
  id: string;
  accountId: string | null;
  customerId: string | null;
  kind: ServiceRequestKind;
  status: ServiceRequestStatus;
  details: Record<string, string>;
  requiresApproval: boolean;
  decidedBy: string | null;
  result: Record<string, unknown> | null;
  requestedBy: string;
  workflowId: string;
  createdAt: Date;
  completedAt: Date | null;
}

/** The last day an issued bill covers for the account, and its earliest open agreement's start. */
async function billedThrough(sql: Sql | Tx, accountId: string) {
  const [r] = await sql<{ billedThrough: string | null; serviceStart: string | null }[]>`
    select (select max(period_end)::text from bill where account_id = ${accountId} and status = 'issued') as billed_through,
           (select min(start_date)::text from service_agreement where account_id = ${accountId}
              and status <> 'closed') as service_start`;
  return r!;
}

/** The first day a stop or move may take: the day after the last bill, or the service start if none. */
const firstUnbilledDay = (b: { billedThrough: string | null; serviceStart: string | null }) =>
  b.billedThrough ? addDays(b.billedThrough, 1) : b.serviceStart;

/**
 * A move-out's final bill runs from the day after the last bill to the stop date, whatever months that
 * spans (domain/billing-window.ts). Refused when the stop date leaves nothing to bill.
 */
export async function finalBillPeriodFor(sql: Sql, accountId: string, stopDate: string) {
  const b = await billedThrough(sql, accountId);
  const p = finalBillPeriod({
    stopDate,
    billedThrough: b.billedThrough,
    serviceStart: b.serviceStart ?? stopDate,
  });
  if ('refused' in p) throw new ServiceRequestRefused(p.refused, 'parameter_invalid', 'details.stop_date');
  return p;
}

/** How far ahead a customer may schedule a move: a year covers every lease. */
const MAX_DAYS_AHEAD = 366;

export class ServiceRequestRefused extends Refused {}

/**
 * The dates a customer may ask for on the account, as createServiceRequest checks them: a start from today,
 * a stop or move from today and after the last billed day (or the service start), none past a year ahead.
 */
export async function moveDateRules(sql: Sql, accountId: string, today: string) {
  const after = firstUnbilledDay(await billedThrough(sql, accountId));
  return {
    today,
    earliestStart: today,
    earliestStop: after && after > today ? after : today,
    latest: addDays(today, MAX_DAYS_AHEAD),
  };
}

export async function createServiceRequest(
  sql: Sql,
  r: {
    accountId: string | null;
    customerId: string | null;
    kind: ServiceRequestKind;
    details: Record<string, unknown>;
    requestedBy: string;
    approver: boolean;
    /** the utility's date today (the injected clock) */
    today: string;
    /** staff may record a move that already happened; customers schedule from today on */
    staff?: boolean;
  },
): Promise<ServiceRequestRow> {
  const d = r.details as Record<string, string>;
  const date = (k: string) => {
    if (typeof d[k] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d[k]) || Number.isNaN(Date.parse(d[k])))
      throw new ServiceRequestRefused(
        `details.${k} must be a date such as 2026-12-15`,
        'parameter_invalid',
        `details.${k}`,
      );
  };
  const premise = async (k: string) => {
    const [p] = await sql`select id from premise where id = ${String(d[k] ?? '')}`;
    if (!p)
      throw new ServiceRequestRefused(`details.${k}: no such premise`, 'resource_missing', `details.${k}`);
  };
  if (r.kind !== 'start_service' && !r.accountId)
    throw new ServiceRequestRefused(
      'this request is about an account: give account',
      'parameter_missing',
      'account',
    );
  if (r.kind === 'start_service') {
    date('start_date');
    await premise('premise_id');
    if (!r.customerId)
      throw new ServiceRequestRefused('start service needs a customer', 'parameter_missing', 'customer');
  }
  // a date the request's work could never honour is refused now, not left to fail in a workflow
  const when = (k: string, earliest: string | null) => {
    if (!r.staff && d[k]! < r.today)
      throw new ServiceRequestRefused(
        `details.${k} cannot be in the past (today is ${r.today})`,
        'parameter_invalid',
        `details.${k}`,
      );
    if (d[k]! > addDays(r.today, MAX_DAYS_AHEAD))
      throw new ServiceRequestRefused(
        `details.${k} is more than ${MAX_DAYS_AHEAD} days ahead`,
        'parameter_invalid',
        `details.${k}`,
      );
    if (earliest && d[k]! < earliest)
      throw new ServiceRequestRefused(
        `details.${k} must be on or after ${earliest}`,
        'parameter_invalid',
        `details.${k}`,
      );
  };
  if (r.kind === 'start_service') when('start_date', null);
  if (r.kind === 'stop_service' || r.kind === 'transfer') {
    const k = r.kind === 'stop_service' ? 'stop_date' : 'move_date';
    date(k);
    if (r.accountId) {
      when(k, firstUnbilledDay(await billedThrough(sql, r.accountId)));
    }
    if (r.kind === 'transfer') await premise('to_premise_id');
  }
  if (r.kind === 'mailing_address')
    for (const k of ['line1', 'city', 'state', 'postal_code'])
      if (typeof d[k] !== 'string' || !d[k].trim() || d[k].length > 200)
        throw new ServiceRequestRefused(`details.${k} is required`, 'parameter_missing', `details.${k}`);
  if (r.accountId) {
    const [a] = await sql<{ status: string }[]>`select status from account where id = ${r.accountId}`;
    if (!a) throw new ServiceRequestRefused('no such account', 'resource_missing', 'account');
    if (a.status === 'closed')
      throw new ServiceRequestRefused('the account is closed', 'account_closed', 'account');
  }
  const id = newId('sr');
  const requiresApproval = NEEDS_APPROVAL.has(r.kind) && !r.approver;
  return sql.begin(async (tx) => {
    const [row] = await tx<ServiceRequestRow[]>`
      insert into service_request (id, account_id, customer_id, kind, status, details, requires_approval, requested_by, workflow_id)
      values (${id}, ${r.accountId}, ${r.customerId}, ${r.kind}, 'submitted', ${tx.json(d as never)}, ${requiresApproval},
              ${r.requestedBy}, ${serviceRequestWorkflowId(id)})
      returning *`;
    await recordCaseEvent(tx, {
      key: `sr:${id}:submitted`,
      subjectType: 'service_request',
      subjectId: id,
      accountId: r.accountId,
      event: 'submitted',
      detail: { kind: r.kind, details: d },
      actor: r.requestedBy,
    });
    return row!;
  });
}

export async function getServiceRequest(sql: Sql | Tx, id: string) {
  const [row] = await sql<ServiceRequestRow[]>`select * from service_request where id = ${id}`;
  return row;
}

/** Whose request it is (undefined for none, or a start of service that has no account yet). */
export async function serviceRequestAccountId(sql: Sql, id: string): Promise<string | undefined> {
  const [r] = await sql<
    { accountId: string | null }[]
  >`select account_id from service_request where id = ${id}`;
  return r?.accountId ?? undefined;
}

/** The account's requests, newest first (the latest 100). */
export async function accountServiceRequests(sql: Sql, accountId: string) {
  return sql<ServiceRequestRow[]>`
    select * from service_request where account_id = ${accountId} order by created_at desc limit 100`;
}

/** Requests in a status, oldest first (awaiting_approval is the approval queue); one more than the limit. */
export async function serviceRequestsByStatus(sql: Sql, status: string, limit: number) {
  return sql<ServiceRequestRow[]>`
    select * from service_request where status = ${status} order by created_at limit ${limit + 1}`;
}

/** Moves the request on, with a trail entry and (where there is an account) a notice to the customer. */
export async function setServiceRequestStatus(
  sql: Sql,
  id: string,
  status: ServiceRequestStep,
  detail: Record<string, unknown> = {},
  actor = 'system',
) {
  return sql.begin(async (tx) => {
    const [r] = await tx<ServiceRequestRow[]>`
      update service_request set status = ${status},
        result = case when ${status} in ('completed', 'rejected', 'failed') then ${tx.json(detail as never)} else result end,
        completed_at = case when ${status} in ('completed', 'rejected', 'failed') then now() else completed_at end,
        decided_by = case when ${status} in ('in_progress', 'rejected') and ${actor} like 'user_%' then ${actor} else decided_by end
      where id = ${id} returning *`;
    if (!r) return;
    await recordCaseEvent(tx, {
      key: `sr:${id}:${status}`,
      subjectType: 'service_request',
      subjectId: id,
      accountId: r.accountId ?? (detail.accountId as string | undefined) ?? null,
      event: status,
      detail,
      actor,
    });
    const accountId = r.accountId ?? (detail.accountId as string | undefined);
    if (accountId)
      await queueNotification(tx, {
        accountId,
        alert: 'service_request_status',
        key: `sr:${id}:${status}`,
        data: { requestId: id, kind: r.kind, status },
      });
  });
}

/**
 * The customer's mailing address from now on, with the one it replaces kept in mailing_address_change so
 * bills issued before today keep theirs (db/mailing-address.ts). Once per request: a retried step finds it done.
 */
export async function changeMailingAddress(
  sql: Sql,
  accountId: string,
  address: Record<string, unknown>,
  requestId?: string,
) {
  const addr = {
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    state: address.state,
    postal_code: address.postal_code,
  };
  await sql.begin(async (tx) => {
    const [c] = await tx<{ id: string; mailingAddress: unknown }[]>`
      select c.id, c.mailing_address from customer c
      where c.id = (select customer_id from account where id = ${accountId}) for update`;
    if (!c) throw new ServiceRequestRefused('no such account', 'resource_missing', 'account');
    const [done] = requestId
      ? await tx`select 1 from mailing_address_change where request_id = ${requestId}`
      : [];
    if (done) return;
    await tx`insert into mailing_address_change (customer_id, previous, address, request_id)
      values (${c.id}, ${c.mailingAddress === null ? null : tx.json(c.mailingAddress as never)}, ${tx.json(addr as never)}, ${requestId ?? null})`;
    await tx`update customer set mailing_address = ${tx.json(addr as never)} where id = ${c.id}`;
  });
  return addr;
}

/** Seasonal suspend stops consumption charges (bill-calc skips suspended metered services); resume restarts. */
export async function setSeasonal(sql: Sql, accountId: string, suspend: boolean) {
  const rows = await sql<{ id: string }[]>`
    update service_agreement set status = ${suspend ? 'suspended_seasonal' : 'active'}
    where account_id = ${accountId} and status = ${suspend ? 'active' : 'suspended_seasonal'}
      and service_type in ('water', 'sewer', 'electric', 'gas')
    returning id`;
  return rows.map((r) => r.id);
}

/** Ends the account's agreements (at one premise, or all) on the given day. */
export async function endAgreements(sql: Sql, accountId: string, endDate: string, premiseId?: string) {
  const rows = await sql<{ id: string }[]>`
    update service_agreement sa set end_date = ${endDate}, status = 'pending_stop'
    from service_point sp
    where sp.id = sa.service_point_id and sa.account_id = ${accountId} and sa.end_date is null
      and (${premiseId ?? null}::text is null or sp.premise_id = ${premiseId ?? null})
    returning sa.id`;
  return rows.map((r) => r.id);
}

/**
 * New agreements for every service point at a premise, each on the rate schedule its service type last
 * used there (or the most used one for that service). Returns the agreement ids.
 */
export async function startAgreements(
  sql: Sql | Tx,
  accountId: string,
  premiseId: string,
  startDate: string,
) {
  const points = await sql<{ id: string; serviceType: string; rateScheduleId: string | null }[]>`
    select sp.id, sp.service_type,
      coalesce(
        (select sa.rate_schedule_id from service_agreement sa where sa.service_point_id = sp.id order by sa.start_date desc limit 1),
        (select sa.rate_schedule_id from service_agreement sa where sa.service_type = sp.service_type
          group by 1 order by count(*) desc limit 1)) as rate_schedule_id
    from service_point sp where sp.premise_id = ${premiseId} order by sp.service_type`;
  const ids: string[] = [];
  for (const p of points) {
    if (!p.rateScheduleId) continue; // no tariff for this service yet: staff set it up by hand
    const id = newId('sa');
    await sql`insert into service_agreement (id, account_id, service_point_id, service_type, rate_schedule_id, status, start_date)
      values (${id}, ${accountId}, ${p.id}, ${p.serviceType}, ${p.rateScheduleId}, 'active', ${startDate})`;
    ids.push(id);
  }
  return ids;
}

/** A new account for the customer at the premise (start service), with portal access for the requester. */
export async function startService(
  sql: Sql,
  r: ServiceRequestRow,
): Promise<{ accountId: string; accountNumber: string; agreements: string[] }> {
  const [existing] = await sql<{ id: string; accountNumber: string }[]>`
    select a.id, a.account_number from account a where a.id = (select account_id from service_request where id = ${r.id})`;
  if (existing) {
    const agreements = await sql<
      { id: string }[]
    >`select id from service_agreement where account_id = ${existing.id}`;
    return {
      accountId: existing.id,
      accountNumber: existing.accountNumber,
      agreements: agreements.map((x) => x.id),
    };
  }
  const acct = await createAccount(sql, {
    customerId: r.customerId!,
    customerClass: r.details.customer_class,
  });
  const agreements = await startAgreements(sql, acct.id, r.details.premise_id!, r.details.start_date!);
  await sql`update service_request set account_id = ${acct.id} where id = ${r.id}`;
  if (r.requestedBy.startsWith('customer:'))
    await sql`insert into portal_account_access (user_id, account_id) values (${r.requestedBy.slice(9)}, ${acct.id})
      on conflict do nothing`;
  return { accountId: acct.id, accountNumber: acct.accountNumber, agreements };
}

/**
 * After the final bill: the deposit held pays what is still owed and the rest is refunded (a payable to the
 * customer until the refund cheque goes out). Both are journal entries keyed to the request.
 */
export async function settleDeposit(sql: Sql, accountId: string, key: string, today: string) {
  return sql.begin(async (tx) => {
    const deposits = await tx<{ id: string; amountCents: number }[]>`
      select id, amount_cents from deposit where account_id = ${accountId} and status in ('billed', 'held') for update`;
    const held = deposits.reduce((n, d) => n + d.amountCents, 0);
    if (!held) return { appliedCents: 0, refundCents: 0 };
    const owed = Math.max(0, await accountBalanceCents(tx, accountId));
    const applied = Math.min(owed, held);
    const refund = held - applied;
    const postings = [
      { ledgerAccount: 'deposits_held' as const, amountCents: held },
      ...(applied ? [{ ledgerAccount: receivable(accountId), amountCents: -applied }] : []),
      ...(refund ? [{ ledgerAccount: 'refunds_payable' as const, amountCents: -refund }] : []),
    ];
    await postEntry(
      tx,
      assertBalanced({
        idempotencyKey: `${key}:deposit`,
        kind: 'deposit',
        accountId,
        effectiveOn: today,
        description: `Deposit: ${applied ? 'applied to the final bill' : ''}${applied && refund ? ', ' : ''}${refund ? 'rest refunded' : ''}`,
        postings,
      }),
    );
    await tx`update deposit set status = ${refund ? 'refunded' : 'applied'} where id = any(${deposits.map((d) => d.id)})`;
    return { appliedCents: applied, refundCents: refund };
  });
}

export async function closeAccount(sql: Sql, accountId: string) {
  await sql`update service_agreement set status = 'closed' where account_id = ${accountId} and status = 'pending_stop'`;
  await sql`update account set status = 'closed' where id = ${accountId}`;
}
