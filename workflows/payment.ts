// One payment attempt: `payment/{paymentId}`. A state machine over the gateway's events, which may arrive
// late, twice or out of order: the workflow, not the webhook handler, decides what to post.
//   created -> processing (ACH: shown as pending) -> succeeded (posted) -> returned (reversed + fee)
//   created/processing -> failed (nothing posted)
import {
  ActivityFailure,
  condition,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collections.js';
import type { PaymentActivities } from '../activities/payments.js';
import { autopayDebitDate } from '../domain/autopay.js';
import { msUntilDay, startClock } from '../domain/policy-clock.js';
import {
  type AutopayInput,
  type AutopayResult,
  autopayRetimeSignal,
  DEFAULT_PAYMENT_POLICY,
  type GatewayEvent,
  type PaymentInput,
  type PaymentState,
  paymentEventSignal,
  paymentStateQuery,
  paymentWorkflowId,
  type RefundInput,
  type RefundResult,
} from './contracts/payment.js';

const acts = proxyActivities<PaymentActivities & CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// Posting a confirmed payment is a short database write: run it as a local activity, in the worker that
// holds the workflow, so "paid at 2 pm" is on the account without a further trip through the task queue.
const local = proxyLocalActivities<PaymentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

export async function paymentWorkflow(input: PaymentInput): Promise<PaymentState> {
  const policy = { ...DEFAULT_PAYMENT_POLICY, ...input.policy };
  const state: PaymentState = { status: 'created', provider: null, intentId: null, clientSecret: null };
  const inbox: GatewayEvent[] = [];
  const seen = new Set<string>();
  setHandler(paymentStateQuery, () => state);
  setHandler(paymentEventSignal, (e) => {
    if (seen.has(e.id)) return; // a replayed webhook
    seen.add(e.id);
    inbox.push(e);
  });

  const intent = await acts.createPaymentIntent({ paymentId: input.paymentId });
  Object.assign(state, {
    provider: intent.provider,
    intentId: intent.intentId,
    clientSecret: intent.clientSecret,
  });
  if (intent.provider === 'outbox') inbox.push({ id: 'outbox', type: 'payment_intent.succeeded' });
  if (intent.confirmed) {
    // an off-session (autopay) confirmation answers at once; the webhook that follows is a harmless repeat
    const c = intent.confirmed;
    const type =
      c.status === 'succeeded'
        ? 'payment_intent.succeeded'
        : c.status === 'processing'
          ? 'payment_intent.processing'
          : 'payment_intent.payment_failed';
    inbox.push({ id: `confirm:${intent.intentId}`, type, failureCode: c.failureCode });
  }

  const next = async (timeout: string) => {
    if (!(await condition(() => inbox.length > 0, timeout))) return null;
    return inbox.shift()!;
  };

  // until settled: processing may come before or after success; success wins, failure ends it
  while (state.status === 'created' || state.status === 'processing') {
    const e = await next(policy.confirmWindow);
    if (!e) {
      state.status = 'expired';
      await acts.setPaymentStatus({ paymentId: input.paymentId, status: 'failed', failureCode: 'expired' });
      return state;
    }
    if (e.type === 'payment_intent.processing' && state.status === 'created') {
      state.status = 'processing';
      await local.setPaymentStatus({ paymentId: input.paymentId, status: 'processing' });
    } else if (e.type === 'payment_intent.succeeded') {
      await local.postPayment({ paymentId: input.paymentId });
      state.status = 'succeeded';
      // collections stops (or steps back) at once: a disconnected account paid up is reconnected
      await acts.nudgeCollections({ paymentId: input.paymentId, reason: 'payment_posted' });
    } else if (e.type === 'payment_intent.payment_failed') {
      state.status = 'failed';
      await acts.setPaymentStatus({
        paymentId: input.paymentId,
        status: 'failed',
        failureCode: e.failureCode ?? 'failed',
      });
      // an autopay debit that failed leaves its bill to collections
      await acts.nudgeCollections({ paymentId: input.paymentId, reason: 'payment_failed', start: true });
      return state;
    }
  }

  // after success, a bank return can still come back (ACH R01 insufficient funds, R02 closed account, …),
  // or a card chargeback be lost
  for (;;) {
    const e = await next(policy.returnWindow);
    if (!e) return state;
    if (
      e.type === 'payment_intent.payment_failed' ||
      e.type === 'charge.failed' ||
      e.type === 'charge.dispute.lost'
    ) {
      await acts.reversePayment({
        paymentId: input.paymentId,
        reason: e.failureCode ?? 'returned',
        feeCents: policy.returnedPaymentFeeCents,
      });
      state.status = 'returned';
      // the amount is owed again: collections resumes
      await acts.nudgeCollections({ paymentId: input.paymentId, reason: 'payment_returned', start: true });
      return state;
    }
  }
}

/**
 * A staff refund of (part of) a payment: `refund/{paymentId}/{n}`, reserved by the API before it starts.
 * The gateway first, then the ledger; a refund the gateway refuses releases its reservation.
 */
export async function refundWorkflow(input: RefundInput): Promise<RefundResult> {
  // the refund's own id keys the gateway call and the ledger entry (older refunds were keyed by running total)
  const key = `refund:${input.paymentId}:${input.refundId}`;
  let gateway: { refundId: string | null };
  try {
    gateway = await acts.refundAtGateway({
      paymentId: input.paymentId,
      amountCents: input.amountCents,
      key,
    });
  } catch (e) {
    if (!(e instanceof ActivityFailure)) throw e;
    await acts.releaseRefund({ refundId: input.refundId });
    return { status: 'failed', refundId: null, failure: e.cause?.message ?? e.message };
  }
  await acts.postRefund({
    refundId: input.refundId,
    paymentId: input.paymentId,
    amountCents: input.amountCents,
    key,
    reason: input.reason,
    gatewayRef: gateway.refundId,
  });
  return { status: 'succeeded', refundId: gateway.refundId };
}

/**
 * Autopay for one bill: `autopay/{billId}`. Waits until the debit date (the due date, or some days before it
 * by the customer's choice), then charges the saved method for what is still owed. A failed debit is an
 * ordinary failed payment: nothing is posted and the bill stays due for collections.
 */
export async function autopayWorkflow(input: AutopayInput): Promise<AutopayResult> {
  // a change of the days before the due date while waiting moves the debit (earlier or later): the wait
  // starts again from the new date (a timer either way, so histories from before the signal replay alike)
  let daysBeforeDue = input.daysBeforeDue;
  let retimed = false;
  setHandler(autopayRetimeSignal, (r) => {
    daysBeforeDue = r.daysBeforeDue;
    retimed = true;
  });
  for (;;) {
    retimed = false;
    const debitOn = autopayDebitDate(input.dueDate, daysBeforeDue);
    let wait: number;
    if (patched('autopay-business-date')) {
      // the debit day is a business date: counted from the injected clock's today, not the wall's
      const clock = startClock('1 day', Date.now(), await acts.businessDay());
      wait = msUntilDay(clock, debitOn, Date.now());
    } else wait = Date.parse(`${debitOn}T12:00:00Z`) - Date.now(); // autopays started before that change
    if (wait <= 0 && !retimed) break;
    if (wait > 0 && !(await condition(() => retimed, wait))) break;
  }
  const p = await acts.startAutopayPayment({ billId: input.billId });
  if (!p.paymentId) return { status: 'nothing_due' as const };
  await startChild(paymentWorkflow, {
    workflowId: paymentWorkflowId(p.paymentId),
    taskQueue: workflowInfo().taskQueue,
    args: [{ paymentId: p.paymentId }],
    parentClosePolicy: ParentClosePolicy.ABANDON, // the payment lives on through its return window
  });
  return { status: 'debit_started' as const, paymentId: p.paymentId, amountCents: p.amountCents };
}
