// A service request: `service-request/{id}`. Approval first where policy requires it, then the work:
//   mailing_address  -> the customer's mailing address changes
//   reread           -> an on-demand read of the account's meters
//   seasonal_*       -> metered agreements suspended (no consumption billed) or resumed
//   stop_service     -> on the stop date: final read, agreements end, final bill, deposit applied or
//                       refunded, account closed
//   transfer         -> on the move date: final read at the old premise, its agreements end, new ones start
//                       at the new premise on the same account (the next bill prorates both)
//   start_service    -> a new account with agreements at the premise from the start date
import {
  condition,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CustomerServiceActivities } from '../activities/customer-service.js';
import type { OnDemandReadActivities } from '../activities/on-demand-read.js';
import { clockToday, msUntilDay, startClock } from '../domain/policy-clock.js';
import { billingCycleWorkflow } from './billing-cycle.js';
import { DEFAULT_DUE_DAYS, finalBillWorkflowId } from './contracts/billing-cycle.js';
import { AccountNumber } from './contracts/search-attributes.js';
import {
  decideServiceRequestUpdate,
  type ServiceRequestDecision,
  type ServiceRequestInput,
  type ServiceRequestState,
  type ServiceRequestStep,
  serviceRequestStateQuery,
} from './contracts/service-request.js';

const acts = proxyActivities<CustomerServiceActivities & OnDemandReadActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function serviceRequestWorkflow(input: ServiceRequestInput): Promise<ServiceRequestState> {
  const r = await acts.loadServiceRequest({ requestId: input.requestId });
  if (r.accountNumber) upsertSearchAttributes([{ key: AccountNumber, value: r.accountNumber }]);
  const clock = startClock(r.dayLength, Date.now(), r.clockStart);
  const state: ServiceRequestState = { status: r.status, result: null };
  let decision: ServiceRequestDecision | undefined;
  setHandler(serviceRequestStateQuery, () => state);
  setHandler(
    decideServiceRequestUpdate,
    (d): { status: ServiceRequestStep } => {
      decision = d;
      return { status: d.approve ? 'in_progress' : 'rejected' };
    },
    {
      validator: (_d: ServiceRequestDecision) => {
        if (state.status !== 'awaiting_approval') throw new Error(`this request is ${state.status}`);
      },
    },
  );
  const status = async (s: ServiceRequestStep, detail: Record<string, unknown> = {}, actor?: string) => {
    state.status = s;
    if (s === 'completed' || s === 'failed') state.result = detail;
    await acts.setServiceRequestStatus({ requestId: input.requestId, status: s, detail, actor });
  };

  if (r.requiresApproval) {
    await status('awaiting_approval');
    await condition(() => decision !== undefined);
    if (!decision!.approve) {
      await status('rejected', { note: decision!.note ?? null }, decision!.by);
      return state;
    }
    await status('in_progress', { approvedBy: decision!.by, note: decision!.note ?? null }, decision!.by);
  } else await status('in_progress');

  const d = r.details;
  const key = `sr:${input.requestId}`;
  const waitUntil = async (date: string) => {
    const ms = msUntilDay(clock, date, Date.now());
    if (ms > 0) await sleep(ms);
  };
  try {
    switch (r.kind) {
      case 'mailing_address':
        await status('completed', {
          mailingAddress: await acts.changeMailingAddress({
            accountId: r.accountId!,
            address: d,
            requestId: input.requestId,
          }),
        });
        break;
      case 'reread':
        await status('completed', { reads: await acts.takeOnDemandReads({ accountId: r.accountId!, key }) });
        break;
      case 'seasonal_suspend':
      case 'seasonal_resume':
        await status('completed', {
          agreements: await acts.setSeasonal({
            accountId: r.accountId!,
            suspend: r.kind === 'seasonal_suspend',
          }),
        });
        break;
      case 'start_service': {
        const started = await acts.startService({ requestId: input.requestId });
        // on the start date, the move-in read that opens the new account's first bill
        await waitUntil(d.start_date!);
        const startReads = await acts.takeOnDemandReads({
          accountId: started.accountId,
          key: `${key}:start`,
          at: `${d.start_date!}T12:00:00.000Z`,
          premiseId: d.premise_id!,
        });
        await status('completed', { ...started, startReads });
        break;
      }
      case 'transfer': {
        await waitUntil(d.move_date!);
        const reads = await acts.takeOnDemandReads({
          accountId: r.accountId!,
          key: `${key}:final`,
          at: `${d.move_date!}T12:00:00.000Z`,
        });
        const [fromPremise] = await acts
          .endAgreements({ accountId: r.accountId!, endDate: d.move_date! })
          .then((ended) => [ended.length ? 'ended' : 'none']);
        const started = await acts.startAgreementsAt({
          accountId: r.accountId!,
          premiseId: d.to_premise_id!,
          startDate: d.move_date!,
          key,
        });
        // the move-in read at the new premise opens its first bill: never the previous occupant's read
        const startReads = await acts.takeOnDemandReads({
          accountId: r.accountId!,
          key: `${key}:start`,
          at: `${d.move_date!}T12:00:00.000Z`,
          premiseId: d.to_premise_id!,
        });
        await status('completed', {
          finalReads: reads,
          startReads,
          oldAgreements: fromPremise,
          newAgreements: started,
        });
        break;
      }
      case 'stop_service': {
        await waitUntil(d.stop_date!);
        const reads = await acts.takeOnDemandReads({
          accountId: r.accountId!,
          key: `${key}:final`,
          at: `${d.stop_date!}T12:00:00.000Z`,
        });
        await acts.endAgreements({ accountId: r.accountId!, endDate: d.stop_date! });
        // from the last bill to the final read, whatever calendar months that spans
        const period = await acts.finalBillPeriod({ accountId: r.accountId!, stopDate: d.stop_date! });
        const bill = await executeChild(billingCycleWorkflow, {
          workflowId: finalBillWorkflowId(input.requestId),
          taskQueue: workflowInfo().taskQueue,
          args: [
            {
              accountId: r.accountId!,
              period: period.key,
              window: { start: period.start, end: period.end },
              // a final bill is not held for unusual usage: the final read was just taken
              policy: { dueDays: input.billingDueDays ?? DEFAULT_DUE_DAYS, escalateAfter: '30 days' },
            },
          ],
        });
        const deposit = await acts.settleDeposit({
          accountId: r.accountId!,
          key,
          today: clockToday(clock, Date.now()),
        });
        await acts.closeAccount({ accountId: r.accountId! });
        await status('completed', { finalReads: reads, finalBill: bill, deposit });
        break;
      }
    }
  } catch (e) {
    await status('failed', { error: (e as { cause?: Error }).cause?.message ?? (e as Error).message });
  }
  return state;
}
