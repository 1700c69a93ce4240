// Bill delivery as an activity of its own (a re-delivery, or a batch other than the cycle's). Bills that the
// pipeline issues are delivered in their issuing transaction (activities/bill-pipeline.ts).
import { type DeliveryCounts, queueBillDelivery } from '../db/bill-delivery.js';
import type { Sql } from '../db/client.js';

export function createDeliveryActivities(
  sql: Sql,
  opts: { publicUrl: string; emailProvider: 'sendgrid' | 'outbox' },
) {
  return {
    async deliverBills(a: { billIds: string[]; batch: string }): Promise<DeliveryCounts> {
      return sql.begin((tx) => queueBillDelivery(tx, a.billIds, opts.publicUrl, a.batch));
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
