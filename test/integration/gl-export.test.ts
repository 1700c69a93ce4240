// The general ledger export on a small hand-worked utility in Chicago, March 2026 (DST starts Mar 8):
// the mapping must cover every ledger account with postings; each day's journal balances to the cent;
// CSV and IIF files carry the figures worked out below; a day goes out once unless re-exported on purpose;
// the March AR roll-forward ties to the ledger and to the AR aging report.
//
// Postings (cents):                                              AR A (res.)  AR B (comm.)
//   Feb 20  bill A: water 9000 + tax 1000                          +10000
//   Mar  8  bill A: water 4000 + tax 300, sewer 2000               +6300
//   Mar  8  bill B: water 15000                                                  +15000
//   Mar  8  23:30 CDT (04:30Z Mar 9) cash payment A 5000           -5000
//   Mar 15  deposit billed B 20000                                               +20000
//   Mar 15  check payment B 15000                                                -15000
//   Mar 15  credit adjustment A 500                                -500
//   Mar 31  23:30 CDT (04:30Z Apr 1) write-off A 1000              -1000
//   Mar 31  refund of 2000 of B's check                                          +2000
//   Apr  1  cash payment A 300 (after the month)                   -300
// March roll-forward: opening 10000 + billed 21300 − paid 20000 − 500 adjustments − 1000 written off
//   + 20000 deposits + 2000 refunds = closing 31800 (A 9800 + B 22000).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createCustomer } from '../../db/accounts.js';
import { billDeposit, postAdjustment } from '../../db/adjustments.js';
import { receivableAging } from '../../db/aging.js';
import type { Sql } from '../../db/client.js';
import { glJournals } from '../../db/gl-export.js';
import { postEntry } from '../../db/ledger.js';
import { recordCounterPayment } from '../../db/payments.js';
import { reserveRefund, settleRefund } from '../../db/refunds.js';
import { billEntry, receivable } from '../../domain/ledger.js';
import { type Clock, clockStartingAt } from '../../lib/clock.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

const TZ = 'America/Chicago';
const chicago = (iso: string): Clock => clockStartingAt(iso, TZ);

let sql: Sql;
let app: TestApp;
let billing: string;
let admin: string;
let supervisor: string;
let csr: string;
let a: string;
let b: string;

const MAPPING = [
  { sourceKey: 'ar', glAccount: '1200', glName: 'Accounts receivable' },
  { sourceKey: 'cash_clearing', glAccount: '1000', glName: 'Cash' },
  { sourceKey: 'cash_clearing:check', glAccount: '1010', glName: 'Cash - checks' },
  { sourceKey: 'tax_payable', glAccount: '2200', glName: 'Sales tax payable' },
  { sourceKey: 'deposits_held', glAccount: '2300', glName: 'Customer deposits' },
  { sourceKey: 'revenue:water', glAccount: '4000', glName: 'Water sales' },
  { sourceKey: 'revenue:water:commercial', glAccount: '4010', glName: 'Water sales, commercial' },
  { sourceKey: 'revenue:sewer', glAccount: '4100', glName: 'Sewer charges' },
  { sourceKey: 'revenue:adjustments', glAccount: '4900', glName: 'Billing adjustments' },
  { sourceKey: 'revenue:bad_debt', glAccount: '6100', glName: 'Bad debt expense' },
];

async function bill(accountId: string, on: string, segments: Parameters<typeof billEntry>[0]['segments']) {
  const e = billEntry({
    idempotencyKey: `bill:${accountId}:${on}`,
    accountId,
    billDate: on,
    period: on,
    segments,
  });
  await sql.begin((tx) => postEntry(tx, e!));
}

const pay = (accountId: string, cents: number, method: 'cash' | 'check', on: string, key: string) =>
  sql.begin((tx) =>
    recordCounterPayment(tx, { idempotencyKey: key, accountId, amountCents: cents, method, receivedOn: on }),
  );

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  // the API's clock: Apr 2, 10:00 in Chicago, so March and Apr 1 are closed days
  app = await testApp(sql, await startWorkers(sql), undefined, { clock: chicago('2026-04-02T15:00:00Z') });
  billing = await staffToken(app, sql, 'billing_admin');
  admin = await staffToken(app, sql, 'admin');
  supervisor = await staffToken(app, sql, 'supervisor');
  csr = await staffToken(app, sql, 'csr');
  const c = await createCustomer(sql, { name: 'GL Test' });
  a = (await createAccount(sql, { customerId: c.id })).id as string;
  b = (await createAccount(sql, { customerId: c.id, customerClass: 'commercial' })).id as string;

  await bill(a, '2026-02-20', [{ serviceType: 'water', totalCents: 10000, taxCents: 1000 }]);
  await bill(a, '2026-03-08', [
    { serviceType: 'water', totalCents: 4300, taxCents: 300 },
    { serviceType: 'sewer', totalCents: 2000 },
  ]);
  await bill(b, '2026-03-08', [{ serviceType: 'water', totalCents: 15000 }]);
  // 23:30 on the DST day in Chicago is already Mar 9 in UTC: the clock's date is the utility's
  const lateMar8 = chicago('2026-03-09T04:30:00Z');
  expect(lateMar8.today()).toBe('2026-03-08');
  await pay(a, 5000, 'cash', lateMar8.today(), 'cash-a-1');
  await billDeposit(sql, { idempotencyKey: 'dep-b', accountId: b, amountCents: 20000, on: '2026-03-15' });
  const check = await pay(b, 15000, 'check', '2026-03-15', 'check-b-1');
  await postAdjustment(sql, {
    idempotencyKey: 'credit-a',
    accountId: a,
    kind: 'credit',
    amountCents: -500,
    reason: 'leak allowance',
    on: '2026-03-15',
  });
  const lateMar31 = chicago('2026-04-01T04:30:00Z');
  expect(lateMar31.today()).toBe('2026-03-31');
  await postAdjustment(sql, {
    idempotencyKey: 'wo-a',
    accountId: a,
    kind: 'write_off',
    amountCents: -1000,
    reason: 'uncollectible',
    on: lateMar31.today(),
  });
  const r = await reserveRefund(sql, {
    paymentId: check.id,
    amountCents: 2000,
    reason: 'overpaid',
    requestedBy: null,
  });
  await sql.begin(async (tx) => {
    const posted = await postEntry(tx, {
      idempotencyKey: `refund:${r.refundId}`,
      kind: 'reversal',
      accountId: b,
      effectiveOn: lateMar31.today(),
      description: 'Refund',
      postings: [
        { ledgerAccount: receivable(b), amountCents: 2000 },
        { ledgerAccount: 'cash_clearing', amountCents: -2000 },
      ],
    });
    await settleRefund(tx, { refundId: r.refundId, journalEntryId: posted.id, gatewayRef: null });
  });
});
afterAll(() => app?.close());

const put = (token: string, mappings: unknown) =>
  app.inject({ method: 'PUT', url: '/gl/mapping', headers: bearer(token), payload: { mappings } });
const exportDays = (token: string, body: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/gl/exports', headers: bearer(token), payload: body });

describe('GL export', () => {
  it('ties the AR aging report to the ledger: aged balances at Mar 31 are the roll-forward closing', async () => {
    // before April's payment posts, so the aging (which reads every posting) sees the ledger at Mar 31
    const aging = await receivableAging(sql, '2026-03-31');
    expect(aging.owingCents + aging.creditCents).toBe(31800);
    expect(aging.owingCents).toBe(9800 + 22000);
    const r = await app.inject({
      method: 'GET',
      url: '/reports/ar-roll-forward?month=2026-03',
      headers: bearer(supervisor),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().closingCents).toBe(aging.balanceCents);
    await pay(a, 300, 'cash', '2026-04-01', 'cash-a-2');
  });

  it('refuses a mapping that leaves a ledger account with postings unmapped, naming it', async () => {
    const r = await put(
      billing,
      MAPPING.filter((m) => m.sourceKey !== 'revenue:bad_debt'),
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('gl_account_unmapped');
    expect(r.json().error.message).toContain("'revenue:bad_debt'");
    const bad = await put(billing, [
      ...MAPPING,
      { sourceKey: 'Revenue Water', glAccount: '1', glName: null },
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.param).toBe('mappings[10].sourceKey');
    expect((await put(csr, MAPPING)).statusCode).toBe(403);
    expect((await put(supervisor, MAPPING)).statusCode).toBe(403);
    // nothing is mapped yet, so a journal cannot be made
    const j = await app.inject({
      method: 'GET',
      url: '/gl/journals?from=2026-03-01&to=2026-03-31',
      headers: bearer(billing),
    });
    expect(j.statusCode).toBe(400);
    expect(j.json().error.code).toBe('gl_account_unmapped');
  });

  it('saves a complete mapping (audited) and lists what must map', async () => {
    const r = await put(admin, MAPPING);
    expect(r.statusCode).toBe(200);
    expect(r.json().mappings).toHaveLength(MAPPING.length);
    expect(r.json().postedLedgerAccounts).toEqual([
      'ar',
      'cash_clearing',
      'deposits_held',
      'revenue:adjustments',
      'revenue:bad_debt',
      'revenue:sewer',
      'revenue:water',
      'tax_payable',
    ]);
    const [audit] =
      await sql`select resource_type, detail from audit_log where action = 'PUT /gl/mapping' and (detail->>'status')::int = 200`;
    expect(audit?.resourceType).toBe('gl_mapping');
  });

  it('makes daily journals that balance to the cent, with revenue by service and rate class and cash by channel', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/gl/journals?from=2026-03-01&to=2026-03-31',
      headers: bearer(billing),
    });
    expect(r.statusCode).toBe(200);
    const days = r.json().days as {
      day: string;
      debitCents: number;
      creditCents: number;
      lines: {
        category: string;
        sourceKey: string;
        glAccount: string;
        debitCents: number;
        creditCents: number;
      }[];
    }[];
    expect(days.map((d) => [d.day, d.debitCents, d.creditCents])).toEqual([
      ['2026-03-08', 26300, 26300],
      ['2026-03-15', 35500, 35500],
      ['2026-03-31', 3000, 3000],
    ]);
    const short = (d: (typeof days)[number]) =>
      d.lines.map((l) => `${l.category} ${l.sourceKey} ${l.glAccount} ${l.debitCents - l.creditCents}`);
    expect(short(days[0]!)).toEqual([
      'billing ar 1200 21300',
      'billing revenue:sewer:residential 4100 -2000',
      'billing revenue:water:commercial 4010 -15000',
      'billing revenue:water:residential 4000 -4000',
      'billing tax_payable 2200 -300',
      'payment ar 1200 -5000',
      'payment cash_clearing:cash 1000 5000',
    ]);
    expect(short(days[1]!)).toEqual([
      'payment ar 1200 -15000',
      'payment cash_clearing:check 1010 15000',
      'adjustment ar 1200 -500',
      'adjustment revenue:adjustments 4900 500',
      'deposit ar 1200 20000',
      'deposit deposits_held 2300 -20000',
    ]);
    expect(short(days[2]!)).toEqual([
      'write_off ar 1200 -1000',
      'write_off revenue:bad_debt 6100 1000',
      'refund ar 1200 2000',
      'refund cash_clearing:check 1010 -2000',
    ]);
    // the tie: opening AR plus every AR line of March is the aged receivable at Mar 31
    const arMoves = days.flatMap((d) => d.lines).filter((l) => l.sourceKey === 'ar');
    expect(10000 + arMoves.reduce((n, l) => n + l.debitCents - l.creditCents, 0)).toBe(31800);
  });

  it("exports only days already over in the utility's time zone", async () => {
    // 23:30 on Mar 31 in Chicago is Apr 1 in UTC, but Mar 31 is not over yet
    const today = chicago('2026-04-01T04:30:00Z').today();
    await expect(glJournals(sql, { from: '2026-03-31', to: '2026-03-31', today })).rejects.toThrow(
      /must be a day already over/,
    );
    const r = await exportDays(billing, { from: '2026-04-01', to: '2026-04-02', format: 'csv' });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('gl_day_open');
  });

  it('exports March as CSV once, records the batch, and refuses the same days again unless marked a re-export', async () => {
    expect(
      (await exportDays(supervisor, { from: '2026-03-01', to: '2026-03-31', format: 'csv' })).statusCode,
    ).toBe(403);
    const r = await exportDays(billing, { from: '2026-03-01', to: '2026-03-31', format: 'csv' });
    expect(r.statusCode).toBe(201);
    const batch = r.json();
    const rows = (batch.content as string).trimEnd().split('\r\n');
    expect(rows[0]).toBe('date,gl_account,gl_name,category,source_key,debit,credit,memo');
    expect(rows.slice(1, 3)).toEqual([
      '2026-03-08,1200,Accounts receivable,billing,ar,213.00,,cisflow billing 2026-03-08',
      '2026-03-08,4100,Sewer charges,billing,revenue:sewer:residential,,20.00,cisflow billing 2026-03-08',
    ]);
    expect(rows.at(-1)).toBe(
      '2026-03-31,1010,Cash - checks,refund,cash_clearing:check,,20.00,cisflow refund 2026-03-31',
    );
    expect(rows).toHaveLength(1 + 7 + 6 + 4);
    expect(batch).toMatchObject({ from: '2026-03-01', to: '2026-03-31', reexport: false, lineCount: 17 });
    expect(batch.debitCents).toBe(26300 + 35500 + 3000);
    expect(batch.checksum).toBe(createHash('sha256').update(batch.content).digest('hex'));
    const file = await app.inject({
      method: 'GET',
      url: `/gl/exports/${batch.id}/file`,
      headers: bearer(billing),
    });
    expect(file.body).toBe(batch.content);

    const again = await exportDays(billing, { from: '2026-03-08', to: '2026-03-08', format: 'iif' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('gl_day_exported');
    expect(again.json().error.message).toContain('2026-03-08 was exported already');
    // a range overlapping March is refused too, even though Apr 1 was never exported
    const overlap = await exportDays(billing, { from: '2026-03-31', to: '2026-04-01', format: 'csv' });
    expect(overlap.statusCode).toBe(409);

    const [audit] =
      await sql`select resource_id from audit_log where action = 'POST /gl/exports' and (detail->>'status')::int = 201`;
    expect(audit?.resourceId).toBe(batch.id);
  });

  it('re-exports a day when told to, as QuickBooks IIF, and records it as a re-export', async () => {
    const r = await exportDays(admin, {
      from: '2026-03-08',
      to: '2026-03-08',
      format: 'iif',
      reexport: true,
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().reexport).toBe(true);
    const lines = (r.json().content as string).trimEnd().split('\r\n');
    expect(lines.slice(0, 3)).toEqual([
      '!TRNS\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO',
      '!SPL\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO',
      '!ENDTRNS',
    ]);
    expect(lines[3]).toBe(
      'TRNS\tGENERAL JOURNAL\t03/08/2026\tAccounts receivable\t213.00\tGL2026-03-08\tcisflow billing 2026-03-08',
    );
    expect(lines.filter((l) => l.startsWith('SPL'))).toHaveLength(6);
    expect(lines.at(-1)).toBe('ENDTRNS');
    // the transaction balances: its amounts in cents sum to zero
    const cents = lines
      .filter((l) => /^(TRNS|SPL)\t/.test(l))
      .map((l) => Number(l.split('\t')[4]!.replace('.', '')));
    expect(cents.reduce((n, c) => n + c, 0)).toBe(0);
    const days = await sql`select reexport from gl_export_day where day = '2026-03-08' order by reexport`;
    expect(days.map((d) => d.reexport)).toEqual([false, true]);
    const list = await app.inject({ method: 'GET', url: '/gl/exports', headers: bearer(billing) });
    expect(list.json().data.map((x: { reexport: boolean }) => x.reexport)).toEqual([true, false]);
  });

  it('rolls March AR forward and reconciles to the ledger', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/reports/ar-roll-forward?month=2026-03',
      headers: bearer(billing),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      month: '2026-03',
      openingCents: 10000,
      billedCents: 21300,
      paidCents: 20000,
      adjustmentsCents: -500,
      writeOffsCents: 1000,
      depositsCents: 20000,
      refundsCents: 2000,
      conversionsCents: 0,
      closingCents: 31800,
      ledgerClosingCents: 31800,
      reconciles: true,
    });
    // April opens where March closed, and April's payment is April's
    const apr = await app.inject({
      method: 'GET',
      url: '/reports/ar-roll-forward?month=2026-04',
      headers: bearer(billing),
    });
    expect(apr.json()).toMatchObject({
      openingCents: 31800,
      paidCents: 300,
      closingCents: 31500,
      reconciles: true,
    });
    const bad = await app.inject({
      method: 'GET',
      url: '/reports/ar-roll-forward?month=2026-13',
      headers: bearer(billing),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.param).toBe('month');
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/reports/ar-roll-forward?month=2026-03',
          headers: bearer(csr),
        })
      ).statusCode,
    ).toBe(403);
  });
});
