// Autopay enrolment: one per account, debited on the due date or a set number of days before it. Stopping
// keeps the row (cancelled), so enrolling again updates it.
import { requireAccount } from './accounts.js';
import type { Sql } from './client.js';

export interface AutopayEnrolment {
  accountId: string;
  method: string;
  paymentMethodRef: string;
  daysBeforeDue: number;
  status: string;
}

/** The account's active enrolment, or null (404 if there is no such account). */
export async function activeAutopay(sql: Sql, accountId: string) {
  await requireAccount(sql, accountId);
  const [e] = await sql<{ method: string; paymentMethodRef: string; daysBeforeDue: number }[]>`
    select method, payment_method_ref, days_before_due from autopay_enrollment
    where account_id = ${accountId} and status = 'active'`;
  return e ?? null;
}

/** Enrols the account (or changes its enrolment and makes it active again); 404 if there is no such account. */
export async function enrolAutopay(
  sql: Sql,
  e: { accountId: string; method: string; paymentMethodRef: string; daysBeforeDue: number },
): Promise<AutopayEnrolment> {
  await requireAccount(sql, e.accountId);
  const [row] = await sql<AutopayEnrolment[]>`
    insert into autopay_enrollment (account_id, method, payment_method_ref, days_before_due)
    values (${e.accountId}, ${e.method}, ${e.paymentMethodRef}, ${e.daysBeforeDue})
    on conflict (account_id) do update set method = excluded.method, payment_method_ref = excluded.payment_method_ref,
      days_before_due = excluded.days_before_due, status = 'active', enrolled_at = now()
    returning account_id, method, payment_method_ref, days_before_due, status`;
  return row!;
}

export async function stopAutopay(sql: Sql, accountId: string) {
  await sql`update autopay_enrollment set status = 'cancelled' where account_id = ${accountId}`;
}

/** The bills among `billIds` that an active enrolment pays, with when: what a new bill's autopay needs. */
export async function autopayDueFor(sql: Sql, billIds: string[]) {
  if (!billIds.length) return [];
  return sql<{ billId: string; dueDate: string; daysBeforeDue: number }[]>`
    select b.id as bill_id, b.due_date::text, e.days_before_due from bill b
    join autopay_enrollment e on e.account_id = b.account_id and e.status = 'active'
    where b.id = any(${billIds}) and b.total_cents > 0`;
}
