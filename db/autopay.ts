// Autopay enrolment: one per account, debited on the due date or a set number of days before it. Stopping
// keeps the row (cancelled), so enrolling again updates it. Enrolling with a saved method and removing a
// saved method both hold the account's row lock while they check and act, so a method being removed is
// never the one autopay is given at the same moment.

import type { AutopayBill } from '../domain/autopay.js';
import { requireAccount } from './accounts.js';
import type { Sql, Tx } from './client.js';
import { accountBalanceCents } from './ledger.js';
import { noSuch, Refused } from './refused.js';

/**
 * Runs `work` holding the account's row lock (FOR NO KEY UPDATE: payments and postings that reference the
 * account go on; another enrolment or method removal waits). 404 if there is no such account.
 */
async function underAccountLock<T>(sql: Sql, accountId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    const [a] = await tx`select 1 from account where id = ${accountId} for no key update`;
    if (!a) throw noSuch('account', accountId);
    return work(tx);
  }) as Promise<T>;
}

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

/**
 * Enrols the account (or changes its enrolment and makes it active again); 404 if there is no such account.
 * `check` (that the method is still saved on the account) runs under the account's lock, before the write.
 */
export async function enrolAutopay(
  sql: Sql,
  e: { accountId: string; method: string; paymentMethodRef: string; daysBeforeDue: number },
  check: () => Promise<void> = async () => {},
): Promise<AutopayEnrolment> {
  return underAccountLock(sql, e.accountId, async (tx) => {
    await check();
    const [row] = await tx<AutopayEnrolment[]>`
    insert into autopay_enrollment (account_id, method, payment_method_ref, days_before_due)
    values (${e.accountId}, ${e.method}, ${e.paymentMethodRef}, ${e.daysBeforeDue})
    on conflict (account_id) do update set method = excluded.method, payment_method_ref = excluded.payment_method_ref,
      days_before_due = excluded.days_before_due, status = 'active', enrolled_at = now()
    returning account_id, method, payment_method_ref, days_before_due, status`;
    return row!;
  });
}

/**
 * Removes a saved method (`remove`, the gateway's detach) unless active autopay uses it: refused with
 * 409 payment_method_in_use. The check and the removal hold the account's lock, so an enrolment with the
 * same method waits and then finds it gone.
 */
export async function removeMethodUnlessAutopay(
  sql: Sql,
  accountId: string,
  methodId: string,
  remove: () => Promise<void>,
): Promise<void> {
  await underAccountLock(sql, accountId, async (tx) => {
    const [inUse] = await tx`select 1 from autopay_enrollment
      where account_id = ${accountId} and status = 'active' and payment_method_ref = ${methodId}`;
    if (inUse)
      throw new Refused(
        `Autopay pays with ${methodId}: choose another method for autopay, or stop it, before removing this one`,
        'payment_method_in_use',
        'methodId',
      );
    await remove();
  });
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

/** What the next debit is worked out from (domain/autopay.ts nextAutopayDebit): the latest bill, the balance. */
export async function nextDebitFacts(sql: Sql, accountId: string) {
  const [latestBill] = await sql<AutopayBill[]>`
    select id, bill_date::text, due_date::text, total_cents from bill
    where account_id = ${accountId} and status = 'issued' order by bill_date desc, id desc limit 1`;
  return { latestBill: latestBill ?? null, balanceCents: await accountBalanceCents(sql, accountId) };
}
