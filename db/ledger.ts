// Ledger persistence. Entries are inserted once per idempotency key; balances are sums of postings.
import type { JournalEntry, LedgerAccountCode } from '../domain/ledger.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';

function ledgerAccountKind(code: LedgerAccountCode): {
  kind: string;
  name: string;
  accountId: string | null;
} {
  if (code.startsWith('ar:')) return { kind: 'asset', name: 'Accounts receivable', accountId: code.slice(3) };
  if (code.startsWith('revenue:'))
    return { kind: 'revenue', name: `Revenue: ${code.slice(8)}`, accountId: null };
  if (code === 'cash_clearing') return { kind: 'asset', name: 'Cash clearing', accountId: null };
  if (code === 'tax_payable') return { kind: 'liability', name: 'Tax payable', accountId: null };
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
  const codes = [...new Set(e.postings.map((p) => p.ledgerAccount))];
  const accounts = codes.map((id) => ({ id, ...ledgerAccountKind(id) }));
  await tx`insert into ledger_account ${tx(accounts, 'id', 'kind', 'name', 'accountId')} on conflict (id) do nothing`;
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

/** The customer's balance: what they owe (positive) or their credit (negative), summed from postings. */
export async function accountBalanceCents(sql: Sql | Tx, accountId: string): Promise<number> {
  const [row] = await sql<{ balance: number }[]>`
    select coalesce(sum(amount_cents), 0)::bigint as balance from posting where ledger_account_id = ${`ar:${accountId}`}`;
  return row!.balance;
}

/** Trial balance: every ledger account's total; the grand total is always zero. */
export async function trialBalance(sql: Sql): Promise<{ ledgerAccountId: string; balance: number }[]> {
  return sql<{ ledgerAccountId: string; balance: number }[]>`
    select ledger_account_id, sum(amount_cents)::bigint as balance from posting group by 1 order by 1`;
}
