// Each workflow's contract (workflows/contracts/) and its implementation agree: the type names Temporal
// starts them by are the functions the bundle exports, and each implementation has its contract's signature.
import { describe, expect, it } from 'vitest';
import type { ArrangementWorkflow } from '../../workflows/contracts/arrangement.js';
import type { BillRunWorkflow } from '../../workflows/contracts/bill-run.js';
import type {
  BillingCycleWorkflow,
  Resolution,
  ResolutionAction,
} from '../../workflows/contracts/billing-cycle.js';
import type { CollectionsHandoffWorkflow, DunningWorkflow } from '../../workflows/contracts/collections.js';
import type {
  DisputeResolution,
  DisputeResolutionKind,
  DisputeWorkflow,
} from '../../workflows/contracts/dispute.js';
import type { IntervalPartitionsWorkflow } from '../../workflows/contracts/interval-partitions.js';
import type { LeakCheckWorkflow } from '../../workflows/contracts/leak-check.js';
import type {
  HighUsageCheckWorkflow,
  NotificationBatchWorkflow,
  NotificationWorkflow,
} from '../../workflows/contracts/messaging.js';
import { WORKFLOW_TYPES } from '../../workflows/contracts/names.js';
import type { AutopayWorkflow, PaymentWorkflow, RefundWorkflow } from '../../workflows/contracts/payment.js';
import type { RateImpactWorkflow } from '../../workflows/contracts/rate-impact.js';
import type { ServiceRequestWorkflow } from '../../workflows/contracts/service-request.js';
import * as bundle from '../../workflows/index.js';

/** Checked by tsc: an implementation whose input or result drifts from its contract does not compile. */
const implementations = {
  arrangement: bundle.arrangementWorkflow satisfies ArrangementWorkflow,
  autopay: bundle.autopayWorkflow satisfies AutopayWorkflow,
  billRun: bundle.billRunWorkflow satisfies BillRunWorkflow,
  billingCycle: bundle.billingCycleWorkflow satisfies BillingCycleWorkflow,
  collectionsHandoff: bundle.collectionsHandoffWorkflow satisfies CollectionsHandoffWorkflow,
  dispute: bundle.disputeWorkflow satisfies DisputeWorkflow,
  dunning: bundle.dunningWorkflow satisfies DunningWorkflow,
  highUsageCheck: bundle.highUsageCheckWorkflow satisfies HighUsageCheckWorkflow,
  intervalPartitions: bundle.intervalPartitionsWorkflow satisfies IntervalPartitionsWorkflow,
  leakCheck: bundle.leakCheckWorkflow satisfies LeakCheckWorkflow,
  notification: bundle.notificationWorkflow satisfies NotificationWorkflow,
  notificationBatch: bundle.notificationBatchWorkflow satisfies NotificationBatchWorkflow,
  payment: bundle.paymentWorkflow satisfies PaymentWorkflow,
  rateImpact: bundle.rateImpactWorkflow satisfies RateImpactWorkflow,
  refund: bundle.refundWorkflow satisfies RefundWorkflow,
  serviceRequest: bundle.serviceRequestWorkflow satisfies ServiceRequestWorkflow,
} satisfies Record<keyof typeof WORKFLOW_TYPES, unknown>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const resolutionActions: Same<ResolutionAction, Resolution['action']> = true;
const disputeResolutions: Same<DisputeResolutionKind, DisputeResolution['resolution']> = true;

describe('workflow contracts', () => {
  it('every type name is a workflow the bundle exports, under that name', () => {
    for (const [key, type] of Object.entries(WORKFLOW_TYPES))
      expect(implementations[key as keyof typeof implementations].name).toBe(type);
  });

  it('the bundle exports no workflow without a type name', () => {
    const exported = Object.entries(bundle)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    expect(exported).toEqual(Object.values(WORKFLOW_TYPES).sort());
  });

  it('the lists the API validates against are the variants the workflows handle (checked by tsc)', () => {
    expect([resolutionActions, disputeResolutions]).toEqual([true, true]);
  });
});
