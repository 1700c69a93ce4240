// What a legacy CIS migration left behind: each run's record and report, and an account's bills and
// payments from before cutover (history only: their effect is in the opening balance).
import type { Sql } from '../client.js';

export interface MigrationRun {
  id: string;
  dryRun: boolean;
  status: string;
  cutoverOn: string | null;
  report: Record<string, unknown> | null;
  createdAt: Date;
}

export async function getMigration(sql: Sql, id: string): Promise<MigrationRun | undefined> {
  const [row] = await sql<MigrationRun[]>`
    select id, dry_run, status, to_char(cutover_on, 'YYYY-MM-DD') as cutover_on, report, created_at
    from legacy_migration where id = ${id}`;
  return row;
}

export interface LegacyHistory {
  openingBalance: {
    asOf: string;
    currentCents: number;
    days31to60Cents: number;
    days61to90Cents: number;
    over90Cents: number;
  } | null;
  bills: {
    legacyId: string;
    period: string;
    billDate: string;
    dueDate: string | null;
    amountCents: number;
  }[];
  payments: { legacyId: string; receivedOn: string; amountCents: number; method: string }[];
}

/** The account's opening balance and its legacy bills and payments, newest first; undefined for no account. */
export async function legacyHistory(sql: Sql, accountId: string): Promise<LegacyHistory | undefined> {
  const [acct] = await sql`select 1 from account where id = ${accountId}`;
  if (!acct) return undefined;
  const [ob] = await sql<NonNullable<LegacyHistory['openingBalance']>[]>`
    select to_char(as_of, 'YYYY-MM-DD') as as_of, current_cents, days_31_60_cents as days31to60_cents,
           days_61_90_cents as days61to90_cents, days_over_90_cents as over90_cents
    from legacy_opening_balance where account_id = ${accountId}`;
  const bills = await sql<LegacyHistory['bills']>`
    select legacy_id, period, to_char(bill_date, 'YYYY-MM-DD') as bill_date, to_char(due_date, 'YYYY-MM-DD') as due_date,
           amount_cents
    from legacy_bill where account_id = ${accountId} order by bill_date desc, legacy_id`;
  const payments = await sql<LegacyHistory['payments']>`
    select legacy_id, to_char(received_on, 'YYYY-MM-DD') as received_on, amount_cents, method
    from legacy_payment where account_id = ${accountId} order by received_on desc, legacy_id`;
  return { openingBalance: ob ?? null, bills: [...bills], payments: [...payments] };
}
