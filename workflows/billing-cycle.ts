// One account's bill for one period, through the one bill pipeline (activities/bill-pipeline.ts billAccount).
// A bill that cannot go out as is waits here, in the exceptions queue, until staff approve it, correct a
// read, ask for a re-read or cancel it; an escalation timer flags it to a supervisor if nobody does.
// Orchestration only: all I/O is in activities; rating is pure domain code and so replays identically.
import {
  condition,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountOutcome, BillAccountActivities } from '../activities/bill-pipeline.js';
import type { BillingActivities } from '../activities/billing.js';
import { waitsForReads } from '../domain/bill-calc.js';
import { monthlyPeriod } from '../domain/period.js';
import type { ValidationPolicy } from '../domain/read-validation.js';
import {
  type BillingCycleInput,
  type BillingCycleResult,
  type BillingCycleState,
  type BillingCycleStatus,
  billStateQuery,
  billStatusQuery,
  RESOLUTION_ACTIONS,
  RESOLVABLE_STATUSES,
  type Resolution,
  readArrivedSignal,
  resolveExceptionUpdate,
  validationOf,
} from './contracts/billing-cycle.js';
import { AccountNumber, BillingCycle, BillStatus } from './contracts/search-attributes.js';

const acts = proxyActivities<BillingActivities & BillAccountActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function billingCycleWorkflow(input: BillingCycleInput): Promise<BillingCycleResult> {
  const state: BillingCycleState = { status: 'gathering', reasons: [], escalated: false };
  const { workflowId } = workflowInfo();
  setHandler(billStatusQuery, () => state.status);
  setHandler(billStateQuery, () => state);
  const setStatus = (s: BillingCycleStatus) => {
    state.status = s;
    upsertSearchAttributes([{ key: BillStatus, value: s }]);
  };
  let pending: Resolution | undefined;
  let readArrived = false;
  setHandler(
    resolveExceptionUpdate,
    (r) => {
      pending = r;
      return { accepted: true as const };
    },
    {
      validator: (r) => {
        if (!RESOLVABLE_STATUSES.includes(state.status))
          throw new Error(`this bill is ${state.status}, not held`);
        if (!(RESOLUTION_ACTIONS as readonly string[]).includes(r.action))
          throw new Error(`unknown action ${r.action}`);
        if (r.action === 'adjust_read' && !/^\d{1,12}(\.\d{1,9})?$/.test(r.value))
          throw new Error('value must be a decimal read');
      },
    },
  );
  setHandler(readArrivedSignal, () => {
    readArrived = true;
  });

  const period = input.window ? { key: input.period, ...input.window } : monthlyPeriod(input.period);
  const policy = input.policy;
  let validation: ValidationPolicy | undefined = validationOf(policy);
  let waitedForLateReads = false;
  let searchAttributesSet = false;
  let handedOver: AccountOutcome | undefined = input.held && { ...input.held, outcome: 'held' };
  let estimated = false;

  for (;;) {
    setStatus('rating');
    // rate -> store + ledger + delivery -> autopay -> collections: the one pipeline (activities/bill-pipeline.ts)
    // a bill run that hands this account over has just rated it: start from what it found
    const billed: AccountOutcome =
      handedOver ??
      (await acts.billAccount({
        accountId: input.accountId,
        period,
        dueDays: policy.dueDays,
        workflowId,
        validation,
      }));
    // the bill run's page already queued the holds it handed over (input.held.queued): not queued twice
    const queuedByRun = handedOver !== undefined && input.held?.queued === true;
    handedOver = undefined;
    if (!searchAttributesSet) {
      searchAttributesSet = true;
      upsertSearchAttributes([
        { key: AccountNumber, value: billed.accountNumber },
        { key: BillingCycle, value: billed.billingCycle },
      ]);
    }
    if (billed.outcome === 'nothing') {
      setStatus('nothing_to_bill');
      return { status: 'nothing_to_bill' };
    }
    if (billed.outcome === 'issued') {
      if (state.reasons.length) await acts.closeException({ workflowId, status: 'resolved' });
      // a bill this workflow issued went out with it; one found already issued by another run did not
      setStatus(billed.byThisIssuer ? 'delivered' : 'issued');
      return {
        status: 'issued',
        billId: billed.billId,
        totalCents: billed.totalCents,
        created: billed.created,
        estimated,
      };
    }
    if (billed.outcome !== 'held') throw new Error(`unexpected outcome ${billed.outcome}`);
    const holds = billed.holds;

    // Late reads: wait the window once, then estimate what is still missing from the account's history.
    // (sewer held only because its water is held follows the water)
    if (waitsForReads(holds)) {
      if (!waitedForLateReads && policy.lateReadWindow) {
        waitedForLateReads = true;
        setStatus('awaiting_reads');
        await sleep(policy.lateReadWindow);
        continue;
      }
      if (!estimated && (await acts.estimateMissingReads({ accountId: input.accountId, period })) > 0) {
        estimated = true;
        continue;
      }
    }

    // Held: into the exceptions queue, then wait for staff (escalating once if they take too long).
    state.reasons = holds;
    if (!queuedByRun)
      await acts.recordException({
        accountId: input.accountId,
        period: period.key,
        workflowId,
        reasons: holds,
      });
    setStatus(state.escalated ? 'escalated' : 'held');
    pending = undefined;
    const resolved = await condition(() => pending !== undefined, policy.escalateAfter ?? '5 days');
    if (!resolved) {
      // the queue first, then the status: whoever sees "escalated" finds it in the queue too
      await acts.closeException({ workflowId, status: 'escalated' });
      state.escalated = true;
      setStatus('escalated');
      await condition(() => pending !== undefined);
    }
    const r = pending!;
    const note = { action: r.action, by: r.by, note: r.note ?? null };
    switch (r.action) {
      case 'approve':
        // staff looked at the usage and accept it: rate it without the usage checks that held it
        validation = undefined;
        await acts.closeException({ workflowId, status: 'resolved', resolution: note, by: r.by });
        break;
      case 'adjust_read':
        await acts.correctRead({
          readId: r.readId,
          value: r.value,
          idempotencyKey: `${workflowId}/correct/${r.readId}/${r.value}`,
        });
        await acts.closeException({
          workflowId,
          status: 'resolved',
          resolution: { ...note, readId: r.readId, value: r.value },
          by: r.by,
        });
        break;
      case 'request_reread':
        setStatus('awaiting_reread');
        readArrived = false;
        await acts.closeException({ workflowId, status: 'resolved', resolution: note, by: r.by });
        await condition(() => readArrived, policy.rereadWait ?? '10 days');
        break;
      case 'cancel':
        await acts.closeException({ workflowId, status: 'cancelled', resolution: note, by: r.by });
        setStatus('cancelled');
        return { status: 'cancelled', reasons: holds };
    }
  }
}
