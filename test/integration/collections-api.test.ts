// Collections through the API with one-second policy days: holds, moratoria, the small-balance threshold,
// payment arrangements kept and broken, and the policy itself (data, role-checked).
import { beforeAll, describe, expect, it } from 'vitest';
import { signalCollections } from '../../activities/collections.js';
import type { Sql } from '../../db/client.js';
import { addDays } from '../../domain/period.js';
import { eventually, payAtCounter, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
let app: TestApp;
const today = TODAY;
const base = {
  dayLength: '1s',
  reminderDaysBeforeDue: 0,
  pastDueNoticeAfterDays: 1,
  lateFee: { type: 'percent', percent: '1.5', minCents: 300 },
  lateFeeAfterDays: 1,
  finalNoticeAfterDays: 2,
  minNoticeDays: 2,
  smallBalanceCents: 2_500,
  moratoria: [],
  installmentGraceDays: 0,
};

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  app = await testApp(sql, t);
  const put = async (cls: string, p: object) => {
    const token = await staffToken(app, sql, 'supervisor');
    const r = await app.inject({
      method: 'PUT',
      url: `/collection-policies/${cls}`,
      headers: bearer(token),
      payload: p,
    });
    if (r.statusCode !== 200) throw new Error(r.body);
  };
  await put('hold-test', base);
  await put('winter-test', {
    ...base,
    moratoria: [{ from: '01-01', to: '12-31', reason: 'heat moratorium' }],
  });
});

const events = async (accountId: string) =>
  (
    await sql<
      { event: string }[]
    >`select event from case_event where account_id = ${accountId} and subject_type = 'collection' order by id`
  ).map((e) => e.event);

async function pastDue(cls: string, cents: number, daysPastDue = 3) {
  const a = await waterAccount(sql, { customerClass: cls });
  const bill = await simpleBill(sql, {
    accountId: a.acct.id,
    agreementId: a.agreementId,
    period: '2026-09',
    totalCents: cents,
    dueDate: addDays(today, -daysPastDue),
  });
  const handOff = () =>
    signalCollections(
      t.env.client,
      `${t.taskQueuePrefix}billing`,
      { id: a.acct.id, accountNumber: a.acct.accountNumber },
      'bill_issued',
    );
  return { ...a, bill, handOff };
}

describe('collection policy', () => {
  it('is data per customer class: staff read it, only supervisors change it, bad values are refused', async () => {
    const csr = await staffToken(app, sql, 'csr');
    const sup = await staffToken(app, sql, 'supervisor');
    const got = await app.inject({ url: '/collection-policies/hold-test', headers: bearer(csr) });
    expect(got.json().policy).toMatchObject({
      finalNoticeAfterDays: 2,
      minNoticeDays: 2,
      reconnectFeeCents: 2500,
    });
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: '/collection-policies/x',
          headers: bearer(csr),
          payload: base,
        })
      ).statusCode,
    ).toBe(403);
    const bad = await app.inject({
      method: 'PUT',
      url: '/collection-policies/x',
      headers: bearer(sup),
      payload: { lateFee: { type: 'percent', percent: 'lots', minCents: 0 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/percent/);
  });
});

describe('holds and thresholds', () => {
  it('a medical hold stops the final notice until it ends; renewals are limited by policy', async () => {
    const a = await pastDue('hold-test', 20_000);
    const csr = await staffToken(app, sql, 'csr');
    // a hold far longer than the test, released by staff below: how long the workflow takes on a loaded
    // machine cannot decide the outcome (that a hold ending by date wakes the case is test/unit/collections)
    const hold = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/holds`,
      headers: bearer(csr),
      payload: { kind: 'medical', days: 30, note: 'Physician certificate received' },
    });
    expect(hold.statusCode).toBe(201);
    await a.handOff();
    await eventually(async () => (await events(a.acct.id)).includes('late_fee'));
    // 1.5% of $200.00 = $3.00
    const [fee] =
      await sql`select amount_cents from adjustment where account_id = ${a.acct.id} and kind = 'late_fee'`;
    expect(fee!.amountCents).toBe(300);
    // the workflow settles on its next state just after the step is recorded
    const view = await eventually(async () => {
      const v = (
        await app.inject({ url: `/accounts/${a.acct.id}/collections`, headers: bearer(csr) })
      ).json();
      return v.stage === 'late_fee' && v.blockedBy?.length ? v : null;
    });
    expect(view).toMatchObject({ stage: 'late_fee', blockedBy: ['medical_hold'] });
    expect(view.case.url).toContain('dunning%2F');
    // three policy days past the final notice's day, still none
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await events(a.acct.id)).not.toContain('final_notice');

    const sup = await staffToken(app, sql, 'supervisor');
    const change = (action: 'renew' | 'release') =>
      app.inject({
        method: 'POST',
        url: `/holds/${hold.json().id}/${action}`,
        headers: bearer(sup),
        payload: {},
      });
    expect((await change('renew')).statusCode).toBe(200);
    expect((await change('renew')).statusCode).toBe(200);
    const third = await change('renew');
    expect(third.statusCode).toBe(409);
    expect(third.json().error.code).toBe('hold_renewals_exhausted');
    // once the hold ends, the final notice follows
    expect((await change('release')).statusCode).toBe(200);
    await eventually(async () => (await events(a.acct.id)).includes('final_notice'), 30_000);
  });

  it('a moratorium stops the final notice and disconnect; notices and fees still go out', async () => {
    const a = await pastDue('winter-test', 20_000);
    await a.handOff();
    await eventually(async () => (await events(a.acct.id)).includes('late_fee'));
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await events(a.acct.id)).toEqual(['past_due_notice', 'late_fee']);
    const customer = await customerLogin(app, sql, [a.acct.id]);
    const view = (
      await app.inject({ url: `/accounts/${a.acct.id}/collections`, headers: bearer(customer.token) })
    ).json();
    expect(view.blockedBy).toEqual(['heat moratorium']);
    expect(view.case.url).toBeNull(); // Temporal links are for staff
    const stranger = await customerLogin(app, sql, []);
    expect(
      (await app.inject({ url: `/accounts/${a.acct.id}/collections`, headers: bearer(stranger.token) }))
        .statusCode,
    ).toBe(404);
  });

  it('below the small-balance threshold only the notice goes out', async () => {
    const a = await pastDue('hold-test', 1_000);
    await a.handOff();
    await eventually(async () => (await events(a.acct.id)).includes('past_due_notice'));
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await events(a.acct.id)).toEqual(['past_due_notice']);
  });
});

describe('hand-off of accounts already past due (a legacy migration, the demo)', () => {
  it('starts collections for a past-due account with no case, once, and leaves one not yet due alone', async () => {
    const late = await pastDue('hold-test', 1_000); // due 3 days ago: no bill run handed it off
    const notYet = await waterAccount(sql, { customerClass: 'hold-test' });
    await simpleBill(sql, {
      accountId: notYet.acct.id,
      agreementId: notYet.agreementId,
      period: '2026-10',
      totalCents: 4_000,
      dueDate: addDays(today, 5),
    });
    const post = async (role: 'csr' | 'supervisor') =>
      app.inject({
        method: 'POST',
        url: '/collections/handoffs',
        headers: bearer(await staffToken(app, sql, role)),
      });
    expect((await post('csr')).statusCode).toBe(403);
    const first = await post('supervisor');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().accounts).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await events(late.acct.id)).includes('past_due_notice'));
    const cases = async (id: string) =>
      (await sql`select status from collection_case where account_id = ${id}`).map((c) => c.status);
    expect(await cases(late.acct.id)).toEqual(['open']);
    expect(await cases(notYet.acct.id)).toEqual([]);
    // its case is open now: two more hand-offs at once start no other case and repeat no notice (one
    // dunning workflow id per account; one open case per account, by constraint; case events keyed once)
    await Promise.all([post('supervisor'), post('supervisor')]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await cases(late.acct.id)).toEqual(['open']);
    expect((await events(late.acct.id)).filter((e) => e === 'past_due_notice')).toHaveLength(1);
    const [audit] =
      await sql`select count(*)::int as n from audit_log where action = 'POST /collections/handoffs'
      and actor_role = 'supervisor'`;
    expect(audit!.n).toBe(3);
  });
});

describe('payment arrangements', () => {
  it('a broken arrangement resumes collections; while it is kept, nothing happens', async () => {
    const a = await pastDue('hold-test', 20_000);
    const customer = await customerLogin(app, sql, [a.acct.id]);
    const tooMany = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/arrangements`,
      headers: bearer(customer.token),
      payload: { installments: 12 },
    });
    expect(tooMany.statusCode).toBe(400);
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/arrangements`,
      headers: bearer(customer.token),
      payload: { installments: 3, first_due: today, every_days: 7 },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().installments.map((i: { amountCents: number }) => i.amountCents)).toEqual([
      6_667, 6_667, 6_666,
    ]);
    await a.handOff();
    // nothing is paid by the first instalment's date: broken the next day, and collections takes over
    await eventually(async () => {
      const [x] = await sql`select status from payment_arrangement where id = ${r.json().id}`;
      return x!.status === 'broken';
    });
    await eventually(async () => (await events(a.acct.id)).includes('late_fee'));
    const list = await app.inject({
      url: `/accounts/${a.acct.id}/arrangements`,
      headers: bearer(customer.token),
    });
    expect(list.json().data[0]).toMatchObject({ status: 'broken', paidCents: 0 });
    // a second self-service arrangement within a year is refused
    const again = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/arrangements`,
      headers: bearer(customer.token),
      payload: { installments: 2 },
    });
    expect(again.json().error.code).toBe('arrangement_not_eligible');
  });

  it('a kept arrangement holds collections off and completes', async () => {
    const a = await pastDue('hold-test', 20_000);
    const csr = await staffToken(app, sql, 'csr');
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/arrangements`,
      headers: bearer(csr),
      payload: { installments: 2, first_due: addDays(today, 1), every_days: 7 },
    });
    expect(r.statusCode).toBe(201);
    await a.handOff();
    await payAtCounter(sql, a.acct.id, 10_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await events(a.acct.id)).toEqual([]);
    await payAtCounter(sql, a.acct.id, 10_000);
    await eventually(async () => {
      const [x] = await sql`select status from payment_arrangement where id = ${r.json().id}`;
      return x!.status === 'completed';
    }, 15_000);
    expect(await events(a.acct.id)).toEqual([]);
  });
});
