// Print batches: the bills of a cycle and period that go to the print vendor by mail (queued on delivery).
import type { Sql } from './client.js';
import { mailingAddressJoin } from './mailing-address.js';

export interface PrintBatchItem {
  billId: string;
  accountNumber: string;
  name: string;
  line1: string;
  city: string;
  state: string;
  postalCode: string;
  totalCents: number;
  dueDate: string;
}

/** One row per mailed bill in the batch, by account number, addressed where the account's mail goes
 * (db/mailing-address.ts). */
export async function printBatchItems(sql: Sql, cycle: string, period: string) {
  return sql<PrintBatchItem[]>`
    select b.id as bill_id, a.account_number, c.name, mail.line1, mail.city, mail.state, mail.postal_code,
           b.total_cents, b.due_date::text
    from print_batch_item i join bill b on b.id = i.bill_id join account a on a.id = b.account_id
    join customer c on c.id = a.customer_id
    ${mailingAddressJoin(sql, sql`b.created_at`)}
    where i.batch = ${`${cycle}/${period}`} order by a.account_number`;
}
