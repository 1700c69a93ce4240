// Payments. Card and bank (gateway) payments are recorded pending here and moved by their workflow.
// Counter and lockbox payments: recorded and posted in one transaction, once per idempotency key, and
// flagged for review when the same account paid the same amount within a few days.
import { paymentEntry } from '../domain/ledger.js';
import { confirmationNumber } from '../domain/payment-receipt.js';
import { receivedOnProblem } from '../domain/received-on.js';
import { readScanLine } from '../domain/scan-line.js';
import { newId } from '../lib/ids.js';
import { paymentsTotal } from '../lib/metrics.js';
import { requireAccount } from './accounts.js';
import type { Sql, Tx } from './client.js';
import { lockAccount, postEntry } from './ledger.js';
import { queueNotification } from './notifications.js';
import { Refused } from './refused.js';

export const DUPLICATE_WINDOW_DAYS = 3;

export interface CounterPayment {
  idempotencyKey: string;
  accountId: string;
  amountCents: number;
  method: 'cash' | 'check' | 'lockbox';
  reference?: string | null;
  receivedOn: string;
  /** the utility's zone, for the receipt email's posted time (UTC when not given) */
  timeZone?: string;
}

export async function recordCounterPayment(
  tx: Tx,
  p: CounterPayment,
): Promise<{ id: string; created: boolean; reviewFlag: string | null }> {
  await lockAccount(tx, p.accountId); // the key, duplicate and allocation checks below see every earlier payment
  const [existing] = await tx<{ id: string; reviewFlag: string | null }[]>`
    select id, review_flag from payment where idempotency_key = ${p.idempotencyKey}`;
  if (existing) return { id: existing.id, created: false, reviewFlag: existing.reviewFlag };
  const [dupe] =
    await tx`select 1 from payment where account_id = ${p.accountId} and amount_cents = ${p.amountCents}
    and status in ('succeeded', 'processing', 'pending')
    and received_at > ${p.receivedOn}::date - ${DUPLICATE_WINDOW_DAYS}::int and received_at < ${p.receivedOn}::date + ${DUPLICATE_WINDOW_DAYS + 1}::int`;
  const reviewFlag = dupe ? 'possible_duplicate' : null;
  const id = newId('pay');
  const entry = await postEntry(
    tx,
    paymentEntry({
      idempotencyKey: `payment:${id}`,
      accountId: p.accountId,
      amountCents: p.amountCents,
      receivedOn: p.receivedOn,
      description: `Payment (${p.method}${p.reference ? ` ${p.reference}` : ''})`,
    }),
  );
  await tx`insert into payment (id, account_id, amount_cents, method, status, received_at, journal_entry_id, idempotency_key, provider, reference, review_flag)
    values (${id}, ${p.accountId}, ${p.amountCents}, ${p.method}, 'succeeded', ${p.receivedOn}, ${entry.id}, ${p.idempotencyKey}, 'counter', ${p.reference ?? null}, ${reviewFlag})`;
  await allocateOldestFirst(tx, id, p.accountId, p.amountCents);
  // a payment at the counter or through the lockbox gets the same emailed receipt as one made online
  await queueReceiptNotice(tx, id, p.timeZone ?? 'UTC');
  await tx`select pg_notify('account_events', ${JSON.stringify({ accountId: p.accountId, type: 'payment.succeeded', paymentId: id })})`;
  return { id, created: true, reviewFlag };
}

/**
 * The `payment_received` notice, carrying the payment's receipt (what GET /payments/:id/receipt shows), queued
 * in the posting's transaction, once per payment (its key).
 */
export async function queueReceiptNotice(tx: Sql | Tx, paymentId: string, timeZone: string) {
  const r = await paymentReceipt(tx, paymentId);
  if (!r) throw new Refused(`No such payment: '${paymentId}'`, 'resource_missing', 'paymentId');
  await queueNotification(tx, {
    accountId: r.accountId,
    alert: 'payment_received',
    key: `payment_received/${paymentId}`,
    data: {
      paymentId,
      amountCents: r.amountCents,
      code: null,
      confirmationNumber: r.confirmationNumber,
      method: r.method,
      methodBrand: r.methodBrand,
      methodLast4: r.methodLast4,
      postedAt: (r.postedAt ?? r.receivedAt).toISOString(),
      timeZone,
      newBalanceCents: r.newBalanceCents,
    },
  });
}

/**
 * A cash or check payment taken at the counter: the account must exist (404) and the day it was received
 * may not be in the future or too far back (400 on receivedOn).
 */
export async function takeCounterPayment(sql: Sql, p: CounterPayment & { today: string }) {
  await requireAccount(sql, p.accountId);
  const late = receivedOnProblem(p.receivedOn, p.today);
  if (late) throw new Refused(`receivedOn ${late}`, 'parameter_invalid', 'receivedOn');
  const { today: _, ...payment } = p;
  const r = await sql.begin((tx) => recordCounterPayment(tx, payment));
  if (r.created) paymentsTotal.inc({ outcome: 'posted', channel: p.method });
  return r;
}

export type LockboxRow =
  | { row: number; status: 'accepted'; paymentId: string; reviewFlag: string | null }
  | { row: number; status: 'duplicate'; paymentId: string }
  | { row: number; status: 'rejected'; reason: string; field?: string };

/**
 * A bank lockbox file: account_number,amount,check_number,received_on. Every row is checked first; by default
 * the file posts all or nothing (a bad row means nothing is posted and every row's result is reported).
 * Re-importing the same file posts nothing twice: each row's key is its account, check number and amount.
 */
export async function importLockbox(
  sql: Sql,
  csv: string,
  opts: { partial?: boolean; today: string; timeZone?: string },
): Promise<{ posted: boolean; rows: LockboxRow[] }> {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim());
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  // the account comes from account_number, or from the stub's scan line a lockbox's reader captured
  if (col('account_number') < 0 && col('scan_line') < 0)
    return {
      posted: false,
      rows: [
        {
          row: 1,
          status: 'rejected',
          reason: 'the header has no account_number or scan_line column',
          field: 'account_number',
        },
      ],
    };
  for (const need of ['amount', 'check_number', 'received_on']) {
    if (col(need) < 0)
      return {
        posted: false,
        rows: [{ row: 1, status: 'rejected', reason: `the header has no ${need} column`, field: need }],
      };
  }
  const accounts = new Map(
    (await sql<{ id: string; accountNumber: string }[]>`select id, account_number from account`).map((a) => [
      a.accountNumber,
      a.id,
    ]),
  );
  const parsed = lines.map((line, i) => {
    const c = line.split(',').map((x) => x.trim());
    const row = i + 2;
    const scan = col('scan_line') >= 0 ? c[col('scan_line')] || '' : '';
    const typed = col('account_number') >= 0 ? c[col('account_number')] || '' : '';
    const read = scan ? readScanLine(scan) : null;
    if (read && !read.ok)
      return {
        row,
        error: {
          reason:
            read.reason === 'check_digit'
              ? `scan line "${scan}" fails its check digit: a misread; key the account number instead`
              : `scan line "${scan}" is not the 23 digits printed on the stub`,
          field: 'scan_line',
        },
      };
    if (read?.ok && typed && typed !== read.accountNumber)
      return {
        row,
        error: {
          reason: `account_number ${typed} does not match the scan line's account ${read.accountNumber}`,
          field: 'account_number',
        },
      };
    const number = read?.ok ? read.accountNumber : typed;
    const accountId = accounts.get(number);
    const amount = c[col('amount')] ?? '';
    const received = c[col('received_on')] ?? '';
    if (!accountId)
      return {
        row,
        error: { reason: `no account ${number || '(blank)'}`, field: read ? 'scan_line' : 'account_number' },
      };
    if (!/^\d{1,9}\.\d{2}$/.test(amount) || amount === '0.00')
      return { row, error: { reason: `amount "${amount}" must look like 123.45`, field: 'amount' } };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(received) || Number.isNaN(Date.parse(received)))
      return {
        row,
        error: { reason: `received_on "${received}" must be a date like 2026-11-02`, field: 'received_on' },
      };
    const late = receivedOnProblem(received, opts.today);
    if (late) return { row, error: { reason: `received_on ${late}`, field: 'received_on' } };
    const check = c[col('check_number')] || '';
    if (!check) return { row, error: { reason: 'check_number is blank', field: 'check_number' } };
    const amountCents = Number(amount.replace('.', ''));
    return {
      row,
      payment: {
        idempotencyKey: `lockbox:${accountId}:${check}:${amountCents}`,
        accountId,
        amountCents,
        method: 'lockbox' as const,
        reference: `check ${check}`,
        receivedOn: received,
      },
    };
  });
  const bad = parsed.filter((p) => p.error);
  if (bad.length && !opts.partial) {
    return {
      posted: false,
      rows: parsed
        .filter((p) => p.error)
        .map((p) => ({ row: p.row, status: 'rejected' as const, ...p.error! })),
    };
  }
  const rows: LockboxRow[] = [];
  await sql.begin(async (tx) => {
    for (const p of parsed) {
      if (p.error) {
        rows.push({ row: p.row, status: 'rejected', ...p.error });
        continue;
      }
      const r = await recordCounterPayment(tx, { ...p.payment!, timeZone: opts.timeZone });
      rows.push(
        r.created
          ? { row: p.row, status: 'accepted', paymentId: r.id, reviewFlag: r.reviewFlag }
          : { row: p.row, status: 'duplicate', paymentId: r.id },
      );
    }
  });
  // counted once the file's transaction has committed
  paymentsTotal.inc(
    { outcome: 'posted', channel: 'lockbox' },
    rows.filter((r) => r.status === 'accepted').length,
  );
  return { posted: true, rows };
}

/** Applies a payment to the account's open bills, oldest first; what is left over stays as a credit. */
export async function allocateOldestFirst(tx: Tx, paymentId: string, accountId: string, amountCents: number) {
  await lockAccount(tx, accountId); // what is open is read and taken in one turn (trigger allocation_within_bill)
  const open = await tx<{ id: string; openCents: number }[]>`
    select b.id, (b.total_cents - coalesce((select sum(pa.amount_cents) from payment_allocation pa where pa.bill_id = b.id), 0))::bigint as open_cents
    from bill b where b.account_id = ${accountId} and b.status = 'issued' order by b.period, b.id`;
  let left = amountCents;
  const rows: { payment_id: string; bill_id: string; amount_cents: number }[] = [];
  for (const b of open) {
    if (left <= 0) break;
    if (b.openCents <= 0) continue;
    const take = Math.min(left, b.openCents);
    rows.push({ payment_id: paymentId, bill_id: b.id, amount_cents: take });
    left -= take;
  }
  if (rows.length) await tx`insert into payment_allocation ${tx(rows as never)} on conflict do nothing`;
}

/** Whose payment it is (authorization asks before the payment is read); undefined if there is none. */
export async function paymentAccountId(sql: Sql, paymentId: string): Promise<string | undefined> {
  const [p] = await sql<{ accountId: string }[]>`select account_id from payment where id = ${paymentId}`;
  return p?.accountId;
}

/** The accounts the given payments were made on, each once. */
export async function paymentAccounts(sql: Sql, paymentIds: string[]): Promise<string[]> {
  if (!paymentIds.length) return [];
  const rows = await sql<
    { accountId: string }[]
  >`select distinct account_id from payment where id = any(${paymentIds})`;
  return rows.map((r) => r.accountId);
}

export interface PaymentRecord {
  id: string;
  accountId: string;
  amountCents: number;
  method: string;
  status: string;
  provider: string;
  failureCode: string | null;
  /** how it was applied: oldest open bill first */
  allocations: { billId: string; period: string; amountCents: number }[];
}

export async function getPayment(sql: Sql, id: string): Promise<PaymentRecord | undefined> {
  const [p] = await sql<Omit<PaymentRecord, 'allocations'>[]>`
    select id, account_id, amount_cents, method, status, provider, failure_code from payment where id = ${id}`;
  if (!p) return undefined;
  const allocations = await sql<PaymentRecord['allocations']>`
    select pa.bill_id, b.period, pa.amount_cents from payment_allocation pa join bill b on b.id = pa.bill_id
    where pa.payment_id = ${id} order by b.period`;
  return { ...p, allocations: [...allocations] };
}

/**
 * A card or bank payment, recorded pending before its workflow (and the gateway) ever see it, with the
 * gateway idempotency key. 404 if there is no such account.
 */
export async function createPendingPayment(
  sql: Sql,
  p: {
    id: string;
    accountId: string;
    amountCents: number;
    method: 'card' | 'ach';
    idempotencyKey: string;
    provider: 'stripe' | 'outbox';
    workflowId: string;
    paymentMethodRef: string | null;
    saveMethod: boolean;
  },
) {
  await requireAccount(sql, p.accountId);
  await sql`insert into payment (id, account_id, amount_cents, method, status, received_at, idempotency_key, provider,
      workflow_id, payment_method_ref, save_method)
    values (${p.id}, ${p.accountId}, ${p.amountCents}, ${p.method}, 'pending', now(), ${p.idempotencyKey},
            ${p.provider}, ${p.workflowId}, ${p.paymentMethodRef}, ${p.saveMethod})`;
}

/**
 * The account's balance just after a journal entry posted: every posting on its receivable up to that entry's
 * (postings are numbered as they are written). What a receipt calls the new balance; it stays what it was when
 * later bills and payments post.
 */
export async function balanceAfterEntry(sql: Sql | Tx, accountId: string, journalEntryId: string) {
  const [row] = await sql<{ balance: number }[]>`
    select coalesce(sum(amount_cents), 0)::bigint as balance from posting
    where ledger_account_id = ${`ar:${accountId}`}
      and id <= (select max(id) from posting where journal_entry_id = ${journalEntryId})`;
  return row!.balance;
}

export interface PaymentReceipt {
  paymentId: string;
  confirmationNumber: string;
  accountId: string;
  accountNumber: string;
  amountCents: number;
  method: string;
  /** the card network, or the bank's name for ACH; null when the gateway did not say (or no gateway) */
  methodBrand: string | null;
  methodLast4: string | null;
  status: string;
  receivedAt: Date;
  /** when it reached the account's ledger; null while it is still processing (or if it failed) */
  postedAt: Date | null;
  /** the balance just after it posted; null until it posts */
  newBalanceCents: number | null;
}

/** A payment's receipt (undefined if there is no such payment). */
export async function paymentReceipt(sql: Sql | Tx, id: string): Promise<PaymentReceipt | undefined> {
  const [p] = await sql<
    (Omit<PaymentReceipt, 'confirmationNumber' | 'newBalanceCents'> & { je: string | null })[]
  >`
    select p.id as payment_id, p.account_id, a.account_number, p.amount_cents, p.method, p.method_brand,
           p.method_last4, p.status, p.received_at, je.created_at as posted_at, p.journal_entry_id as je
    from payment p join account a on a.id = p.account_id
    left join journal_entry je on je.id = p.journal_entry_id
    where p.id = ${id}`;
  if (!p) return undefined;
  const { je, ...rest } = p;
  return {
    ...rest,
    confirmationNumber: confirmationNumber(p.paymentId),
    newBalanceCents: je ? await balanceAfterEntry(sql, p.accountId, je) : null,
  };
}
