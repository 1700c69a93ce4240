// Bill delivery: paperless customers with a verified email get a bill_ready notice with the e-bill link (queued
// with queueNotification, then sent by the messaging capability by their subscriptions and language);
// everyone else's bill joins the print batch for the cycle. Idempotent per bill (notification key, print key).
import type { Sql } from '../db/client.js';
import { queueNotification } from '../db/notifications.js';

export function createDeliveryActivities(
  sql: Sql,
  opts: { publicUrl: string; emailProvider: 'sendgrid' | 'outbox' },
) {
  return {
    async deliverBills(a: {
      billIds: string[];
      batch: string;
    }): Promise<{ emailed: number; printed: number }> {
      if (!a.billIds.length) return { emailed: 0, printed: 0 };
      const bills = await sql<
        {
          id: string;
          accountId: string;
          period: string;
          totalCents: number;
          dueDate: string;
          paperless: boolean;
          email: string | null;
          language: string;
        }[]
      >`
        select b.id, b.account_id, b.period, b.total_cents, b.due_date::text, a.paperless, c.language,
          (select cc.value from customer_contact cc where cc.customer_id = a.customer_id and cc.kind = 'email'
             and cc.verified_at is not null and cc.status = 'active' limit 1) as email
        from bill b join account a on a.id = b.account_id join customer c on c.id = a.customer_id
        where b.id = any(${a.billIds})`;
      // paperless without a verified email address cannot be emailed: it is printed rather than lost
      const email = bills.filter((b) => b.paperless && b.email);
      const print = bills.filter((b) => !(b.paperless && b.email));
      return sql.begin(async (tx) => {
        let emailed = 0;
        let printed = 0;
        for (const b of email) {
          const id = await queueNotification(tx, {
            accountId: b.accountId,
            alert: 'bill_ready',
            key: `bill-ready/${b.id}`,
            data: {
              billId: b.id,
              period: b.period,
              amountCents: b.totalCents,
              dueDate: b.dueDate,
              link: `${opts.publicUrl}/bills/${b.id}/document`,
            },
          });
          if (id) emailed++;
        }
        if (print.length) {
          printed = (
            await tx`insert into print_batch_item ${tx(print.map((b) => ({ bill_id: b.id, batch: a.batch })) as never)}
              on conflict (bill_id) do nothing returning bill_id`
          ).length;
        }
        return { emailed, printed };
      });
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
