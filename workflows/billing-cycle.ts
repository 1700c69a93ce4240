// One account's bill for one period: gather reads -> validate -> rate -> issue (bill + ledger) atomically.
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
import type { BillRunActivities } from '../activities/bill-run.js';
import type { BillingActivities } from '../activities/billing.js';
import type { CollectionActivities } from '../activities/collections.js';
import type { DeliveryActivities } from '../activities/delivery.js';
import type { DocumentActivities } from '../activities/documents.js';
import { calculateBill } from '../domain/bill-calc.js';
import { addDays, monthlyPeriod } from '../domain/period.js';
import { DEFAULT_VALIDATION, type ValidationPolicy } from '../domain/read-validation.js';
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
} from './contracts/billing-cycle.js';
import { AccountNumber, BillingCycle, BillStatus } from './contracts/search-attributes.js';

const acts = proxyActivities<
  BillingActivities & DocumentActivities & DeliveryActivities & BillRunActivities & CollectionActivities
>({
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
  let validation: ValidationPolicy | undefined = policy.validation ?? DEFAULT_VALIDATION;
  let waitedForLateReads = false;
  let estimated = false;

  for (;;) {
    let inputs = await acts.loadBillingInputs({ accountId: input.accountId, period });
    if (state.status === 'gathering') {
      upsertSearchAttributes([
        { key: AccountNumber, value: inputs.accountNumber },
        { key: BillingCycle, value: inputs.billingCycle },
      ]);
    }
    setStatus('rating');
    let { segments, holds } = calculateBill({ ...inputs, validation }, period);

    // Late reads: wait the window once, then estimate what is still missing from the account's history.
    // (sewer held only because its water is held follows the water)
    const onlyMissingReads =
      holds.some((h) => h.code === 'missing_read') &&
      holds.every((h) => h.code === 'missing_read' || h.code === 'water_held');
    if (onlyMissingReads) {
      if (!waitedForLateReads && policy.lateReadWindow) {
        waitedForLateReads = true;
        setStatus('awaiting_reads');
        await sleep(policy.lateReadWindow);
        continue;
      }
      if (!estimated && (await acts.estimateMissingReads({ accountId: input.accountId, period })) > 0) {
        estimated = true;
        inputs = await acts.loadBillingInputs({ accountId: input.accountId, period });
        ({ segments, holds } = calculateBill({ ...inputs, validation }, period));
      }
    }

    if (!holds.length) {
      const billDate = inputs.today; // the one clock's date, recorded by the activity: replays the same
      const issued = await acts.issueBill({
        accountId: input.accountId,
        period,
        billDate,
        dueDate: addDays(billDate, policy.dueDays),
        workflowId,
        segments,
      });
      if (state.reasons.length) await acts.closeException({ workflowId, status: 'resolved' });
      setStatus('issued');
      if (issued.created) {
        // the customer's copy, then paperless email or the print batch
        await acts.renderBill({ billId: issued.billId });
        await acts.deliverBills({ billIds: [issued.billId], batch: `${inputs.billingCycle}/${period.key}` });
        await acts.scheduleAutopay({ billIds: [issued.billId] });
        // collections takes it from here, with the bill's due date
        await acts.handOffToCollections({ billIds: [issued.billId] });
        setStatus('delivered');
      }
      return { status: 'issued', ...issued, estimated };
    }

    // Held: into the exceptions queue, then wait for staff (escalating once if they take too long).
    state.reasons = holds;
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
