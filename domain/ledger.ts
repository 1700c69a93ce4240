// Journal entries as values. Every entry balances (debits positive, credits negative, sum zero);
// the database enforces the same rule, this catches it before any I/O.

export type LedgerAccountCode =
  | `ar:${string}`
  | `revenue:${string}`
  | `nem_credit:${string}`
  | 'cash_clearing'
  | 'tax_payable'
  | 'deposits_held'
  | 'legacy_conversion'
  | 'refunds_payable';

export interface Posting {
  ledgerAccount: LedgerAccountCode;
  amountCents: number;
}

export interface JournalEntry {
  idempotencyKey: string;
  kind: 'bill' | 'payment' | 'adjustment' | 'reversal' | 'fee' | 'opening_balance' | 'deposit';
  accountId: string | null;
  effectiveOn: string;
  description: string;
  postings: Posting[];
}

export const receivable = (accountId: string): LedgerAccountCode => `ar:${accountId}`;
export const revenue = (serviceType: string): LedgerAccountCode => `revenue:${serviceType}`;
/** A net-metered customer's carried credit: owed to them, applied to later bills (a liability). */
export const nemCredit = (accountId: string): LedgerAccountCode => `nem_credit:${accountId}`;

export class UnbalancedEntryError extends Error {}

export function assertBalanced(e: JournalEntry): JournalEntry {
  if (e.postings.length < 2)
    throw new UnbalancedEntryError(`${e.idempotencyKey}: an entry needs two postings`);
  let sum = 0;
  for (const p of e.postings) {
    if (!Number.isSafeInteger(p.amountCents) || p.amountCents === 0) {
      throw new UnbalancedEntryError(
        `${e.idempotencyKey}: posting amount ${p.amountCents} must be a non-zero integer`,
      );
    }
    sum += p.amountCents;
  }
  if (sum !== 0) throw new UnbalancedEntryError(`${e.idempotencyKey}: postings sum to ${sum}, not 0`);
  return e;
}

/** Combines postings to the same ledger account and drops zeros (a $0 line posts nothing). */
function net(postings: Posting[]): Posting[] {
  const by = new Map<LedgerAccountCode, number>();
  for (const p of postings) by.set(p.ledgerAccount, (by.get(p.ledgerAccount) ?? 0) + p.amountCents);
  return [...by]
    .filter(([, c]) => c !== 0)
    .map(([ledgerAccount, amountCents]) => ({ ledgerAccount, amountCents }));
}

/**
 * A bill debits the customer's receivable and credits revenue per service, and tax payable for its taxes.
 * A net-metered segment's carried credit is the customer's own ledger account (`nem_credit:`): credit it
 * carries forward is credited there and credit it uses is debited, so that account's balance is always the
 * credit the next bill starts with. Credit that expires at the true-up leaves it to revenue.
 */
export function billEntry(a: {
  idempotencyKey: string;
  accountId: string;
  billDate: string;
  period: string;
  segments: {
    serviceType: string;
    totalCents: number;
    taxCents?: number;
    nem?: { carryCents: number; expiredCents: number };
  }[];
}): JournalEntry | null {
  const total = a.segments.reduce((n, s) => n + s.totalCents, 0);
  const carried = nemCredit(a.accountId);
  const postings = net([
    { ledgerAccount: receivable(a.accountId), amountCents: total },
    ...a.segments.map((s) => ({
      ledgerAccount: revenue(s.serviceType),
      amountCents: -(
        s.totalCents -
        (s.taxCents ?? 0) -
        (s.nem?.carryCents ?? 0) +
        (s.nem?.expiredCents ?? 0)
      ),
    })),
    ...a.segments.map((s) => ({ ledgerAccount: 'tax_payable' as const, amountCents: -(s.taxCents ?? 0) })),
    ...a.segments.map((s) => ({
      ledgerAccount: carried,
      amountCents: -(s.nem?.carryCents ?? 0) + (s.nem?.expiredCents ?? 0),
    })),
  ]);
  if (postings.length === 0) return null; // a zero bill moves no money
  return assertBalanced({
    idempotencyKey: a.idempotencyKey,
    kind: 'bill',
    accountId: a.accountId,
    effectiveOn: a.billDate,
    description: `Bill for ${a.period}`,
    postings,
  });
}

/** A payment debits cash clearing and credits the customer's receivable. */
export function paymentEntry(a: {
  idempotencyKey: string;
  accountId: string;
  amountCents: number;
  receivedOn: string;
  description: string;
}): JournalEntry {
  return assertBalanced({
    idempotencyKey: a.idempotencyKey,
    kind: 'payment',
    accountId: a.accountId,
    effectiveOn: a.receivedOn,
    description: a.description,
    postings: [
      { ledgerAccount: 'cash_clearing', amountCents: a.amountCents },
      { ledgerAccount: receivable(a.accountId), amountCents: -a.amountCents },
    ],
  });
}
