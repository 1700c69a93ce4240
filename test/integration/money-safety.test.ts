// Money under hostile use (issue 14): refunds and other check-then-act money paths sent concurrently,
// idempotency keys scoped to the caller and route, and staff business limits.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
let app: TestApp;
let billing: string;
let csr: string;
// the app's clock: a fixed, named day (requests read "today" from it)
const TODAY = '2026-11-16';

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  app = await testApp(sql, t, undefined, { now: () => new Date(`${TODAY}T15:00:00Z`) });
  billing = await staffToken(app, sql, 'billing_admin');
  csr = await staffToken(app, sql, 'csr');
});

const trialTotal = async () => (await trialBalance(sql)).reduce((n, r) => n + r.balance, 0);

async function counterPayment(accountId: string, amountCents: number, token = csr, key?: string) {
  return app.inject({
    method: 'POST',
    url: `/accounts/${accountId}/payments/counter`,
    headers: { ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) },
    payload: { amountCents, method: 'cash' },
  });
}

describe('refunds sent at once', () => {
  it('20 concurrent refunds of 100 to 1,050 cents on a 1,000-cent payment never refund more than 1,000', async () => {
    const w = await waterAccount(sql);
    const paid = await counterPayment(w.acct.id, 1_000);
    expect(paid.statusCode, paid.body).toBe(201);
    const paymentId = paid.json().id as string;
    const amounts = Array.from({ length: 20 }, (_, i) => 100 + 50 * i); // sum 12,500
    const answers = await Promise.all(
      amounts.map((amountCents, i) =>
        app.inject({
          method: 'POST',
          url: `/payments/${paymentId}/refunds`,
          headers: bearer(billing),
          payload: { amountCents, reason: `overpaid, request ${i}` },
        }),
      ),
    );
    const won = amounts.filter((_, i) => answers[i]!.statusCode === 201);
    const lost = amounts.filter((_, i) => answers[i]!.statusCode !== 201);
    const refunded = won.reduce((n, x) => n + x, 0);
    const [p] = await sql<
      { refundedCents: number }[]
    >`select refunded_cents from payment where id = ${paymentId}`;
    const [ledger] = await sql<{ cash: number }[]>`
      select coalesce(sum(p.amount_cents), 0)::bigint as cash from journal_entry j join posting p on p.journal_entry_id = j.id
      where j.idempotency_key like ${`refund:${paymentId}:%`} and p.ledger_account_id = 'cash_clearing'`;
    const trial = await trialTotal();
    console.log(
      `concurrent refunds: ${won.length} of 20 succeeded (${won.join(', ')}), refunded ${p!.refundedCents} of 1000 cents, trial balance ${trial}`,
    );
    expect(won.length).toBeGreaterThan(0);
    expect(refunded).toBeLessThanOrEqual(1_000);
    expect(p!.refundedCents).toBe(refunded);
    expect(ledger!.cash).toBe(-refunded); // one ledger entry per refund that succeeded, none for the others
    // every refusal is a clear 409 naming the field, and was right: what is left now is less than it asked
    for (const [i, a] of answers.entries()) {
      if (a.statusCode === 201) continue;
      expect(a.statusCode).toBe(409);
      expect(a.json().error).toMatchObject({ code: 'amount_too_large', param: 'amountCents' });
      expect(amounts[i]).toBeGreaterThan(1_000 - refunded);
    }
    expect(lost.length + won.length).toBe(20);
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(-1_000 + refunded);
    expect(trial).toBe(0);
  });

  it('20 identical concurrent refunds of 150: six succeed, fourteen are 409, each success is its own refund', async () => {
    const w = await waterAccount(sql);
    const paymentId = (await counterPayment(w.acct.id, 1_000)).json().id as string;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.inject({
          method: 'POST',
          url: `/payments/${paymentId}/refunds`,
          headers: bearer(billing),
          payload: { amountCents: 150, reason: 'overpaid' },
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(6);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(14);
    const [p] = await sql<
      { refundedCents: number }[]
    >`select refunded_cents from payment where id = ${paymentId}`;
    expect(p!.refundedCents).toBe(900);
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(-100);
    expect(await trialTotal()).toBe(0);
  });

  it('the database refuses refund rows past the payment, even written at once without the lock', async () => {
    const w = await waterAccount(sql);
    const paymentId = (await counterPayment(w.acct.id, 1_000)).json().id as string;
    const tries = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        sql.begin(
          (tx) => tx`insert into refund (id, payment_id, seq, amount_cents, reason)
            values (${`ref_raw_${paymentId}_${i}`}, ${paymentId}, ${i + 1}, 300, 'raw insert')`,
        ),
      ),
    );
    expect(tries.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of tries.filter((r) => r.status === 'rejected'))
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/more than its 1000 cents/);
    await expect(sql`update payment set refunded_cents = 1001 where id = ${paymentId}`).rejects.toThrow(
      /payment_refunded_within_amount/,
    );
  });

  it('concurrent counter payments never allocate more than a bill is for', async () => {
    const w = await waterAccount(sql);
    const bill = await simpleBill(sql, {
      accountId: w.acct.id,
      agreementId: w.agreementId,
      period: '2026-09',
      totalCents: 1_000,
      dueDate: '2026-10-20',
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => counterPayment(w.acct.id, 400)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(201));
    const [a] = await sql<{ allocated: number }[]>`
      select coalesce(sum(amount_cents), 0)::bigint as allocated from payment_allocation where bill_id = ${bill.billId}`;
    expect(a!.allocated).toBe(1_000);
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(1_000 - 4_000);
    expect(await trialTotal()).toBe(0);
  });
});

describe('idempotency keys belong to the caller and the route', () => {
  it('two staff members send different counter payments with one key: both are recorded; a replay gets the first answer', async () => {
    const w = await waterAccount(sql);
    const other = await staffToken(app, sql, 'csr');
    const key = 'drawer-2026-11-16-0001';
    const a = await counterPayment(w.acct.id, 1_200, csr, key);
    const b = await counterPayment(w.acct.id, 3_400, other, key);
    expect(a.statusCode, a.body).toBe(201);
    expect(b.statusCode, b.body).toBe(201);
    expect(b.json().id).not.toBe(a.json().id);
    const again = await counterPayment(w.acct.id, 1_200, csr, key);
    expect(again.json().id).toBe(a.json().id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const changed = await counterPayment(w.acct.id, 999, csr, key);
    expect(changed.statusCode).toBe(422);
    expect(changed.json().error).toMatchObject({ code: 'idempotency_key_reused', param: 'Idempotency-Key' });
    const rows = await sql<{ amountCents: number }[]>`
      select amount_cents from payment where account_id = ${w.acct.id} order by amount_cents`;
    expect(rows.map((r) => r.amountCents)).toEqual([1_200, 3_400]);
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(-4_600);
  });

  it('one caller may use the same key on two routes: a payment and an adjustment are both posted', async () => {
    const w = await waterAccount(sql);
    const key = 'shared-key-across-routes';
    const paid = await counterPayment(w.acct.id, 2_000, billing, key);
    const adj = await app.inject({
      method: 'POST',
      url: `/accounts/${w.acct.id}/adjustments`,
      headers: { ...bearer(billing), 'idempotency-key': key },
      payload: { kind: 'debit', amount_cents: 500, reason: 'meter test fee' },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(adj.statusCode, adj.body).toBe(201);
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(-1_500);
  });
});

describe('staff business limits', () => {
  const owing = async (cents: number) => {
    const w = await waterAccount(sql);
    await simpleBill(sql, {
      accountId: w.acct.id,
      agreementId: w.agreementId,
      period: '2026-09',
      totalCents: cents,
      dueDate: '2026-10-20',
    });
    return w.acct.id;
  };
  const adjust = (accountId: string, body: object) =>
    app.inject({
      method: 'POST',
      url: `/accounts/${accountId}/adjustments`,
      headers: bearer(billing),
      payload: body,
    });

  it('a write-off may clear what is owed, not more; two sent at once cannot together pass the balance', async () => {
    const accountId = await owing(5_000);
    const far = await adjust(accountId, {
      kind: 'write_off',
      amount_cents: 5_000_000,
      reason: 'uncollectable',
    });
    expect(far.statusCode).toBe(409);
    expect(far.json().error).toMatchObject({ code: 'write_off_exceeds_balance', param: 'amount_cents' });
    expect(await accountBalanceCents(sql, accountId)).toBe(5_000);
    const both = await Promise.all(
      [1, 2].map(() =>
        adjust(accountId, { kind: 'write_off', amount_cents: 3_000, reason: 'uncollectable' }),
      ),
    );
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await accountBalanceCents(sql, accountId)).toBe(2_000);
    expect(await trialTotal()).toBe(0);
  });

  it('a counter payment received in 1900 or 9999 is refused, naming receivedOn; today and last week are fine', async () => {
    const w = await waterAccount(sql);
    const counter = (receivedOn: string) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${w.acct.id}/payments/counter`,
        headers: bearer(csr),
        payload: { amountCents: 1_000, method: 'check', receivedOn },
      });
    for (const day of ['1900-01-01', '9999-12-31', '2026-11-17']) {
      const r = await counter(day);
      expect(r.statusCode, day).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'parameter_invalid', param: 'receivedOn' });
    }
    expect((await counter(TODAY)).statusCode).toBe(201);
    expect((await counter('2026-11-09')).statusCode).toBe(201);
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(-2_000);
  });

  it('a lockbox row received in 1900 is rejected by row and field; nothing is posted', async () => {
    const w = await waterAccount(sql);
    const csv = `account_number,amount,check_number,received_on\n${w.acct.accountNumber},10.00,77,1900-01-01\n`;
    const r = await app.inject({
      method: 'POST',
      url: '/payments/lockbox',
      headers: { ...bearer(billing), 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().rows).toMatchObject([{ row: 2, status: 'rejected', field: 'received_on' }]);
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(0);
  });

  it('holds follow the collection policy: no 366-day medical hold, no renewals past the policy', async () => {
    const w = await waterAccount(sql);
    const hold = (body: object) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${w.acct.id}/holds`,
        headers: bearer(csr),
        payload: body,
      });
    const long = await hold({ kind: 'medical', days: 366, note: 'certificate from Dr. Okafor' });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatchObject({ code: 'hold_too_long', param: 'days' });
    const medical = await hold({ kind: 'medical', note: 'certificate from Dr. Okafor' });
    expect(medical.statusCode, medical.body).toBe(201);
    expect(medical.json()).toMatchObject({ startsOn: TODAY, endsOn: '2026-12-15' }); // 30 policy days
    const renew = (id: string) =>
      app.inject({ method: 'POST', url: `/holds/${id}/renew`, headers: bearer(csr) });
    // the policy allows two renewals of a medical hold: five sent at once, two pass
    const renewals = await Promise.all(Array.from({ length: 5 }, () => renew(medical.json().id)));
    expect(renewals.map((r) => r.statusCode).sort()).toEqual([200, 200, 409, 409, 409]);
    const manual = await hold({ kind: 'manual', note: 'field visit pending' });
    expect(manual.json()).toMatchObject({ endsOn: '2026-11-29' }); // 14 policy days
    expect((await renew(manual.json().id)).statusCode).toBe(200);
    const past = await renew(manual.json().id);
    expect(past.statusCode).toBe(409);
    expect(past.json().error.code).toBe('hold_renewals_exhausted');
  });

  it('money sent as text is refused, naming the field; query strings still read numbers', async () => {
    const w = await waterAccount(sql);
    const counter = await app.inject({
      method: 'POST',
      url: `/accounts/${w.acct.id}/payments/counter`,
      headers: bearer(csr),
      payload: { amountCents: '1000', method: 'cash' },
    });
    expect(counter.statusCode).toBe(400);
    expect(counter.json().error).toMatchObject({ code: 'parameter_invalid', param: 'amountCents' });
    const adj = await adjust(w.acct.id, { kind: 'credit', amount_cents: '500', reason: 'goodwill' });
    expect(adj.statusCode).toBe(400);
    expect(adj.json().error).toMatchObject({ param: 'amount_cents' });
    const bool = await adjust(w.acct.id, { kind: 'credit', amount_cents: true, reason: 'goodwill' });
    expect(bool.json().error).toMatchObject({ param: 'amount_cents' });
    expect(await accountBalanceCents(sql, w.acct.id)).toBe(0);
    const usage = await app.inject({
      method: 'GET',
      url: `/accounts/${w.acct.id}/usage?months=12&through=2026-10`,
      headers: bearer(csr),
    });
    expect(usage.statusCode, usage.body).toBe(200);
    expect(usage.json().months).toBe(12);
  });
});
