// "Why is this bill different?": a bill beside the account's bill before it and the same month last year,
// explained by domain/bill-explain.ts from the stored lines the bill, its PDF and the portal all show.
import { type BillExplanation, explainBill } from '../domain/bill-explain.js';
import { addMonths } from '../domain/period.js';
import { billDetail } from './billing.js';
import type { Sql } from './client.js';

/** The explanation of a bill; undefined if there is no such bill. Cancelled bills are never compared with. */
export async function billExplanation(sql: Sql, billId: string): Promise<BillExplanation | undefined> {
  const bill = await billDetail(sql, billId);
  if (!bill) return undefined;
  const [previous] = await sql<{ id: string }[]>`
    select id from bill
    where account_id = ${bill.accountId} and status <> 'cancelled' and period_start < ${bill.periodStart}::date
    order by period_start desc, revision desc limit 1`;
  const [lastYear] = await sql<{ id: string }[]>`
    select id from bill
    where account_id = ${bill.accountId} and status <> 'cancelled' and period = ${addMonths(bill.period, -12)}
    order by revision desc limit 1`;
  const [p, y] = await Promise.all([
    previous ? billDetail(sql, previous.id) : undefined,
    lastYear ? billDetail(sql, lastYear.id) : undefined,
  ]);
  return explainBill(bill, p ?? null, y ?? null);
}
