// Receivable aging, the one rule for the account view and the AR aging report: an account's balance is laid
// on its newest charges first (its oldest charges are the ones paid), and what is still open is bucketed by
// days since each charge, as of the utility's date.
import { requireAccount } from './accounts.js';
import type { Sql } from './client.js';

export interface AgingBuckets {
  current: number;
  days31to60: number;
  days61to90: number;
  over90: number;
}

export interface ReceivableAging {
  /** the sum of the balances aged (one account's balance, which may be a credit) */
  balanceCents: number;
  /** what owing accounts owe, and the credits of those in credit */
  owingCents: number;
  creditCents: number;
  accountsOwing: number;
  buckets: AgingBuckets;
  oldestOpenCharge: string | null;
}

/** Aged as of `asOf`: one account's receivable, or (no account) every customer's. */
export async function receivableAging(sql: Sql, asOf: string, accountId?: string): Promise<ReceivableAging> {
  const [r] = await sql<
    {
      balance: string;
      owing: string;
      credits: string;
      n: number;
      current: string;
      d31: string;
      d61: string;
      d91: string;
      oldest: string | null;
    }[]
  >`
    with bal as (
      select la.account_id, la.id as ar, sum(p.amount_cents) as b
      from ledger_account la join posting p on p.ledger_account_id = la.id
      where ${accountId === undefined ? sql`la.account_id is not null` : sql`la.account_id = ${accountId}`}
      group by la.account_id, la.id
    ),
    owing as (select * from bal where b > 0),
    debits as (
      select o.account_id, o.b, je.id, je.effective_on, sum(p.amount_cents) as amt
      from owing o join posting p on p.ledger_account_id = o.ar join journal_entry je on je.id = p.journal_entry_id
      group by o.account_id, o.b, je.id, je.effective_on having sum(p.amount_cents) > 0
    ),
    laid as (
      select effective_on,
             least(amt, b - (sum(amt) over (partition by account_id order by effective_on desc, id desc) - amt)) as part
      from debits
    ),
    open as (select * from laid where part > 0)
    select (select coalesce(sum(b), 0) from bal)::text as balance,
           (select coalesce(sum(b), 0) from owing)::text as owing,
           (select coalesce(sum(b), 0) from bal where b < 0)::text as credits,
           (select count(*) from owing)::int as n,
           coalesce(sum(part) filter (where ${asOf}::date - effective_on <= 30), 0)::text as current,
           coalesce(sum(part) filter (where ${asOf}::date - effective_on between 31 and 60), 0)::text as d31,
           coalesce(sum(part) filter (where ${asOf}::date - effective_on between 61 and 90), 0)::text as d61,
           coalesce(sum(part) filter (where ${asOf}::date - effective_on > 90), 0)::text as d91,
           min(effective_on)::text as oldest
    from open`;
  return {
    balanceCents: Number(r!.balance),
    owingCents: Number(r!.owing),
    creditCents: Number(r!.credits),
    accountsOwing: r!.n,
    buckets: {
      current: Number(r!.current),
      days31to60: Number(r!.d31),
      days61to90: Number(r!.d61),
      over90: Number(r!.d91),
    },
    oldestOpenCharge: r!.oldest,
  };
}

/** One account's aging (404 if there is no such account). */
export async function accountAging(sql: Sql, accountId: string, asOf: string) {
  await requireAccount(sql, accountId);
  const { balanceCents, buckets, oldestOpenCharge } = await receivableAging(sql, asOf, accountId);
  return { balanceCents, buckets, oldestOpenCharge };
}
