// Backup and restore of cisflow's database, as docs/operations.md tells an operator to do it: pg_dump in the
// custom format, pg_restore into a new database in one transaction. The restored copy must be the same
// utility: every account's balance, every bill and its lines, the ledger's totals and its guards (append-only
// triggers, the balanced-entry check, idempotency keys) all come back. PostgreSQL 15 from Debian's packages
// (see test/support/debian-postgres.ts for why not the embedded 18).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { accountBalanceCents, postEntry, trialBalance } from '../../db/ledger.js';
import { migrate } from '../../db/migrate.js';
import { type DebianPostgres, ensurePostgres15, startDebianPostgres } from '../support/debian-postgres.js';

const SEEDED_ON = '2026-11-28'; // the demo's "today": 24 months billed, Nov 2024 to Oct 2026
let pg: DebianPostgres;
let source: Sql;
let restored: Sql;
let dumpFile: string;
const courtesyCredit = (accountId: string) => ({
  idempotencyKey: 'backup-test:courtesy-credit',
  kind: 'adjustment' as const,
  accountId,
  effectiveOn: SEEDED_ON,
  description: 'Courtesy credit',
  postings: [
    { ledgerAccount: `ar:${accountId}` as const, amountCents: -1_234 },
    { ledgerAccount: 'revenue:water' as const, amountCents: 1_234 },
  ],
});

beforeAll(async () => {
  const missing = ensurePostgres15();
  if (missing) throw new Error(missing);
  pg = await startDebianPostgres();
  pg.tool('createdb', ['cisflow']);
  source = connect(pg.url('cisflow'), { max: 4 });
  await migrate(source);
  await seedDemo(source, { accounts: 30, seed: 11, today: SEEDED_ON });
  // a correction, so a reversal and its link survive too
  await source.begin(async (tx) => {
    const [acct] = await tx<{ id: string }[]>`select id from account order by id limit 1`;
    await postEntry(tx, courtesyCredit(acct!.id));
  });
  dumpFile = `/tmp/cisflow-backup-test-${process.pid}.dump`;
  pg.tool('pg_dump', ['--format=custom', '--file', dumpFile, 'cisflow']);
  pg.tool('createdb', ['cisflow_restored']);
  pg.tool('pg_restore', [
    '--exit-on-error',
    '--single-transaction',
    '--no-owner',
    '-d',
    'cisflow_restored',
    dumpFile,
  ]);
  restored = connect(pg.url('cisflow_restored'), { max: 4 });
}, 180_000);

afterAll(async () => {
  await source?.end({ timeout: 5 });
  await restored?.end({ timeout: 5 });
  pg?.stop();
  if (dumpFile) rmSync(dumpFile, { force: true });
});

/** What must not change across a backup: balances, bills and lines, ledger totals, and the row counts. */
async function snapshot(sql: Sql) {
  const accounts = await sql<{ id: string }[]>`select id from account order by id`;
  const balances: Record<string, number> = {};
  for (const a of accounts) balances[a.id] = await accountBalanceCents(sql, a.id);
  const bills = await sql`
    select b.id, b.account_id, b.period, b.status, b.total_cents::bigint as total_cents,
           (select count(*)::int from bill_line l join bill_segment s on s.id = l.bill_segment_id where s.bill_id = b.id) as lines,
           (select coalesce(sum(l.amount_cents), 0)::bigint from bill_line l join bill_segment s on s.id = l.bill_segment_id
             where s.bill_id = b.id) as line_cents,
           (select string_agg(l.trace::text, '|' order by s.id, l.seq) from bill_line l
             join bill_segment s on s.id = l.bill_segment_id where s.bill_id = b.id) as traces
    from bill b order by b.id`;
  const [counts] = await sql`
    select (select count(*)::int from journal_entry) as entries, (select count(*)::int from posting) as postings,
           (select count(*)::int from payment) as payments, (select count(*)::int from meter_read) as reads,
           (select coalesce(sum(amount_cents), 0)::bigint from posting where amount_cents > 0) as debits`;
  return { balances, bills, trial: await trialBalance(sql), counts };
}

describe('backup and restore (pg_dump / pg_restore)', () => {
  it('restores every balance, bill, line and ledger total exactly', async () => {
    const before = await snapshot(source);
    const after = await snapshot(restored);
    expect(Object.keys(before.balances)).toHaveLength(30);
    expect(before.bills.length).toBe(30 * 24);
    expect(before.counts!.entries).toBeGreaterThan(30 * 24);
    expect(after).toEqual(before);
    expect(before.trial.reduce((n, x) => n + x.balance, 0)).toBe(0);
  });

  it('restores the ledger’s guards: append-only, balanced entries, one entry per idempotency key', async () => {
    await expect(restored`update posting set amount_cents = amount_cents + 1`).rejects.toThrow(/append-only/);
    await expect(restored`delete from journal_entry`).rejects.toThrow(/append-only/);
    const [acct] = await restored<{ id: string }[]>`select id from account order by id limit 1`;
    const balance = await accountBalanceCents(restored, acct!.id);
    // the same key again posts nothing
    const again = await restored.begin((tx) => postEntry(tx, courtesyCredit(acct!.id)));
    expect(again.created).toBe(false);
    // an unbalanced entry is refused at commit
    await expect(
      restored.begin((tx) =>
        postEntry(tx, {
          idempotencyKey: 'backup-test:unbalanced',
          kind: 'adjustment',
          accountId: acct!.id,
          effectiveOn: SEEDED_ON,
          description: 'Unbalanced',
          postings: [{ ledgerAccount: `ar:${acct!.id}`, amountCents: 100 }],
        }),
      ),
    ).rejects.toThrow();
    expect(await accountBalanceCents(restored, acct!.id)).toBe(balance);
  });
});
