// Ledger persistence. Entries are inserted once per idempotency key; balances are sums of postings.
import type { JournalEntry, LedgerAccountCode } from '../domain/ledger.js';
import { newId } from '../lib/ids.js';
import { type Column, insertColumns } from './bulk.js';
import type { Sql, Tx } from './client.js';

function ledgerAccountKind(code: LedgerAccountCode): {
  kind: string;
  name: string;
  accountId: string | null;
} {
  if (code.startsWith('ar:')) return { kind: 'asset', name: 'Accounts receivable', accountId: code.slice(3) };
  if (code.startsWith('revenue:'))
    return { kind: 'revenue', name: `Revenue: ${code.slice(8)}`, accountId: null };
  if (code.startsWith('nem_credit:'))
    // not account_id: account_id marks a receivable, and balances sum those
    return { kind: 'liability', name: `Net metering credit carried: ${code.slice(11)}`, accountId: null };
  if (code === 'cash_clearing') return { kind: 'asset', name: 'Cash clearing', accountId: null };
  if (code === 'tax_payable') return { kind: 'liability', name: 'Tax payable', accountId: null };
  if (code === 'legacy_conversion')
    return { kind: 'equity', name: 'Legacy conversion (opening balances)', accountId: null };
  if (code === 'refunds_payable') return { kind: 'liability', name: 'Refunds payable', accountId: null };
  return { kind: 'liability', name: 'Customer deposits held', accountId: null };
}

/**
 * Posts an entry exactly once. A second call with the same idempotency key returns the first entry's id
 * and posts nothing, so retried activities and replayed webhooks are harmless.
 */
export async function postEntry(
  tx: Tx,
  e: JournalEntry,
  links: { billId?: string; reversesId?: string } = {},
): Promise<{ id: string; created: boolean }> {
  const existing = await tx<
    { id: string }[]
  >`select id from journal_entry where idempotency_key = ${e.idempotencyKey}`;
  if (existing[0]) return { id: existing[0].id, created: false };
  await insertLedgerAccounts(tx, [...new Set(e.postings.map((p) => p.ledgerAccount))]);
  const id = newId('je');
  const inserted = await tx<{ id: string }[]>`
    insert into journal_entry (id, idempotency_key, kind, account_id, effective_on, description, bill_id, reverses_id)
    values (${id}, ${e.idempotencyKey}, ${e.kind}, ${e.accountId}, ${e.effectiveOn}, ${e.description},
            ${links.billId ?? null}, ${links.reversesId ?? null})
    on conflict (idempotency_key) do nothing
    returning id`;
  if (!inserted[0]) {
    // lost a race with a concurrent poster of the same key
    const [row] = await tx<
      { id: string }[]
    >`select id from journal_entry where idempotency_key = ${e.idempotencyKey}`;
    return { id: row!.id, created: false };
  }
  const rows = e.postings.map((p) => ({
    journalEntryId: id,
    ledgerAccountId: p.ledgerAccount,
    amountCents: p.amountCents,
  }));
  await tx`insert into posting ${tx(rows, 'journalEntryId', 'ledgerAccountId', 'amountCents')}`;
  return { id, created: true };
}

/**
 * Posts many entries in a few statements (bill runs). Entries whose idempotency key already exists are
 * skipped; `billIds` links bill entries to their bills. Returns the keys that were posted now.
 */
const POSTING_COLUMNS: Column[] = [
  ['journal_entry_id', 'text'],
  ['ledger_account_id', 'text'],
  ['amount_cents', 'bigint'],
];

export async function postEntries(
  tx: Tx,
  entries: JournalEntry[],
  billIds: Map<string, string> = new Map(),
): Promise<Set<string>> {
  if (!entries.length) return new Set();
  const codes = [...new Set(entries.flatMap((e) => e.postings.map((p) => p.ledgerAccount)))];
  await insertLedgerAccounts(tx, codes);
  const rows = entries.map((e) => ({
    id: newId('je'),
    idempotencyKey: e.idempotencyKey,
    kind: e.kind,
    accountId: e.accountId,
    effectiveOn: e.effectiveOn,
    description: e.description,
    billId: billIds.get(e.idempotencyKey) ?? null,
  }));
  const posted = new Set<string>();
  for (let i = 0; i < rows.length; i += 5000) {
    const res = await tx<{ idempotencyKey: string }[]>`
      insert into journal_entry ${tx(rows.slice(i, i + 5000) as never)} on conflict (idempotency_key) do nothing returning idempotency_key`;
    for (const r of res) posted.add(r.idempotencyKey);
  }
  const postings = rows.flatMap((r, i) =>
    posted.has(r.idempotencyKey)
      ? entries[i]!.postings.map((p) => ({
          journal_entry_id: r.id,
          ledger_account_id: p.ledgerAccount,
          amount_cents: p.amountCents,
        }))
      : [],
  );
  // one statement: the balance check (a statement trigger) sees every entry's postings together
  await insertColumns(tx, 'posting', POSTING_COLUMNS, postings);
  return posted;
}

async function insertLedgerAccounts(tx: Tx, codes: LedgerAccountCode[]) {
  const accounts = codes.map((id) => ({ id, ...ledgerAccountKind(id) }));
  for (let i = 0; i < accounts.length; i += 5000) {
    await tx`insert into ledger_account ${tx(accounts.slice(i, i + 5000), 'id', 'kind', 'name', 'accountId')} on conflict (id) do nothing`;
  }
}

/**
 * Holds the account's row until the transaction ends, so money checks on one account (allocation, write-off
 * against the balance, deposit settlement) take turns. NO KEY UPDATE: inserts that only reference the
 * account (postings, bills) are not blocked.
 */
export async function lockAccount(tx: Tx, accountId: string) {
  await tx`select 1 from account where id = ${accountId} for no key update`;
}

/** The customer's balance: what they owe (positive) or their credit (negative), summed from postings. */
export async function accountBalanceCents(sql: Sql | Tx, accountId: string): Promise<number> {
  const [row] = await sql<{ balance: number }[]>`
    select coalesce(sum(amount_cents), 0)::bigint as balance from posting where ledger_account_id = ${`ar:${accountId}`}`;
  return row!.balance;
}

/** A net-metered account's carried credit: what the utility owes it for exports, applied to later bills. */
export async function nemCreditCents(sql: Sql | Tx, accountId: string): Promise<number> {
  const [row] = await sql<{ balance: number }[]>`
    select coalesce(sum(amount_cents), 0)::bigint as balance from posting where ledger_account_id = ${`nem_credit:${accountId}`}`;
  return row!.balance === 0 ? 0 : -row!.balance; // a credit is a negative (liability) balance
}

/** Trial balance: every ledger account's total; the grand total is always zero. */
export async function trialBalance(sql: Sql): Promise<{ ledgerAccountId: string; balance: number }[]> {
  return sql<{ ledgerAccountId: string; balance: number }[]>`
    select ledger_account_id, sum(amount_cents)::bigint as balance from posting group by 1 order by 1`;
}
