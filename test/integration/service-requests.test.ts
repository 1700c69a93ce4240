// Service requests through the API on a real Temporal server: move-out with final read, final bill and
// deposit; start service with approval; transfer; mailing address; seasonal suspend/resume; re-read.
import { beforeAll, describe, expect, it } from 'vitest';
import { addRead, createPremise, createServicePoint } from '../../db/accounts.js';
import { billDeposit } from '../../db/adjustments.js';
import { issueBill, loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { createUser } from '../../db/users.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { addDays, monthlyPeriod } from '../../domain/period.js';
import { eventually, payAtCounter, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
let app: TestApp;
const today = TODAY;
// the account's last bill is for the month before last: a move-out today bills last month and this one
const BILLED = monthlyPeriod(
  addDays(monthlyPeriod(addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7)).start, -1).slice(0, 7),
);

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  app = await testApp(sql, t);
});

type Request = {
  id: string;
  status: string;
  result: Record<string, unknown> | null;
  accountId: string | null;
};
const settled = (token: string, id: string, status = 'completed') =>
  eventually<Request>(async () => {
    const r = (
      await app.inject({ url: `/service-requests/${id}`, headers: bearer(token) })
    ).json() as Request;
    if (r.status === 'failed') throw new Error(`request failed: ${JSON.stringify(r.result)}`);
    return r.status === status ? r : null;
  });

async function billedAccount() {
  const a = await waterAccount(sql);
  await addRead(sql, {
    meterId: a.meter.id,
    readAt: `${BILLED.start}T08:00:00Z`,
    value: '1000',
    source: 'ami',
  });
  await addRead(sql, {
    meterId: a.meter.id,
    readAt: `${addDays(BILLED.end, 1)}T08:00:00Z`,
    value: '1050',
    source: 'ami',
  });
  const period = BILLED;
  const facts = (await loadBillingInputs(sql, a.acct.id, period))!;
  const { segments } = calculateBill({ ...facts, validation: undefined }, period);
  const bill = await issueBill(sql, {
    accountId: a.acct.id,
    period,
    billDate: addDays(BILLED.end, 2),
    dueDate: addDays(today, 20),
    workflowId: 'test',
    segments,
  });
  return { ...a, bill };
}

describe('service requests', () => {
  it('moves out: final read on the stop date, final bill, deposit applied to it, account closed', async () => {
    const a = await billedAccount();
    await billDeposit(sql, {
      idempotencyKey: `dep:${a.acct.id}`,
      accountId: a.acct.id,
      amountCents: 10_000,
      on: BILLED.start,
    });
    await payAtCounter(sql, a.acct.id, a.bill.totalCents + 10_000); // bill and deposit paid: nothing owed
    await sql`insert into meter_simulator (meter_id, value) values (${a.meter.id}, 1100)`;
    const customer = await customerLogin(app, sql, [a.acct.id]);
    const bad = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/service-requests`,
      headers: bearer(customer.token),
      payload: { kind: 'stop_service', details: { stop_date: '28/11/2026' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'parameter_invalid', param: 'details.stop_date' });
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/service-requests`,
      headers: bearer(customer.token),
      payload: { kind: 'stop_service', details: { stop_date: today } },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'stop_service', requiresApproval: false, url: null });
    const done = await settled(customer.token, r.json().id);
    const result = done.result as {
      finalBill: { billId: string; totalCents: number };
      deposit: Record<string, number>;
    };
    expect(result.finalBill).toMatchObject({ status: 'issued', created: true });
    const [seg] =
      await sql`select r.value::text, r.read_at, r.flags from bill b join bill_segment s on s.bill_id = b.id
      join meter_read r on r.id = s.end_read_id where b.id = ${result.finalBill.billId}`;
    expect(seg!.value).toBe('1100.0000');
    expect(seg!.readAt.toISOString().slice(0, 10)).toBe(today);
    const [final] = await sql`select period, total_cents from bill where id = ${result.finalBill.billId}`;
    expect(final!.period).toBe(today.slice(0, 7));
    // the $100 deposit pays towards the final bill; whatever it does not cover is refunded
    const applied = Math.min(final!.totalCents, 10_000);
    expect(result.deposit).toEqual({ appliedCents: applied, refundCents: 10_000 - applied });
    expect(await accountBalanceCents(sql, a.acct.id)).toBe(final!.totalCents - applied);
    const [acct] = await sql`select status from account where id = ${a.acct.id}`;
    expect(acct!.status).toBe('closed');
    const agreements =
      await sql`select status, end_date::text from service_agreement where account_id = ${a.acct.id}`;
    expect(agreements.map((x) => [x.status, x.endDate])).toEqual([['closed', today]]);
    const notices = await sql`select data->>'status' as s from notification where account_id = ${a.acct.id}
      and alert = 'service_request_status' order by created_at`;
    expect(notices.map((n) => n.s)).toEqual(['in_progress', 'completed']);
    expect((await trialBalance(sql)).reduce((n, x) => n + x.balance, 0)).toBe(0);
  });

  it('refuses a stop date the work could never honour, before any workflow starts', async () => {
    const a = await billedAccount(); // billed through BILLED.end
    const customer = await customerLogin(app, sql, [a.acct.id]);
    const csr = await staffToken(app, sql, 'csr');
    const stop = (token: string, stop_date: string) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${a.acct.id}/service-requests`,
        headers: bearer(token),
        payload: { kind: 'stop_service', details: { stop_date } },
      });
    for (const [token, date, why] of [
      [customer.token, addDays(today, -1), 'cannot be in the past'],
      [customer.token, addDays(today, 400), 'more than 366 days ahead'],
      [csr, BILLED.end, `must be on or after ${addDays(BILLED.end, 1)}`], // staff may backdate, not into a billed month
    ] as const) {
      const r = await stop(token, date);
      expect(r.statusCode, date).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'parameter_invalid', param: 'details.stop_date' });
      expect(r.json().error.message).toContain(why);
    }
    const [n] = await sql<
      { n: number }[]
    >`select count(*)::int as n from service_request where account_id = ${a.acct.id}`;
    expect(n!.n).toBe(0); // nothing half-made, no workflow stuck retrying
  });

  it('starts service for a portal customer once a billing admin approves it', async () => {
    const old = await waterAccount(sql); // the premise has had water service: its rate schedule carries over
    const email = `mover.${Date.now()}@example.test`;
    await createUser(sql, {
      email,
      displayName: 'Mover',
      password: 'pw-for-tests-1',
      kind: 'customer',
      customerId: old.customer.id,
    });
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: 'pw-for-tests-1' },
    });
    const token = login.json().token as string;
    const r = await app.inject({
      method: 'POST',
      url: '/service-requests/start-service',
      headers: bearer(token),
      payload: { details: { premise_id: old.premise.id, start_date: today } },
    });
    expect(r.statusCode).toBe(201);
    const id = r.json().id;
    const csr = await staffToken(app, sql, 'csr');
    const admin = await staffToken(app, sql, 'billing_admin');
    await eventually(async () => {
      const q = await app.inject({ url: '/service-requests?status=awaiting_approval', headers: bearer(csr) });
      return q.json().data.some((x: { id: string }) => x.id === id);
    });
    const byCsr = await app.inject({
      method: 'POST',
      url: `/service-requests/${id}/approve`,
      headers: bearer(csr),
      payload: {},
    });
    expect(byCsr.statusCode).toBe(403);
    const ok = await app.inject({
      method: 'POST',
      url: `/service-requests/${id}/approve`,
      headers: bearer(admin),
      payload: { note: 'ID checked' },
    });
    expect(ok.statusCode).toBe(200);
    const done = await eventually<Request>(async () => {
      const x = await app.inject({ url: `/service-requests/${id}`, headers: bearer(admin) });
      return x.json().status === 'completed' ? x.json() : null;
    });
    const newAccount = (done.result as { accountId: string }).accountId;
    expect(newAccount).not.toBe(old.acct.id);
    const sa =
      await sql`select rate_schedule_id, start_date::text from service_agreement where account_id = ${newAccount}`;
    expect(sa.map((x) => [x.rateScheduleId, x.startDate])).toEqual([[old.rateScheduleId, today]]);
    // the customer reaches the new account from the portal
    expect((await app.inject({ url: `/accounts/${newAccount}`, headers: bearer(token) })).statusCode).toBe(
      200,
    );
    const again = await app.inject({
      method: 'POST',
      url: `/service-requests/${id}/reject`,
      headers: bearer(admin),
      payload: {},
    });
    expect(again.statusCode).toBe(409);
  });

  it('a rejected start creates nothing, and the customer sees why', async () => {
    const old = await waterAccount(sql);
    const admin = await staffToken(app, sql, 'supervisor');
    const csr = await staffToken(app, sql, 'csr');
    const r = await app.inject({
      method: 'POST',
      url: '/service-requests/start-service',
      headers: bearer(csr),
      payload: { customer: old.customer.id, details: { premise_id: old.premise.id, start_date: today } },
    });
    expect(r.json().requiresApproval).toBe(true);
    const id = r.json().id;
    await settled(csr, id, 'awaiting_approval');
    const no = await app.inject({
      method: 'POST',
      url: `/service-requests/${id}/reject`,
      headers: bearer(admin),
      payload: { note: 'premise already served' },
    });
    expect(no.statusCode).toBe(200);
    const done = await settled(csr, id, 'rejected');
    expect(done.result).toMatchObject({ note: 'premise already served' });
    const [n] = await sql<
      { n: number }[]
    >`select count(*)::int as n from account where customer_id = ${old.customer.id}`;
    expect(n!.n).toBe(1);
  });

  it('transfers service to a new premise on the same account, with a final read at the old one', async () => {
    const a = await billedAccount();
    const dest = await createPremise(sql, {
      addressLine1: '99 Oak Ave',
      city: 'Springfield',
      state: 'OR',
      postalCode: '97478',
    });
    await createServicePoint(sql, dest.id, 'water');
    const admin = await staffToken(app, sql, 'billing_admin');
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/service-requests`,
      headers: bearer(admin),
      payload: { kind: 'transfer', details: { move_date: today, to_premise_id: dest.id } },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().requiresApproval).toBe(false); // a billing admin asked: no second approval
    await settled(admin, r.json().id);
    const sas =
      await sql`select sp.premise_id, sa.start_date::text, sa.end_date::text from service_agreement sa
      join service_point sp on sp.id = sa.service_point_id where sa.account_id = ${a.acct.id} order by sa.start_date`;
    expect(sas.map((x) => [x.premiseId, x.endDate])).toEqual([
      [a.premise.id, today],
      [dest.id, null],
    ]);
    const reads =
      await sql`select 1 from meter_read where meter_id = ${a.meter.id} and flags @> ${sql.json([{ onDemand: `sr:${r.json().id}:final` }])}`;
    expect(reads.length).toBe(1);
  });

  it('changes the mailing address, suspends and resumes for the season, and re-reads on request', async () => {
    const a = await billedAccount();
    const customer = await customerLogin(app, sql, [a.acct.id]);
    const stranger = await customerLogin(app, sql, []);
    const ask = (token: string, payload: object) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${a.acct.id}/service-requests`,
        headers: bearer(token),
        payload,
      });
    expect((await ask(stranger.token, { kind: 'reread' })).statusCode).toBe(404);
    const missing = await ask(customer.token, { kind: 'mailing_address', details: { line1: 'PO Box 7' } });
    expect(missing.json().error).toMatchObject({ code: 'parameter_missing', param: 'details.city' });

    const addr = await ask(customer.token, {
      kind: 'mailing_address',
      details: { line1: 'PO Box 7', city: 'Eugene', state: 'OR', postal_code: '97401' },
    });
    await settled(customer.token, addr.json().id);
    const [c] = await sql`select mailing_address from customer where id = ${a.customer.id}`;
    expect(c!.mailingAddress).toMatchObject({ line1: 'PO Box 7', city: 'Eugene' });

    await settled(customer.token, (await ask(customer.token, { kind: 'seasonal_suspend' })).json().id);
    let [sa] = await sql`select status from service_agreement where id = ${a.agreementId}`;
    expect(sa!.status).toBe('suspended_seasonal');
    await settled(customer.token, (await ask(customer.token, { kind: 'seasonal_resume' })).json().id);
    [sa] = await sql`select status from service_agreement where id = ${a.agreementId}`;
    expect(sa!.status).toBe('active');

    await sql`insert into meter_simulator (meter_id, value) values (${a.meter.id}, 1077.5)`;
    const reread = await settled(customer.token, (await ask(customer.token, { kind: 'reread' })).json().id);
    expect(reread.result).toMatchObject({ reads: [{ meterId: a.meter.id, value: '1077.5000' }] });
    const list = await app.inject({
      url: `/accounts/${a.acct.id}/service-requests`,
      headers: bearer(customer.token),
    });
    expect(list.json().data.map((x: { kind: string }) => x.kind)).toEqual([
      'reread',
      'seasonal_resume',
      'seasonal_suspend',
      'mailing_address',
    ]);
  });
});
