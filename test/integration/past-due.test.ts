// The past-due banner's one answer (GET /accounts/:id/past-due) on fixed, named dates: an account in arrears
// ($1,417.51 due Nov 24, seen on Dec 1), one that is not, and one whose collections case has charged a late
// fee and sent the final notice. The amount agrees with the bills and payments to the cent and with what
// staff see; the arrangement offered is the one accepting it creates, once however often it is pressed.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { openCase, performCollectionAction } from '../../db/collections.js';
import { lateFeeCents } from '../../domain/collections.js';
import { payAtCounter, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { testClock } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

const NOV_1 = '2026-11-01';
const NOV_6 = '2026-11-06';
const NOV_24 = '2026-11-24';
const DEC_1 = '2026-12-01';
const DEC_5 = '2026-12-05';
const DEC_8 = '2026-12-08';
const DEC_10 = '2026-12-10';

let sql: Sql;
let t: TemporalHarness;
let app: TestApp;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const clock = testClock(DEC_1);
  t = await startWorkers(sql, { clock });
  app = await testApp(sql, t, undefined, { clock });
  // a class without the winter moratorium, so its final notice can name a December disconnect
  const put = await app.inject({
    method: 'PUT',
    url: '/collection-policies/pastdue-test',
    headers: bearer(await staffToken(app, sql, 'supervisor')),
    payload: { moratoria: [] },
  });
  if (put.statusCode !== 200) throw new Error(put.body);
});

const get = async (accountId: string, token: string) =>
  app.inject({ method: 'GET', url: `/accounts/${accountId}/past-due`, headers: bearer(token) });

async function accountWithBill(cents: number, dueDate: string, customerClass?: string) {
  const a = await waterAccount(sql, customerClass ? { customerClass } : {});
  const bill = await simpleBill(sql, {
    accountId: a.acct.id,
    agreementId: a.agreementId,
    period: '2026-10',
    totalCents: cents,
    dueDate,
  });
  return { accountId: a.acct.id as string, billId: bill.billId };
}

describe('GET /accounts/:id/past-due', () => {
  it('an account in arrears: the amount past due since Nov 24, the late fee coming, and an arrangement within policy', async () => {
    const { accountId } = await accountWithBill(141_751, NOV_24);
    const customer = await customerLogin(app, sql, [accountId]);
    const r = await get(accountId, customer.token);
    expect(r.statusCode, r.body).toBe(200);
    const v = r.json();
    expect(v).toMatchObject({
      object: 'past_due',
      asOf: DEC_1,
      balanceCents: 141_751,
      pastDueCents: 141_751,
      oldestDueDate: NOV_24,
      daysPastDue: 7,
      lateFees: [],
      arrangement: null,
    });
    // five days after the due date the default policy charges 1.5%: due now, not yet taken; the winter
    // moratorium (Dec 1 to Feb 29) keeps the final notice and a disconnect away
    expect(v.collections.nextStep).toEqual({
      kind: 'late_fee',
      on: DEC_1,
      feeCents: lateFeeCents({ type: 'percent', percent: '1.5', minCents: 500 }, 141_751),
    });
    expect(v.collections.nextStep.feeCents).toBe(2_126);
    expect(v.collections.disconnectOn).toBeNull();
    expect(v.collections.stage).toBe('past_due');
    // the offer: 2 to 6 instalments (the default policy's most online), each plan summing to the cent
    expect(v.offer.eligible).toBe(true);
    expect(v.offer.totalCents).toBe(141_751);
    expect(v.offer.options.map((o: { installments: number }) => o.installments)).toEqual([2, 3, 4, 5, 6]);
    for (const o of v.offer.options)
      expect(o.plan.reduce((n: number, i: { amountCents: number }) => n + i.amountCents, 0)).toBe(141_751);
    const three = v.offer.options.find((o: { installments: number }) => o.installments === 3).plan;
    expect(three).toEqual([
      { seq: 1, dueDate: DEC_8, amountCents: 47_251 },
      { seq: 2, dueDate: '2027-01-07', amountCents: 47_250 },
      { seq: 3, dueDate: '2027-02-06', amountCents: 47_250 },
    ]);

    // staff see the same figures, to the cent
    const staff = await staffToken(app, sql, 'csr');
    const s = (await get(accountId, staff)).json();
    expect(s.pastDueCents).toBe(v.pastDueCents);
    expect(s.offer).toEqual(v.offer);

    // accepting it, pressed twice at once: one arrangement, the plan that was offered; the other press is told
    const accept = () =>
      app.inject({
        method: 'POST',
        url: `/accounts/${accountId}/arrangements`,
        headers: { ...bearer(customer.token), 'x-csrf-token': customer.csrf },
        payload: { installments: 3 },
      });
    const answers = await Promise.all([accept(), accept()]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    const made = answers.find((a) => a.statusCode === 201)!.json();
    expect(made.installments).toEqual(three);
    expect(answers.find((a) => a.statusCode === 409)!.json().error.code).toBe('arrangement_exists');
    const after = (await get(accountId, customer.token)).json();
    expect(after.arrangement).toEqual({ id: made.id, totalCents: 141_751, installments: three });
    expect(after.offer).toEqual({ eligible: false, reason: 'arrangement_active' });
    // still owed, still shown; collections leaves the arranged bill alone
    expect(after.pastDueCents).toBe(141_751);
    expect(after.collections.blockedBy).toContain('payment_arrangement');
    expect(after.collections.nextStep).toBeNull();
  });

  it('an account that is not past due: nothing past due, no next step, nothing to arrange', async () => {
    const { accountId } = await accountWithBill(8_000, DEC_10);
    const customer = await customerLogin(app, sql, [accountId]);
    const v = (await get(accountId, customer.token)).json();
    expect(v).toMatchObject({
      balanceCents: 8_000,
      pastDueCents: 0,
      oldestDueDate: null,
      daysPastDue: 0,
      lateFees: [],
      collections: { caseId: null, stage: 'current', disconnectOn: null, nextStep: null },
      offer: { eligible: false, reason: 'nothing_to_arrange' },
    });
  });

  it('a collections case: the late fee charged, the final notice and its disconnect date, a partial payment applied', async () => {
    const { accountId, billId } = await accountWithBill(50_000, NOV_1, 'pastdue-test');
    await payAtCounter(sql, accountId, 10_000);
    const caseId = await openCase(sql, accountId, `dunning/test-${accountId}`);
    const fee = 750; // 1.5% of $500.00
    await performCollectionAction(sql, {
      accountId,
      caseId,
      today: NOV_6,
      action: { kind: 'late_fee', billId, feeCents: fee },
    });
    await performCollectionAction(sql, {
      accountId,
      caseId,
      today: '2026-11-21',
      action: { kind: 'final_notice', amountCents: 40_750, disconnectOn: DEC_5 },
    });
    const customer = await customerLogin(app, sql, [accountId]);
    const v = (await get(accountId, customer.token)).json();
    // the bill less the payment, plus the fee charged on it: what the bill and the ledger say
    expect(v.pastDueCents).toBe(50_000 - 10_000 + fee);
    expect(v.balanceCents).toBe(v.pastDueCents);
    expect(v.lateFees).toEqual([{ billId, feeCents: fee, chargedOn: NOV_6 }]);
    expect(v.collections).toMatchObject({
      caseId,
      stage: 'final_notice',
      disconnectOn: DEC_5,
      nextStep: { kind: 'disconnect', on: DEC_5 },
    });
    // the staff 360's aging agrees: all of it is on the account, none of it current
    const staff = await staffToken(app, sql, 'csr');
    const aging = (
      await app.inject({ method: 'GET', url: `/accounts/${accountId}/aging`, headers: bearer(staff) })
    ).json();
    expect(aging.balanceCents).toBe(v.pastDueCents);
    expect((await get(accountId, staff)).json().collections).toEqual(v.collections);
  });

  it('a customer reaches only their own account; a missing account is a 404', async () => {
    const mine = await accountWithBill(141_751, NOV_24);
    const theirs = await accountWithBill(9_999, NOV_24);
    const customer = await customerLogin(app, sql, [mine.accountId]);
    const other = await get(theirs.accountId, customer.token);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('9999');
    const staff = await staffToken(app, sql, 'csr');
    const missing = await get('acct_missing', staff);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('resource_missing');
    expect(
      (await app.inject({ method: 'GET', url: `/accounts/${mine.accountId}/past-due` })).statusCode,
    ).toBe(401);
  });
});
