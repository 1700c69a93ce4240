// Payment arrangements: what is past due now, paid in instalments. While one is kept, collections leaves
// the arranged bills alone; a missed instalment breaks it and collections resumes.
import { type CollectionPolicy, installmentPlan } from '../domain/collections.js';
import { addDays } from '../domain/period.js';
import { newId } from '../lib/ids.js';
import {
  type ArrangementOutcome,
  type ArrangementStatus,
  arrangementWorkflowId,
} from '../workflows/contracts/arrangement.js';
import type { Sql } from './client.js';
import { accountCharges, collectionPolicyFor, recordCaseEvent } from './collections.js';
import { queueNotification } from './notifications.js';
import { Refused } from './refused.js';

export interface Installment {
  seq: number;
  dueDate: string;
  amountCents: number;
}

export interface ArrangementRow {
  id: string;
  accountId: string;
  totalCents: number;
  installments: Installment[];
  coversDueOn: string;
  status: ArrangementStatus;
  workflowId: string;
  createdBy: string | null;
  createdAt: Date;
  closedAt: Date | null;
}

export class ArrangementRefused extends Refused {}

/** What is due today and could be arranged: every unpaid charge (bills and fees) due on or before today. */
export async function arrangeableCents(sql: Sql, accountId: string, today: string) {
  const { charges } = await accountCharges(sql, accountId);
  return charges.filter((c) => c.dueDate <= today).reduce((n, c) => n + c.unpaidCents, 0);
}

/** The instalments of an arrangement made today: the first a week from today, then every 30 days, unless asked otherwise. */
export function arrangementPlan(
  totalCents: number,
  installments: number,
  today: string,
  firstDue?: string,
  everyDays?: number,
): Installment[] {
  return installmentPlan(totalCents, installments, firstDue ?? addDays(today, 7), everyDays ?? 30);
}

/** A customer whose arrangement broke in the last year sets up the next one with us, not online. */
async function brokenWithinYear(sql: Sql, accountId: string) {
  const [broken] = await sql`select 1 from payment_arrangement where account_id = ${accountId}
      and status = 'broken' and closed_at > now() - interval '365 days'`;
  return !!broken;
}

export type ArrangementOffer =
  | { eligible: false; reason: 'nothing_to_arrange' | 'arrangement_active' | 'broken_recently' }
  | {
      eligible: true;
      totalCents: number;
      /** one choice per number of instalments the customer may pick alone (2 up to the policy's most) */
      options: { installments: number; plan: Installment[] }[];
    };

/**
 * What a customer may arrange online today, by the rules createArrangement applies to a self-service
 * arrangement: the same amount, the same plan for each number of instalments, the same refusals.
 */
export async function arrangementOffer(
  sql: Sql,
  accountId: string,
  today: string,
): Promise<ArrangementOffer> {
  const [policy, total, [active], broken] = await Promise.all([
    collectionPolicyFor(sql, accountId),
    arrangeableCents(sql, accountId, today),
    sql`select 1 from payment_arrangement where account_id = ${accountId} and status = 'active'`,
    brokenWithinYear(sql, accountId),
  ]);
  if (active) return { eligible: false, reason: 'arrangement_active' };
  if (total <= 0) return { eligible: false, reason: 'nothing_to_arrange' };
  if (broken) return { eligible: false, reason: 'broken_recently' };
  const counts = Array.from({ length: Math.max(0, policy.maxSelfServiceInstallments - 1) }, (_, i) => i + 2);
  if (!counts.length) return { eligible: false, reason: 'nothing_to_arrange' };
  return {
    eligible: true,
    totalCents: total,
    options: counts.map((n) => ({ installments: n, plan: arrangementPlan(total, n, today) })),
  };
}

export async function createArrangement(
  sql: Sql,
  a: {
    accountId: string;
    installments: number;
    everyDays?: number;
    firstDue?: string;
    today: string;
    createdBy: string;
    /** customers set up their own within policy; staff may go beyond it */
    selfService: boolean;
  },
): Promise<ArrangementRow> {
  const policy: CollectionPolicy = await collectionPolicyFor(sql, a.accountId);
  if (a.selfService) {
    if (a.installments > policy.maxSelfServiceInstallments)
      throw new ArrangementRefused(
        `online arrangements have at most ${policy.maxSelfServiceInstallments} instalments; call us for more`,
        'parameter_invalid',
        'installments',
      );
    if (await brokenWithinYear(sql, a.accountId))
      throw new ArrangementRefused(
        'an arrangement was broken in the last year; please call us to set up another',
        'arrangement_not_eligible',
      );
  }
  const total = await arrangeableCents(sql, a.accountId, a.today);
  if (total <= 0) throw new ArrangementRefused('nothing is past due to arrange', 'arrangement_not_eligible');
  let plan: Installment[];
  try {
    plan = arrangementPlan(total, a.installments, a.today, a.firstDue, a.everyDays);
  } catch (e) {
    throw new ArrangementRefused((e as Error).message, 'parameter_invalid', 'installments');
  }
  const id = newId('arr');
  return sql.begin(async (tx) => {
    const [row] = await tx<ArrangementRow[]>`
      insert into payment_arrangement (id, account_id, total_cents, installments, covers_due_on, workflow_id, created_by)
      values (${id}, ${a.accountId}, ${total}, ${tx.json(plan as never)}, ${a.today}, ${arrangementWorkflowId(id)}, ${a.createdBy})
      on conflict do nothing
      returning *`;
    if (!row)
      throw new ArrangementRefused('the account already has an active arrangement', 'arrangement_exists');
    await recordCaseEvent(tx, {
      key: `arrangement:${id}:created`,
      subjectType: 'arrangement',
      subjectId: id,
      accountId: a.accountId,
      event: 'created',
      detail: { totalCents: total, installments: plan },
      actor: a.createdBy,
    });
    await queueNotification(tx, {
      accountId: a.accountId,
      alert: 'arrangement_status',
      key: `arrangement:${id}:created`,
      data: {
        arrangementId: id,
        status: 'active',
        installmentCents: plan[0]!.amountCents,
        nextDueDate: plan[0]!.dueDate,
      },
    });
    return row!;
  });
}

/** The account's arrangements, newest first, each with what was paid while it ran. */
export async function listArrangements(sql: Sql, accountId: string) {
  return sql`
    select pa.id, pa.status, pa.total_cents, pa.installments, pa.covers_due_on::text, pa.created_at, pa.closed_at,
      (select coalesce(sum(p.amount_cents), 0)::bigint from payment p where p.account_id = pa.account_id
         and p.status = 'succeeded' and p.created_at >= pa.created_at
         and (pa.closed_at is null or p.created_at <= pa.closed_at)) as paid_cents
    from payment_arrangement pa where pa.account_id = ${accountId} order by pa.created_at desc`;
}

/** Payments received on the account since the arrangement began (what counts towards its instalments). */
export async function paidSince(sql: Sql, accountId: string, since: Date) {
  const [row] = await sql<{ paid: number }[]>`
    select coalesce(sum(amount_cents), 0)::bigint as paid from payment
    where account_id = ${accountId} and status = 'succeeded' and created_at >= ${since}`;
  return row!.paid;
}

export async function closeArrangement(
  sql: Sql,
  id: string,
  status: ArrangementOutcome,
  detail: Record<string, unknown>,
) {
  return sql.begin(async (tx) => {
    const [row] = await tx<ArrangementRow[]>`
      update payment_arrangement set status = ${status}, closed_at = now() where id = ${id} and status = 'active' returning *`;
    if (!row) return;
    await recordCaseEvent(tx, {
      key: `arrangement:${id}:${status}`,
      subjectType: 'arrangement',
      subjectId: id,
      accountId: row.accountId,
      event: status,
      detail,
    });
    await queueNotification(tx, {
      accountId: row.accountId,
      alert: 'arrangement_status',
      key: `arrangement:${id}:${status}`,
      urgent: status === 'broken',
      data: { arrangementId: id, status },
    });
  });
}
