// Disputes through the API on a real Temporal server, with policy days of one second: collection of the
// disputed bill stops while it is open; a dispute found for the customer reverses the late fee; a re-read
// that is lower than the billed read leads to a cancel/rebill and the right balance; the SLA escalates.
import { beforeAll, describe, expect, it } from 'vitest';
import { signalCollections } from '../../activities/collections.js';
import { addRead } from '../../db/accounts.js';
import { issueBill, loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { addDays, monthlyPeriod } from '../../domain/period.js';
import { eventually, payAtCounter, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
let app: TestApp;
const today = TODAY;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  app = await testApp(sql, t);
  const policy = (p: Record<string, unknown>) =>
    sql.json({
      dayLength: '1s',
      reminderDaysBeforeDue: 0,
      pastDueNoticeAfterDays: 1,
      lateFee: { type: 'fixed', cents: 500 },
      lateFeeAfterDays: 1,
      finalNoticeAfterDays: 3,
      minNoticeDays: 2,
      smallBalanceCents: 100,
      moratoria: [],
      ...p,
    });
  // the dispute is opened between the late fee (day 1) and the final notice: days apart enough that a busy
  // machine opens it in time (one-second days)
  await sql`insert into collection_policy (customer_class, policy) values
    ('dispute-test', ${policy({ disputeSlaDays: 100, finalNoticeAfterDays: 7 })}),
    ('sla-test', ${policy({ disputeSlaDays: 2 })})`;
});

const caseEvents = async (accountId: string, type = 'collection') =>
  (
    await sql<
      { event: string }[]
    >`select event from case_event where account_id = ${accountId} and subject_type = ${type} order by id`
  ).map((e) => e.event);

/** A bill issued on its own hands over to collections as the billing-cycle workflow does. */
const handOff = (acct: { id: string; accountNumber: string }) =>
  signalCollections(t.env.client, `${t.taskQueuePrefix}billing`, acct, 'bill_issued');

describe('disputes', () => {
  it('suspends collection of the disputed bill, and reverses its late fee when found for the customer', async () => {
    const a = await waterAccount(sql, { customerClass: 'dispute-test' });
    const bill = await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-09',
      totalCents: 10_000,
      dueDate: addDays(today, -2),
    });
    await handOff({ id: a.acct.id, accountNumber: a.acct.accountNumber });
    await eventually(async () => (await caseEvents(a.acct.id)).includes('late_fee'));
    expect(await accountBalanceCents(sql, a.acct.id)).toBe(10_500);

    const customer = await customerLogin(app, sql, [a.acct.id]);
    const stranger = await customerLogin(app, sql, []);
    const body = { reason: 'We were away all month; this is far too high.' };
    const refused = await app.inject({
      method: 'POST',
      url: `/bills/${bill.billId}/disputes`,
      headers: bearer(stranger.token),
      payload: body,
    });
    expect(refused.statusCode).toBe(404);
    const opened = await app.inject({
      method: 'POST',
      url: `/bills/${bill.billId}/disputes`,
      headers: bearer(customer.token),
      payload: body,
    });
    expect(opened.statusCode).toBe(201);
    const dispute = opened.json();
    expect(dispute).toMatchObject({ object: 'dispute', status: 'open', disputedCents: 10_000, url: null });
    const again = await app.inject({
      method: 'POST',
      url: `/bills/${bill.billId}/disputes`,
      headers: bearer(customer.token),
      payload: body,
    });
    expect(again.statusCode).toBe(409);

    // four policy days pass with the dispute open: the final notice (due on day 3) does not go out
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await caseEvents(a.acct.id)).toEqual(['past_due_notice', 'late_fee']);
    const view = await app.inject({
      url: `/accounts/${a.acct.id}/collections`,
      headers: bearer(customer.token),
    });
    expect(view.json().blockedBy).toContain('dispute');

    const csr = await staffToken(app, sql, 'csr');
    const admin = await staffToken(app, sql, 'billing_admin');
    const resolve = (token: string, payload: object) =>
      app.inject({ method: 'POST', url: `/disputes/${dispute.id}/resolve`, headers: bearer(token), payload });
    expect((await resolve(csr, { resolution: 'adjusted', credit_cents: 2_000 })).statusCode).toBe(403);
    expect((await resolve(admin, { resolution: 'adjusted' })).statusCode).toBe(400);
    const done = await resolve(admin, {
      resolution: 'adjusted',
      credit_cents: 2_000,
      note: 'leak confirmed',
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'resolved',
      resolution: 'adjusted',
      resolutionDetail: { creditCents: 2_000, lateFeesReversedCents: 500 },
    });
    // 10,000 bill + 500 fee - 500 fee reversed - 2,000 credit
    expect(await accountBalanceCents(sql, a.acct.id)).toBe(8_000);
    expect((await resolve(admin, { resolution: 'upheld' })).statusCode).toBe(409);
    expect(await caseEvents(a.acct.id, 'dispute')).toEqual(['opened', 'resolved']);
    const notices = await sql`select data->>'status' as status from notification
      where account_id = ${a.acct.id} and alert = 'dispute_status' order by created_at`;
    expect(notices.map((n) => n.status)).toEqual(['opened', 'resolved']);
    // what is still owed goes back to collections: the final notice now follows
    await eventually(async () => (await caseEvents(a.acct.id)).includes('final_notice'));
    expect((await trialBalance(sql)).reduce((n, r) => n + r.balance, 0)).toBe(0);
  });

  it('rebills from a re-read lower than the billed read: old bill cancelled, new bill, balance right', async () => {
    const a = await waterAccount(sql, { customerClass: 'dispute-test' });
    await addRead(sql, { meterId: a.meter.id, readAt: '2026-10-01T08:00:00Z', value: '1000', source: 'ami' });
    // over-read: the true register was about 1,050
    const over = await addRead(sql, {
      meterId: a.meter.id,
      readAt: '2026-11-01T08:00:00Z',
      value: '1500',
      source: 'amr',
    });
    const period = monthlyPeriod('2026-10');
    const facts = (await loadBillingInputs(sql, a.acct.id, period))!;
    const { segments } = calculateBill({ ...facts, validation: undefined }, period);
    const bill = await issueBill(sql, {
      accountId: a.acct.id,
      period,
      billDate: today,
      dueDate: addDays(today, 21),
      workflowId: 'test',
      segments,
    });
    expect(bill.totalCents).toBe(182_840); // 500 ccf x $3.62 + $18.40
    await payAtCounter(sql, a.acct.id, 5_000);
    await sql`insert into meter_simulator (meter_id, value) values (${a.meter.id}, 1060)`;

    const customer = await customerLogin(app, sql, [a.acct.id]);
    const opened = await app.inject({
      method: 'POST',
      url: `/bills/${bill.billId}/disputes`,
      headers: bearer(customer.token),
      payload: { reason: 'Usage is ten times normal', reread: true },
    });
    expect(opened.statusCode).toBe(201);
    const id = opened.json().id;
    const reread = await eventually<{ status: string; reread: unknown[] }>(async () => {
      const r = await app.inject({ url: `/disputes/${id}`, headers: bearer(customer.token) });
      return r.json().reread?.length ? r.json() : null;
    });
    expect(reread.status).toBe('investigating');
    expect(reread.reread).toMatchObject([{ meterId: a.meter.id, value: '1060.0000' }]);

    const admin = await staffToken(app, sql, 'billing_admin');
    const done = await app.inject({
      method: 'POST',
      url: `/disputes/${id}/resolve`,
      headers: bearer(admin),
      payload: { resolution: 'rebill', note: 'closing read was over-read' },
    });
    expect(done.statusCode).toBe(200);
    const detail = done.json().resolutionDetail;
    expect(detail).toMatchObject({
      cancelledBillId: bill.billId,
      oldTotalCents: 182_840,
      newTotalCents: 23_560, // 60 ccf x $3.62 + $18.40
      corrections: [{ readId: over.id, value: '1060.0000' }],
    });
    const bills =
      await sql`select id, status, total_cents, replaces_bill_id, revision from bill where account_id = ${a.acct.id} order by revision`;
    expect(bills.map((b) => [b.status, b.totalCents, b.revision])).toEqual([
      ['cancelled', 182_840, 0],
      ['issued', 23_560, 1],
    ]);
    expect(bills[1]!.replacesBillId).toBe(bill.billId);
    const [seg] = await sql`select s.end_read_id, r.value::text, r.supersedes_id from bill_segment s
      join meter_read r on r.id = s.end_read_id where s.bill_id = ${bills[1]!.id}`;
    expect(seg).toMatchObject({ value: '1060.0000', supersedesId: over.id });
    expect(await accountBalanceCents(sql, a.acct.id)).toBe(23_560 - 5_000);
    const acct = await app.inject({ url: `/accounts/${a.acct.id}`, headers: bearer(customer.token) });
    expect(acct.json().balanceCents).toBe(18_560);
    expect((await trialBalance(sql)).reduce((n, r) => n + r.balance, 0)).toBe(0);
  });

  it('escalates a dispute nobody resolves within its SLA', async () => {
    const a = await waterAccount(sql, { customerClass: 'sla-test' });
    const bill = await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-10',
      totalCents: 4_000,
      dueDate: addDays(today, 10),
    });
    const csr = await staffToken(app, sql, 'csr');
    const opened = await app.inject({
      method: 'POST',
      url: `/bills/${bill.billId}/disputes`,
      headers: bearer(csr),
      payload: { reason: 'Customer says the meter is not theirs', amount_cents: 99_999 },
    });
    expect(opened.statusCode).toBe(400);
    expect(opened.json().error).toMatchObject({ code: 'parameter_invalid', param: 'amount_cents' });
    const ok = await app.inject({
      method: 'POST',
      url: `/bills/${bill.billId}/disputes`,
      headers: bearer(csr),
      payload: { reason: 'Customer says the meter is not theirs', amount_cents: 1_000 },
    });
    expect(ok.json().url).toContain('/workflows/dispute%2F');
    const escalated = await eventually(async () => {
      const r = await app.inject({ url: '/disputes?status=escalated', headers: bearer(csr) });
      return r.json().data.find((d: { id: string }) => d.id === ok.json().id);
    });
    expect(escalated.status).toBe('escalated');
    expect(await caseEvents(a.acct.id, 'dispute')).toEqual(['opened', 'escalated']);
  });

  it('upheld: the bill and its fee stand; a rebill is refused once a later bill started from its read', async () => {
    const a = await waterAccount(sql, { customerClass: 'dispute-test' });
    const sep = await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-09',
      totalCents: 6_000,
      dueDate: addDays(today, -2),
    });
    await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-10',
      totalCents: 5_000,
      dueDate: addDays(today, 20),
    });
    await handOff({ id: a.acct.id, accountNumber: a.acct.accountNumber });
    await eventually(async () => (await caseEvents(a.acct.id)).includes('late_fee'));
    const admin = await staffToken(app, sql, 'billing_admin');
    const opened = await app.inject({
      method: 'POST',
      url: `/bills/${sep.billId}/disputes`,
      headers: bearer(admin),
      payload: { reason: 'Customer disputes the September read' },
    });
    const id = opened.json().id;
    const rebill = await app.inject({
      method: 'POST',
      url: `/disputes/${id}/resolve`,
      headers: bearer(admin),
      payload: { resolution: 'rebill', corrections: [{ read_id: 'read_none', value: '1' }] },
    });
    expect(rebill.statusCode).toBe(409);
    expect(rebill.json().error.message).toMatch(/later bill/);
    const upheld = await app.inject({
      method: 'POST',
      url: `/disputes/${id}/resolve`,
      headers: bearer(admin),
      payload: { resolution: 'upheld', note: 'read verified by photo' },
    });
    expect(upheld.json()).toMatchObject({ status: 'resolved', resolution: 'upheld' });
    expect(await accountBalanceCents(sql, a.acct.id)).toBe(6_000 + 500 + 5_000); // the fee stands
    const bills = await sql`select status from bill where account_id = ${a.acct.id} order by period`;
    expect(bills.map((b) => b.status)).toEqual(['issued', 'issued']);
  });
});
