// Refunds of a payment: reserved first (under a lock on the payment, before the gateway is called), then
// settled when the ledger entry posts, or released when the gateway refuses. Reserved and settled refunds
// both count against what is left, so two refunds sent at once can never together pass the payment.
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { Refused } from './refused.js';

export interface ReservedRefund {
  refundId: string;
  paymentId: string;
  seq: number;
  amountCents: number;
}

/**
 * Reserves a refund of `amountCents` (or of all that is left). The payment row is locked for the
 * transaction, so a concurrent reservation waits and then sees this one. The `refund_within_payment`
 * trigger checks the same sum again in the database.
 */
export async function reserveRefund(
  sql: Sql,
  r: { paymentId: string; amountCents?: number; reason: string; requestedBy: string | null },
): Promise<ReservedRefund> {
  return sql.begin(async (tx) => {
    const [p] = await tx<{ amountCents: number; status: string }[]>`
      select amount_cents, status from payment where id = ${r.paymentId} for no key update`;
    if (!p) throw new Refused(`No such payment: '${r.paymentId}'`, 'resource_missing', 'id');
    if (p.status !== 'succeeded')
      throw new Refused(`A ${p.status} payment cannot be refunded`, 'payment_not_refundable', 'id');
    const [t] = await tx<{ taken: number; lastSeq: number }[]>`
      select coalesce(sum(amount_cents) filter (where status <> 'failed'), 0)::bigint as taken,
             coalesce(max(seq), 0)::int as last_seq
      from refund where payment_id = ${r.paymentId}`;
    const left = p.amountCents - t!.taken;
    const amount = r.amountCents ?? left;
    if (amount <= 0 || amount > left)
      throw new Refused(`At most ${left} cents remain to refund`, 'amount_too_large', 'amountCents');
    const refund = {
      refundId: newId('ref'),
      paymentId: r.paymentId,
      seq: t!.lastSeq + 1,
      amountCents: amount,
    };
    await tx`insert into refund (id, payment_id, seq, amount_cents, reason, requested_by)
      values (${refund.refundId}, ${r.paymentId}, ${refund.seq}, ${amount}, ${r.reason}, ${r.requestedBy})`;
    return refund;
  });
}

/** The refund posted: it is settled and counts in the payment's refunded total (fully refunded: 'refunded'). */
export async function settleRefund(
  tx: Tx,
  a: { refundId: string; journalEntryId: string; gatewayRef: string | null },
) {
  const [r] = await tx<{ paymentId: string; amountCents: number }[]>`
    update refund set status = 'succeeded', journal_entry_id = ${a.journalEntryId}, gateway_ref = ${a.gatewayRef}
    where id = ${a.refundId} and status = 'pending' returning payment_id, amount_cents`;
  if (!r) return false; // settled already (a retried activity)
  await tx`update payment set refunded_cents = refunded_cents + ${r.amountCents},
      status = case when refunded_cents + ${r.amountCents} >= amount_cents then 'refunded' else status end
    where id = ${r.paymentId}`;
  return true;
}

/** The gateway refused the refund: its cents are free to refund again. */
export async function releaseRefund(sql: Sql, refundId: string) {
  await sql`update refund set status = 'failed' where id = ${refundId} and status = 'pending'`;
}
