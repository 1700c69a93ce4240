// The pipeline's database step (activities/bill-pipeline.ts): bills, their journal entries and their delivery
// commit together, so a bill is never issued without its e-bill notice or print-batch place, nor queued twice.
import { timed } from '../lib/metrics.js';
import { queueBillDelivery } from './bill-delivery.js';
import { type IssueBillInput, issueBillsTx } from './billing.js';
import type { Sql } from './client.js';

export async function issueDelivered(sql: Sql, bills: IssueBillInput[], publicUrl: string) {
  if (!bills.length) return { stored: [], delivery: { emailed: 0, printed: 0 } };
  return sql.begin(async (tx) => {
    const stored = await timed('store', () => issueBillsTx(tx, bills));
    const created = stored.filter((s) => s.created).map((s) => s.billId);
    return { stored, delivery: await timed('deliver', () => queueBillDelivery(tx, created, publicUrl)) };
  });
}
