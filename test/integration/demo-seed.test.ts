import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { freshDatabase } from '../support/db.js';

let sql: Sql;
beforeAll(async () => {
  ({ sql } = await freshDatabase());
});

describe('demo data', () => {
  it('loads 24 months of reads, bills and payments that agree with the ledger, and only once', async () => {
    const r = await seedDemo(sql, { accounts: 40, seed: 7, today: '2026-11-28' });
    expect(r).toMatchObject({ seeded: true, accounts: 40, bills: 40 * 24 });
    const [counts] = await sql<{ accounts: number; periods: number; first: string; last: string }[]>`
      select (select count(*)::int from account) as accounts, count(distinct period)::int as periods, min(period) as first, max(period) as last from bill`;
    expect(counts).toEqual({ accounts: 40, periods: 24, first: '2024-11', last: '2026-10' });
    // ledger is balanced, and each account's balance is its bills less its payments
    expect((await trialBalance(sql)).reduce((n, x) => n + x.balance, 0)).toBe(0);
    const rows = await sql<{ id: string; billed: number; paid: number }[]>`
      select a.id, (select coalesce(sum(total_cents), 0)::bigint from bill b where b.account_id = a.id) as billed,
             (select coalesce(sum(amount_cents), 0)::bigint from payment p where p.account_id = a.id) as paid from account a`;
    for (const a of rows) expect(await accountBalanceCents(sql, a.id)).toBe(a.billed - a.paid);
    // every bill line explains itself
    const [unexplained] = await sql<
      { n: number }[]
    >`select count(*)::int as n from bill_line where rate_version_id is null or trace = '{}'::jsonb`;
    expect(unexplained!.n).toBe(0);
    expect((await seedDemo(sql, { accounts: 40 })).seeded).toBe(false);
  });
});
