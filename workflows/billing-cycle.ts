// One account's bill for one period: gather reads -> validate -> rate -> issue (bill + ledger) atomically.
// Orchestration only: all I/O is in activities; rating is pure domain code and so replays identically.
import {
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BillingActivities } from '../activities/billing.js';
import { calculateBill } from '../domain/bill-calc.js';
import { addDays, monthlyPeriod } from '../domain/period.js';
import { DEFAULT_VALIDATION, type ValidationPolicy } from '../domain/read-validation.js';
import { AccountNumber, BillingCycle, BillStatus } from './search-attributes.js';

export interface BillingPolicy {
  /** Days from bill date to due date. */
  dueDays: number;
  /** High/low/zero usage thresholds; defaults to DEFAULT_VALIDATION. */
  validation?: ValidationPolicy;
}

export interface BillingCycleInput {
  accountId: string;
  period: string; // YYYY-MM
  policy: BillingPolicy;
}

export type BillingCycleResult =
  | { status: 'issued'; billId: string; totalCents: number; created: boolean }
  | { status: 'held'; reasons: { serviceAgreementId: string; code: string; message: string }[] };

export const billStatusQuery = defineQuery<string>('billStatus');

const { loadBillingInputs, issueBill } = proxyActivities<BillingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export const billingCycleWorkflowId = (accountNumber: string, period: string) =>
  `billing-cycle/${accountNumber}/${period}`;

export async function billingCycleWorkflow(input: BillingCycleInput): Promise<BillingCycleResult> {
  let status = 'gathering';
  setHandler(billStatusQuery, () => status);
  const setStatus = (s: string) => {
    status = s;
    upsertSearchAttributes([{ key: BillStatus, value: s }]);
  };

  const period = monthlyPeriod(input.period);
  const inputs = await loadBillingInputs({ accountId: input.accountId, period });
  upsertSearchAttributes([
    { key: AccountNumber, value: inputs.accountNumber },
    { key: BillingCycle, value: inputs.billingCycle },
    { key: BillStatus, value: 'rating' },
  ]);
  status = 'rating';

  const { segments, holds } = calculateBill(
    { ...inputs, validation: input.policy.validation ?? DEFAULT_VALIDATION },
    period,
  );
  if (holds.length) {
    // The exceptions queue and staff resolution arrive with the full billing cycle; until then a held bill waits here.
    setStatus('held');
    return { status: 'held', reasons: holds };
  }

  const billDate = new Date().toISOString().slice(0, 10); // workflow time: deterministic on replay
  const issued = await issueBill({
    accountId: input.accountId,
    period,
    billDate,
    dueDate: addDays(billDate, input.policy.dueDays),
    workflowId: workflowInfo().workflowId,
    segments,
  });
  setStatus('issued');
  return { status: 'issued', ...issued };
}
