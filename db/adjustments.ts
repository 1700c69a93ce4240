// Adjustments and deposits: each one is a journal entry; the records here say why it was posted.
import { assertBalanced, type JournalEntry, receivable } from '../domain/ledger.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { accountBalanceCents, lockAccount, postEntry } from './ledger.js';
import { Refused } from './refused.js';

export type AdjustmentKind =
  | 'credit'
  | 'debit'
  | 'late_fee'
  | 'returned_payment_fee'
  | 'write_off'
  | 'rebill';

/**
 * Posts an adjustment once per idempotency key. Positive amounts raise what the customer owes
 * (fees, debits) and credit revenue:adjustments; negative amounts (credits, write-offs) do the reverse.
 */
export async function postAdjustment(
  sql: Sql,
  a: {
    idempotencyKey: string;
    accountId: string;
    kind: AdjustmentKind;
    amountCents: number;
    reason: string;
    billId?: string;
    userId?: string;
    on: string;
  },
) {
  if (!Number.isSafeInteger(a.amountCents) || a.amountCents === 0)
    throw new RangeError('an adjustment is a non-zero whole number of cents');
  return sql.begin(async (tx) => {
    if (a.kind === 'write_off') await checkWriteOff(tx, a);
    const entry: JournalEntry = assertBalanced({
      idempotencyKey: a.idempotencyKey,
      kind: a.kind === 'late_fee' || a.kind === 'returned_payment_fee' ? 'fee' : 'adjustment',
      accountId: a.accountId,
      effectiveOn: a.on,
      description: `${a.kind.replace(/_/g, ' ')}: ${a.reason}`,
      postings: [
        { ledgerAccount: receivable(a.accountId), amountCents: a.amountCents },
        {
          ledgerAccount: a.kind === 'write_off' ? 'revenue:bad_debt' : 'revenue:adjustments',
          amountCents: -a.amountCents,
        },
      ],
    });
    const posted = await postEntry(tx, entry);
    if (!posted.created) {
      const [existing] = await tx<
        { id: string }[]
      >`select id from adjustment where journal_entry_id = ${posted.id}`;
      return { id: existing!.id, journalEntryId: posted.id, created: false };
    }
    const id = newId('adj');
    await tx`insert into adjustment (id, account_id, kind, amount_cents, reason, bill_id, journal_entry_id, created_by)
      values (${id}, ${a.accountId}, ${a.kind}, ${a.amountCents}, ${a.reason}, ${a.billId ?? null}, ${posted.id}, ${a.userId ?? null})`;
    return { id, journalEntryId: posted.id, created: true };
  });
}

/**
 * A staff adjustment: the bill it names must be one of the account's; once posted, the live account view
 * (GET /accounts/:id/events) is told.
 */
export async function postAccountAdjustment(sql: Sql, a: Parameters<typeof postAdjustment>[1]) {
  if (a.billId) {
    const [b] = await sql`select 1 from bill where id = ${a.billId} and account_id = ${a.accountId}`;
    if (!b) throw new Refused(`No such bill on this account: '${a.billId}'`, 'resource_missing', 'bill_id');
  }
  const adj = await postAdjustment(sql, a);
  await sql`select pg_notify('account_events', ${JSON.stringify({ accountId: a.accountId, type: 'adjustment.posted', adjustmentId: adj.id })})`;
  return adj;
}

/**
 * A write-off clears what the customer owes, never more: under a lock on the account (so two write-offs, or a
 * write-off and a payment, take turns) it may not pass the balance. A retry of one already posted passes.
 */
async function checkWriteOff(tx: Tx, a: { idempotencyKey: string; accountId: string; amountCents: number }) {
  await lockAccount(tx, a.accountId);
  const [posted] = await tx`select 1 from journal_entry where idempotency_key = ${a.idempotencyKey}`;
  if (posted) return;
  const owed = await accountBalanceCents(tx, a.accountId);
  if (-a.amountCents > owed)
    throw new Refused(
      `A write-off may clear at most what is owed: ${Math.max(0, owed)} cents`,
      'write_off_exceeds_balance',
      'amount_cents',
    );
}

/** A deposit billed to the account is owed by the customer and held for them (a liability), not revenue. */
export async function billDeposit(
  sql: Sql,
  a: { idempotencyKey: string; accountId: string; amountCents: number; on: string },
) {
  return sql.begin(async (tx) => {
    const posted = await postEntry(
      tx,
      assertBalanced({
        idempotencyKey: a.idempotencyKey,
        kind: 'deposit',
        accountId: a.accountId,
        effectiveOn: a.on,
        description: 'Service deposit',
        postings: [
          { ledgerAccount: receivable(a.accountId), amountCents: a.amountCents },
          { ledgerAccount: 'deposits_held', amountCents: -a.amountCents },
        ],
      }),
    );
    if (!posted.created) return { journalEntryId: posted.id, created: false };
    await tx`insert into deposit (id, account_id, amount_cents, status, journal_entry_id)
      values (${newId('dep')}, ${a.accountId}, ${a.amountCents}, 'billed', ${posted.id})`;
    return { journalEntryId: posted.id, created: true };
  });
}

/** Corrections are reversals: a new entry with every posting negated, linked to the original. */
export async function reverseEntry(
  sql: Sql,
  a: { journalEntryId: string; idempotencyKey: string; reason: string; on: string },
) {
  return sql.begin(async (tx) => {
    const [orig] = await tx<{ accountId: string | null; description: string }[]>`
      select account_id, description from journal_entry where id = ${a.journalEntryId}`;
    if (!orig) throw new RangeError(`no journal entry ${a.journalEntryId}`);
    const postings = await tx<{ ledgerAccountId: string; amountCents: number }[]>`
      select ledger_account_id, amount_cents from posting where journal_entry_id = ${a.journalEntryId}`;
    return postEntry(
      tx,
      assertBalanced({
        idempotencyKey: a.idempotencyKey,
        kind: 'reversal',
        accountId: orig.accountId,
        effectiveOn: a.on,
        description: `Reversal of "${orig.description}": ${a.reason}`,
        postings: postings.map((p) => ({
          ledgerAccount: p.ledgerAccountId as never,
          amountCents: -p.amountCents,
        })),
      }),
      { reversesId: a.journalEntryId },
    );
  });
}
