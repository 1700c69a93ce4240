// The exceptions queue: held bills waiting for staff (written by the billing-cycle workflow's activities).
import type { Sql } from './client.js';
import { noSuch } from './refused.js';

export interface BillException {
  id: string;
  accountId: string;
  accountNumber: string;
  customerName: string;
  period: string;
  status: string;
  reasons: Record<string, unknown>[];
  workflowId: string;
  createdAt: Date;
}

/** Exceptions in the given statuses, in id order after `startingAfter`. */
export async function listBillExceptions(
  sql: Sql,
  f: { statuses: string[]; startingAfter?: string; limit: number },
) {
  const rows = await sql<BillException[]>`
    select e.id, e.account_id, a.account_number, c.name as customer_name, e.period, e.status, e.reasons, e.workflow_id, e.created_at
    from bill_exception e join account a on a.id = e.account_id join customer c on c.id = a.customer_id
    where e.status = any(${f.statuses}) and e.id > ${f.startingAfter ?? ''}
    order by e.id limit ${f.limit + 1}`;
  return { exceptions: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

/** The exception's bill workflow and status (404 if there is no such exception). */
export async function billException(sql: Sql, id: string) {
  const [e] = await sql<
    { workflowId: string; status: string }[]
  >`select workflow_id, status from bill_exception where id = ${id}`;
  if (!e) throw noSuch('exception', id);
  return e;
}
