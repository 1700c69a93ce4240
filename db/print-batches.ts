// Print batches: the bills of a cycle and period that go to the print vendor by mail (queued on delivery).
import type { Sql } from './client.js';

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

/** One row per mailed bill in the batch, by account number, addressed to the account's first premise. */
export async function printBatchItems(sql: Sql, cycle: string, period: string) {
  return sql<PrintBatchItem[]>`
    select b.id as bill_id, a.account_number, c.name, p.address_line1 as line1, p.city, p.state, p.postal_code,
           b.total_cents, b.due_date::text
    from print_batch_item i join bill b on b.id = i.bill_id join account a on a.id = b.account_id
    join customer c on c.id = a.customer_id
    left join lateral (select pr.* from service_agreement sa join service_point sp on sp.id = sa.service_point_id
      join premise pr on pr.id = sp.premise_id where sa.account_id = a.id order by sa.service_type limit 1) p on true
    where i.batch = ${`${cycle}/${period}`} order by a.account_number`;
}
