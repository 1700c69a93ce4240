// Bill disputes: opened by the customer or staff, investigated (optionally with a re-read), resolved as
// upheld, adjusted (a credit) or cancel/rebill. Every step is a case_event and a notice to the customer.
import { durationMs } from '../domain/policy-clock.js';
import type { ReadCorrection } from '../domain/reads.js';
import { newId } from '../lib/ids.js';
import {
  type DisputeResolution,
  type DisputeResolutionKind,
  type DisputeStatus,
  disputeWorkflowId,
} from '../workflows/contracts/dispute.js';
import { postAdjustment, reverseEntry } from './adjustments.js';
import type { Sql, Tx } from './client.js';
import { caseEvents, collectionPolicyFor, recordCaseEvent } from './collections.js';
import { queueNotification } from './notifications.js';
import { cancelAndRebill } from './rebill.js';
import { Refused } from './refused.js';

export class DisputeRefused extends Refused {}

export interface DisputeRow {
  id: string;
  accountId: string;
  billId: string;
  reason: string;
  disputedCents: number;
  reread: boolean;
  status: DisputeStatus;
  resolution: DisputeResolutionKind | null;
  resolutionDetail: Record<string, unknown> | null;
  openedBy: string;
  slaDueAt: Date;
  workflowId: string;
  createdAt: Date;
  resolvedAt: Date | null;
}

/** Opens a dispute on an issued bill, due for an answer within its account's policy's dispute SLA. */
export async function openDispute(
  sql: Sql,
  d: {
    billId: string;
    reason: string;
    amountCents?: number;
    reread: boolean;
    openedBy: string;
  },
): Promise<DisputeRow> {
  return sql.begin(async (tx) => {
    const [bill] = await tx<{ accountId: string; totalCents: number; status: string }[]>`
      select account_id, total_cents, status from bill where id = ${d.billId}`;
    if (!bill) throw new DisputeRefused(`No such bill: '${d.billId}'`, 'resource_missing', 'id');
    const policy = await collectionPolicyFor(tx, bill.accountId);
    const slaMs = policy.disputeSlaDays * durationMs(policy.dayLength);
    if (bill.status !== 'issued')
      throw new DisputeRefused(`bill ${d.billId} is ${bill.status}`, 'bill_not_disputable', 'bill');
    const amount = d.amountCents ?? bill.totalCents;
    if (amount <= 0 || amount > Math.max(bill.totalCents, 0))
      throw new DisputeRefused(
        'the disputed amount must be more than zero and at most the bill total',
        'parameter_invalid',
        'amount_cents',
      );
    const [open] = await tx`select id from dispute where bill_id = ${d.billId} and status <> 'resolved'`;
    if (open)
      throw new DisputeRefused(`bill ${d.billId} already has an open dispute`, 'dispute_exists', 'bill');
    const id = newId('disp');
    const [row] = await tx<DisputeRow[]>`
      insert into dispute (id, account_id, bill_id, reason, disputed_cents, reread, opened_by, sla_due_at, workflow_id)
      values (${id}, ${bill.accountId}, ${d.billId}, ${d.reason}, ${amount}, ${d.reread}, ${d.openedBy},
              now() + ${`${slaMs} milliseconds`}::interval, ${disputeWorkflowId(id)})
      returning *`;
    await recordCaseEvent(tx, {
      key: `dispute:${id}:opened`,
      subjectType: 'dispute',
      subjectId: id,
      accountId: bill.accountId,
      event: 'opened',
      billId: d.billId,
      detail: { reason: d.reason, disputedCents: amount, reread: d.reread },
      actor: d.openedBy,
    });
    await notifyDispute(tx, row!, 'opened');
    return row!;
  });
}

export async function notifyDispute(
  db: Sql | Tx,
  d: DisputeRow,
  status: string,
  extra: Record<string, number | string> = {},
) {
  await queueNotification(db, {
    accountId: d.accountId,
    alert: 'dispute_status',
    key: `dispute:${d.id}:${status}`,
    data: { disputeId: d.id, billId: d.billId, status, ...extra },
  });
}

export async function getDispute(sql: Sql | Tx, id: string): Promise<DisputeRow | undefined> {
  const [row] = await sql<DisputeRow[]>`select * from dispute where id = ${id}`;
  return row;
}

export async function disputeEvents(sql: Sql, id: string) {
  return caseEvents(sql, 'dispute', id);
}

/** Whose dispute it is (undefined when there is no such dispute). */
export async function disputeAccountId(sql: Sql, id: string): Promise<string | undefined> {
  const [d] = await sql<{ accountId: string }[]>`select account_id from dispute where id = ${id}`;
  return d?.accountId;
}

/** The account's disputes, newest first (the latest 100). */
export async function accountDisputes(sql: Sql, accountId: string) {
  return sql<DisputeRow[]>`
    select * from dispute where account_id = ${accountId} order by created_at desc limit 100`;
}

/** Disputes in a status (by default every one not resolved), the nearest SLA first; one more than the limit. */
export async function disputesByStatus(sql: Sql, status: string | undefined, limit: number) {
  return status
    ? sql<DisputeRow[]>`select * from dispute where status = ${status} order by sla_due_at limit ${limit + 1}`
    : sql<
        DisputeRow[]
      >`select * from dispute where status <> 'resolved' order by sla_due_at limit ${limit + 1}`;
}

export async function markDispute(
  sql: Sql,
  id: string,
  status: Extract<DisputeStatus, 'investigating' | 'escalated'>,
  detail: Record<string, unknown>,
) {
  await sql.begin(async (tx) => {
    const [d] = await tx<
      DisputeRow[]
    >`update dispute set status = ${status} where id = ${id} and status <> 'resolved' returning *`;
    if (!d) return;
    await recordCaseEvent(tx, {
      key: `dispute:${id}:${status}`,
      subjectType: 'dispute',
      subjectId: id,
      accountId: d.accountId,
      event: status,
      billId: d.billId,
      detail,
    });
    if (status === 'investigating') await notifyDispute(tx, d, status);
  });
}

/**
 * Applies the decision once. When the dispute finds for the customer (a credit or a rebill), late fees
 * charged on the disputed bill are reversed too: they were charged on an amount that was not owed.
 */
export async function resolveDispute(sql: Sql, id: string, r: DisputeResolution, today: string) {
  const d = await getDispute(sql, id);
  if (!d) throw new DisputeRefused(`no dispute ${id}`, 'resource_missing');
  if (d.status === 'resolved') return d;
  const detail: Record<string, unknown> = { by: r.by, note: r.note ?? null };
  if (r.resolution === 'adjusted') {
    const adj = await postAdjustment(sql, {
      idempotencyKey: `dispute:${id}:credit`,
      accountId: d.accountId,
      kind: 'credit',
      amountCents: -Math.abs(r.creditCents),
      reason: `Dispute ${id} resolved: ${r.note ?? 'billing adjustment'}`,
      billId: d.billId,
      userId: r.by,
      on: today,
    });
    Object.assign(detail, { creditCents: Math.abs(r.creditCents), adjustmentId: adj.id });
  }
  if (r.resolution === 'rebill') {
    const corrections = r.corrections?.length ? r.corrections : await correctionsFromReread(sql, d);
    if (!corrections.length)
      throw new DisputeRefused(
        'a rebill needs a corrected read: give one, or request a re-read that is lower than the billed read',
        'parameter_missing',
        'corrections',
      );
    const rebill = await cancelAndRebill(sql, {
      billId: d.billId,
      corrections,
      key: `dispute:${id}:rebill`,
      today,
    });
    Object.assign(detail, rebill, { corrections });
  }
  if (r.resolution !== 'upheld') {
    const fees = await sql<{ journalEntryId: string; amountCents: number }[]>`
      select a.journal_entry_id, a.amount_cents from adjustment a
      where a.bill_id = ${d.billId} and a.kind = 'late_fee'
        and not exists (select 1 from journal_entry r where r.reverses_id = a.journal_entry_id)`;
    for (const f of fees)
      await reverseEntry(sql, {
        journalEntryId: f.journalEntryId,
        idempotencyKey: `dispute:${id}:reverse-fee:${f.journalEntryId}`,
        reason: `late fee on a bill found in the customer's favour (dispute ${id})`,
        on: today,
      });
    detail.lateFeesReversedCents = fees.reduce((n, f) => n + f.amountCents, 0);
  }
  return sql.begin(async (tx) => {
    const [done] = await tx<DisputeRow[]>`
      update dispute set status = 'resolved', resolution = ${r.resolution}, resolution_detail = ${tx.json(detail as never)},
        resolved_at = now() where id = ${id} and status <> 'resolved' returning *`;
    if (!done) return (await getDispute(tx, id))!;
    await recordCaseEvent(tx, {
      key: `dispute:${id}:resolved`,
      subjectType: 'dispute',
      subjectId: id,
      accountId: d.accountId,
      event: 'resolved',
      billId: d.billId,
      detail: { resolution: r.resolution, ...detail },
      actor: r.by,
    });
    await notifyDispute(tx, done, 'resolved', {
      resolution: r.resolution,
      ...(typeof detail.creditCents === 'number' ? { creditCents: detail.creditCents } : {}),
    });
    return done;
  });
}

/**
 * The re-read taken for the dispute, where it is below the bill's closing read: the meter cannot run
 * backwards, so the closing read was over-read and the re-read is the most it could have been.
 */
async function correctionsFromReread(sql: Sql, d: DisputeRow): Promise<ReadCorrection[]> {
  const rows = await sql<{ endReadId: string; billed: string; reread: string }[]>`
    select s.end_read_id, e.value::text as billed, r.value::text as reread
    from bill_segment s
    join meter_read e on e.id = s.end_read_id
    join lateral (select value from meter_read x where x.meter_id = e.meter_id
                  and x.flags @> ${sql.json([{ onDemand: `dispute:${d.id}` }] as never)} order by read_at desc limit 1) r on true
    where s.bill_id = ${d.billId} and r.value < e.value`;
  return rows.map((r) => ({ readId: r.endReadId, value: r.reread }));
}
