// Dunning on a real Temporal server with policy days shrunk to a second: each scenario pays at a different
// step and checks that the steps after it never happen (and that a disconnected account is reconnected).

import { beforeAll, describe, expect, it } from 'vitest';
import { signalCollections } from '../../activities/collections.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { addDays } from '../../domain/period.js';
import { dunningStateQuery } from '../../workflows/contracts/collections.js';
import { eventually, payAtCounter, simpleBill, waterAccount } from '../support/accounts.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
const DAY = 2000; // policy days of two seconds: room for a busy machine between one step and the next

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  // the whole policy in two-second days: reminder 2 days before due, notice the day after, a $5 late fee
  // two days after, final notice three days after with two days' notice, reconnect fee $25
  await sql`insert into collection_policy (customer_class, policy) values ('dunning-test', ${sql.json({
    dayLength: `${DAY}ms`,
    reminderDaysBeforeDue: 2,
    pastDueNoticeAfterDays: 1,
    lateFee: { type: 'fixed', cents: 500 },
    lateFeeAfterDays: 2,
    finalNoticeAfterDays: 3,
    minNoticeDays: 2,
    reconnectFeeCents: 2500,
    smallBalanceCents: 100,
    moratoria: [],
  })})`;
});

const events = async (accountId: string) =>
  (
    await sql<
      { event: string }[]
    >`select event from case_event where account_id = ${accountId} and subject_type = 'collection' order by id`
  ).map((e) => e.event);

async function scenario() {
  const a = await waterAccount(sql, { customerClass: 'dunning-test' });
  const today = TODAY;
  const bill = await simpleBill(sql, {
    accountId: a.acct.id,
    agreementId: a.agreementId,
    period: '2026-10',
    totalCents: 10_000,
    dueDate: addDays(today, 2),
  });
  const account = { id: a.acct.id, accountNumber: a.acct.accountNumber };
  const wake = (reason: string) =>
    signalCollections(t.env.client, `${t.taskQueuePrefix}billing`, account, reason);
  await wake('bill_issued');
  const handle = t.env.client.workflow.getHandle(`dunning/${a.acct.accountNumber}`);
  const waitFor = (event: string) =>
    eventually(async () => (await events(a.acct.id)).includes(event), 30 * DAY);
  const pay = async (cents: number) => {
    await payAtCounter(sql, a.acct.id, cents);
    await wake('payment_posted');
  };
  return { a, bill, handle, waitFor, pay };
}

const notifications = async (accountId: string) =>
  (
    await sql<
      { alert: string; data: { stage?: string } }[]
    >`select alert, data from notification where account_id = ${accountId} order by created_at`
  ).map((n) => (n.data.stage ? `${n.alert}:${n.data.stage}` : n.alert));

describe('dunning workflow: a payment arriving during each step', () => {
  it.concurrent('paid after the reminder: the case closes before anything is past due', async () => {
    const s = await scenario();
    await s.waitFor('reminder');
    await s.pay(10_000);
    expect(await s.handle.result()).toMatchObject({ stage: 'closed' });
    expect(await events(s.a.acct.id)).toEqual(['reminder']);
    // the reminder, then the payment's receipt; nothing from collections
    expect(await notifications(s.a.acct.id)).toEqual(['payment_due', 'payment_received']);
  });

  it.concurrent('paid after the past-due notice: no late fee', async () => {
    const s = await scenario();
    await s.waitFor('past_due_notice');
    await s.pay(10_000);
    expect(await s.handle.result()).toMatchObject({ stage: 'closed' });
    expect(await events(s.a.acct.id)).toEqual(['reminder', 'past_due_notice']);
    expect(await accountBalanceCents(sql, s.a.acct.id)).toBe(0);
  });

  it.concurrent('paid after the late fee: no final notice; the fee was charged once, on the bill only', async () => {
    const s = await scenario();
    await s.waitFor('late_fee');
    expect(await accountBalanceCents(sql, s.a.acct.id)).toBe(10_500);
    await s.pay(10_500);
    expect(await s.handle.result()).toMatchObject({ stage: 'closed' });
    expect(await events(s.a.acct.id)).toEqual(['reminder', 'past_due_notice', 'late_fee']);
    const fees = await sql`select amount_cents, bill_id from adjustment where account_id = ${s.a.acct.id}`;
    expect(fees.map((f) => [f.amountCents, f.billId])).toEqual([[500, s.bill.billId]]);
  });

  it.concurrent('paid after the final notice: no disconnect', async () => {
    const s = await scenario();
    await s.waitFor('final_notice');
    // the workflow settles on its new stage just after recording the step
    await eventually(async () => (await s.handle.query(dunningStateQuery)).stage === 'final_notice');
    await s.pay(10_500);
    expect(await s.handle.result()).toMatchObject({ stage: 'closed' });
    expect(await events(s.a.acct.id)).toEqual(['reminder', 'past_due_notice', 'late_fee', 'final_notice']);
    const [acct] = await sql`select service_state from account where id = ${s.a.acct.id}`;
    expect(acct!.serviceState).toBe('connected');
  });

  it.concurrent('paid after the disconnect: reconnected at once, with the reconnect fee', async () => {
    const s = await scenario();
    await s.waitFor('disconnect');
    let [acct] = await sql`select service_state from account where id = ${s.a.acct.id}`;
    expect(acct!.serviceState).toBe('disconnected');
    const orders = await sql`select kind, status from service_order where account_id = ${s.a.acct.id}`;
    expect(orders.map((o) => [o.kind, o.status])).toEqual([['disconnect', 'completed']]);
    await s.pay(10_500);
    await s.waitFor('reconnect');
    [acct] = await sql`select service_state from account where id = ${s.a.acct.id}`;
    expect(acct!.serviceState).toBe('connected');
    // the reconnect fee is owed now, but it is a fee, not a past-due bill: no new final notice follows
    // the reconnect fee may post just after the reconnect is recorded: wait for it rather than race it
    await eventually(async () => (await accountBalanceCents(sql, s.a.acct.id)) === 2500);
    expect(await accountBalanceCents(sql, s.a.acct.id)).toBe(2500);
    expect(await s.handle.result()).toMatchObject({ stage: 'closed' });
    expect(await events(s.a.acct.id)).toEqual([
      'reminder',
      'past_due_notice',
      'late_fee',
      'final_notice',
      'disconnect',
      'reconnect',
    ]);
    expect(await notifications(s.a.acct.id)).toEqual([
      'payment_due',
      'collection_notice:past_due',
      'collection_notice:late_fee',
      'collection_notice:final_notice',
      'collection_notice:disconnected',
      'payment_received',
      'collection_notice:reconnected',
    ]);
  });
});
