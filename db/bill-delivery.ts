// Bill delivery, the pipeline's step after storing: paperless customers with a verified email get a bill_ready
// notice with the e-bill link (queued here, sent by the messaging capability by their subscriptions and
// language); everyone else's bill joins its cycle's print batch. Idempotent per bill (notification key, print
// key), so it can run in the issuing transaction and again on a retry.
import { printBatchOf } from '../domain/bill-issue.js';
import type { Sql, Tx } from './client.js';
import { queueNotifications } from './notifications.js';

export interface DeliveryCounts {
  emailed: number;
  printed: number;
}

/**
 * Queues delivery of `billIds` in the caller's transaction. A printed bill joins `batch` when given, else its
 * own cycle's batch for its period.
 */
export async function queueBillDelivery(
  tx: Tx | Sql,
  billIds: string[],
  publicUrl: string,
  batch?: string,
): Promise<DeliveryCounts> {
  if (!billIds.length) return { emailed: 0, printed: 0 };
  const bills = await tx<
    {
      id: string;
      accountId: string;
      period: string;
      billingCycle: string;
      totalCents: number;
      dueDate: string;
      paperless: boolean;
      email: string | null;
    }[]
  >`
    select b.id, b.account_id, b.period, a.billing_cycle, b.total_cents, b.due_date::text, a.paperless,
      (select cc.value from customer_contact cc where cc.customer_id = a.customer_id and cc.kind = 'email'
         and cc.verified_at is not null and cc.status = 'active' limit 1) as email
    from bill b join account a on a.id = b.account_id
    where b.id = any(${billIds})`;
  // paperless without a verified email address cannot be emailed: it is printed rather than lost
  const email = bills.filter((b) => b.paperless && b.email);
  const print = bills.filter((b) => !(b.paperless && b.email));
  const emailed = (
    await queueNotifications(
      tx,
      email.map((b) => ({
        accountId: b.accountId,
        alert: 'bill_ready' as const,
        key: `bill-ready/${b.id}`,
        data: {
          billId: b.id,
          period: b.period,
          amountCents: b.totalCents,
          dueDate: b.dueDate,
          link: `${publicUrl}/bills/${b.id}/document`,
        },
      })),
    )
  ).length;
  const rows = print.map((b) => ({ bill_id: b.id, batch: batch ?? printBatchOf(b.billingCycle, b.period) }));
  const printed = rows.length
    ? (await tx`insert into print_batch_item ${tx(rows)} on conflict (bill_id) do nothing returning bill_id`)
        .length
    : 0;
  return { emailed, printed };
}
