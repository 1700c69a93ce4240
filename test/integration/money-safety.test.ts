// Money under hostile use (issue 14): refunds and other check-then-act money paths sent concurrently,
// idempotency keys scoped to the caller and route, and staff business limits.
import { beforeAll, describe, expect, it } from 'vitest';
import { addRead, createAccount, createCustomer, createServiceAgreement } from '../../db/accounts.js';
import { loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { tenureSpan } from '../../db/tenure.js';
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

describe('tenure: a new occupant sees and pays for only their own usage', () => {
  // one premise, one meter: the first occupant moves out on 15 June 2026 and the next moves in that day;
  // the meter is read on the 1st of each month and on the handover day
  async function twoOccupants() {
    const first = await waterAccount(sql);
    await sql`update service_agreement set end_date = '2026-06-15', status = 'closed' where id = ${first.agreementId}`;
    const c = await createCustomer(sql, { name: 'Ada Next' });
    const next = await createAccount(sql, { customerId: c.id });
    const sa = await createServiceAgreement(sql, {
      accountId: next.id,
      servicePointId: first.servicePoint.id,
      rateScheduleId: first.rateScheduleId,
      startDate: '2026-06-15',
    });
    const reads: Record<string, string> = {};
    const at = [
      ...['01', '02', '03', '04', '05', '06'].map((m) => `2026-${m}-01T12:00:00Z`),
      '2026-06-15T12:00:00Z',
      ...['07', '08', '09', '10', '11'].map((m) => `2026-${m}-01T12:00:00Z`),
    ];
    // the first occupant used 100 ccf a month; the next uses 7 a month (3 in the second half of June)
    const values = [1000, 1100, 1200, 1300, 1400, 1500, 1550, 1553, 1560, 1567, 1574, 1581];
    for (const [i, readAt] of at.entries())
      reads[readAt] = (
        await addRead(sql, { meterId: first.meter.id, readAt, value: String(values[i]), source: 'ami' })
      ).id;
    return { first, next: { accountId: next.id as string, agreementId: sa.id as string }, reads };
  }
  const usage = async (accountId: string) => {
    const r = await app.inject({
      method: 'GET',
      url: `/accounts/${accountId}/usage?months=12&through=2026-10`,
      headers: bearer(csr),
    });
    expect(r.statusCode, r.body).toBe(200);
    const water = r.json().services.find((s: { serviceType: string }) => s.serviceType === 'water');
    return Object.fromEntries(
      (water?.usage ?? [])
        .filter((u: { quantity: string | null }) => u.quantity !== null)
        .map((u: { period: string; quantity: string }) => [u.period, u.quantity]),
    );
  };

  it('usage and charts: each occupant sees the months of their own agreement, split on the handover read', async () => {
    const { first, next } = await twoOccupants();
    expect(await usage(next.accountId)).toEqual({
      '2026-06': '3',
      '2026-07': '7',
      '2026-08': '7',
      '2026-09': '7',
      '2026-10': '7',
    });
    expect(await usage(first.acct.id)).toEqual({
      '2026-01': '100',
      '2026-02': '100',
      '2026-03': '100',
      '2026-04': '100',
      '2026-05': '100', // a read on the 1st closes the month before
      '2026-06': '50', // 1 June to the final read on the handover day; July's read is not theirs
    });
  });

  it("the account's read list and its customer's Green Button download start at the move-in", async () => {
    const { next, reads } = await twoOccupants();
    const list = await app.inject({
      method: 'GET',
      url: `/accounts/${next.accountId}/reads?limit=50`,
      headers: bearer(csr),
    });
    const readAts = list.json().data.map((r: { readAt: string }) => r.readAt);
    expect(readAts.at(-1)).toBe('2026-06-15T12:00:00.000Z');
    expect(readAts).toHaveLength(6);
    expect(reads['2026-06-15T12:00:00Z']).toBeDefined();
    const span = await tenureSpan(sql, (await spOf(next.accountId))!, next.accountId, 'UTC');
    expect(span).toEqual({ from: new Date('2026-06-15T00:00:00Z'), to: null });
  });

  it("bills: the next occupant's first bill opens on the move-in read, not the previous occupant's", async () => {
    const { first, next, reads } = await twoOccupants();
    const june = { key: '2026-06', start: '2026-06-01', end: '2026-06-30' };
    const theirs = await loadBillingInputs(sql, next.accountId, june);
    const seg = theirs!.segments.find((s) => s.serviceAgreementId === next.agreementId)!;
    expect(seg.openingRead?.id).toBe(reads['2026-06-15T12:00:00Z']);
    expect(seg.closingRead?.id).toBe(reads['2026-07-01T12:00:00Z']);
    const before = await loadBillingInputs(sql, first.acct.id, june);
    const last = before!.segments.find((s) => s.serviceAgreementId === first.agreementId)!;
    expect(last.openingRead?.id).toBe(reads['2026-06-01T12:00:00Z']);
    expect(last.closingRead?.id).toBe(reads['2026-06-15T12:00:00Z']); // the final read, not July's
  });
});

async function spOf(accountId: string) {
  const [r] = await sql<{ servicePointId: string }[]>`
    select service_point_id from service_agreement where account_id = ${accountId}`;
  return r?.servicePointId;
}
