// The ledger in PostgreSQL: balanced, append-only, idempotent; corrections are reversals.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createCustomer } from '../../db/accounts.js';
import { billDeposit, postAdjustment, reverseEntry } from '../../db/adjustments.js';
import { insertColumns } from '../../db/bulk.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, postEntry, trialBalance } from '../../db/ledger.js';
import { paymentEntry } from '../../domain/ledger.js';
import { freshDatabase } from '../support/db.js';

let sql: Sql;
let accountId: string;
beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const c = await createCustomer(sql, { name: 'Ledger Test' });
  accountId = (await createAccount(sql, { customerId: c.id })).id as string;
});

const total = async () => (await trialBalance(sql)).reduce((n, r) => n + r.balance, 0);

describe('ledger', () => {
  it('refuses an unbalanced entry and any edit or delete, in the database itself', async () => {
    await sql`insert into ledger_account (id, kind, name) values ('cash_clearing', 'asset', 'Cash') on conflict do nothing`;
    await expect(
      sql.begin(async (tx) => {
        await tx`insert into journal_entry (id, idempotency_key, kind, effective_on, description) values ('je_bad', 'bad', 'adjustment', '2026-10-01', 'x')`;
        await tx`insert into posting (journal_entry_id, ledger_account_id, amount_cents) values ('je_bad', 'cash_clearing', 100)`;
      }),
    ).rejects.toThrow(/unbalanced/);
    const p = await sql.begin((tx) =>
      postEntry(
        tx,
        paymentEntry({
          idempotencyKey: 'pay-1',
          accountId,
          amountCents: 500,
          receivedOn: '2026-10-02',
          description: 'Payment',
        }),
      ),
    );
    await expect(sql`update posting set amount_cents = 1 where journal_entry_id = ${p.id}`).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from journal_entry where id = ${p.id}`).rejects.toThrow(/append-only/);
    await expect(sql`truncate posting`).rejects.toThrow(/append-only/);
  });

  it('checks each touched entry whole: a later stray posting, or one bad entry among many in one statement, is refused', async () => {
    await sql`insert into ledger_account (id, kind, name) values ('cash_clearing', 'asset', 'Cash') on conflict do nothing`;
    await sql`insert into ledger_account (id, kind, name) values ('suspense', 'liability', 'Suspense') on conflict do nothing`;
    const entries = Array.from({ length: 300 }, (_, i) => `je_many${i}`);
    const postings = (bad: number | null) =>
      entries.flatMap((id, i) => [
        { journal_entry_id: id, ledger_account_id: 'cash_clearing', amount_cents: 100 + i },
        {
          journal_entry_id: id,
          ledger_account_id: 'suspense',
          amount_cents: -(100 + i) + (i === bad ? 1 : 0),
        },
      ]);
    const post = (bad: number | null) =>
      sql.begin(async (tx) => {
        for (const id of entries)
          await tx`insert into journal_entry (id, idempotency_key, kind, effective_on, description)
            values (${id}, ${id}, 'adjustment', '2026-10-01', 'x')`;
        await insertColumns(
          tx,
          'posting',
          [
            ['journal_entry_id', 'text'],
            ['ledger_account_id', 'text'],
            ['amount_cents', 'bigint'],
          ],
          postings(bad),
        );
      });
    await expect(post(217)).rejects.toThrow(/je_many217 is unbalanced/);
    await post(null);
    await expect(
      sql`insert into posting (journal_entry_id, ledger_account_id, amount_cents) values ('je_many5', 'suspense', 1)`,
    ).rejects.toThrow(/je_many5 is unbalanced \(sum 1 over 3 postings\)/);
  });

  it('posts each idempotency key once, however often it is retried', async () => {
    const before = await accountBalanceCents(sql, accountId);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        sql.begin((tx) =>
          postEntry(
            tx,
            paymentEntry({
              idempotencyKey: 'pay-retry',
              accountId,
              amountCents: 1234,
              receivedOn: '2026-10-03',
              description: 'Payment',
            }),
          ),
        ),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await accountBalanceCents(sql, accountId)).toBe(before - 1234);
  });

  it('posts adjustments and deposits once, and corrects by reversal', async () => {
    const before = await accountBalanceCents(sql, accountId);
    const fee = {
      idempotencyKey: 'fee-1',
      accountId,
      kind: 'late_fee' as const,
      amountCents: 1500,
      reason: 'late on October bill',
      on: '2026-10-20',
    };
    const a = await postAdjustment(sql, fee);
    expect((await postAdjustment(sql, fee)).created).toBe(false);
    await billDeposit(sql, { idempotencyKey: 'dep-1', accountId, amountCents: 10000, on: '2026-10-01' });
    expect(await accountBalanceCents(sql, accountId)).toBe(before + 1500 + 10000);
    const r = await reverseEntry(sql, {
      journalEntryId: a.journalEntryId,
      idempotencyKey: 'fee-1/reversal',
      reason: 'waived',
      on: '2026-10-21',
    });
    await reverseEntry(sql, {
      journalEntryId: a.journalEntryId,
      idempotencyKey: 'fee-1/reversal',
      reason: 'waived',
      on: '2026-10-21',
    });
    expect(await accountBalanceCents(sql, accountId)).toBe(before + 10000);
    const [rev] = await sql`select reverses_id, kind from journal_entry where id = ${r.id}`;
    expect(rev).toMatchObject({ reversesId: a.journalEntryId, kind: 'reversal' });
    expect(await total()).toBe(0);
    expect((await trialBalance(sql)).find((x) => x.ledgerAccountId === 'deposits_held')?.balance).toBe(
      -10000,
    );
  });
});
