// The billing-cycle workflow's contract (workflows/billing-cycle.ts): one account's bill for one period, and
// the exceptions queue a held bill waits in. What routes, the bill run's hand-over and the portal rely on.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Hold } from '../../domain/bill-calc.js';
import { DEFAULT_VALIDATION, type ValidationPolicy } from '../../domain/read-validation.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const BILLING_CYCLE = { type: WORKFLOW_TYPES.billingCycle, taskQueue: TASK_QUEUES.billing } as const;

export const billingCycleWorkflowId = (accountNumber: string, period: string) =>
  `billing-cycle/${accountNumber}/${period}`;
/** A move-out's final bill, run by the service request (its window is not a calendar month). */
export const finalBillWorkflowId = (requestId: string) => `billing-cycle/final/${requestId}`;

/** Days from bill date to due date unless the cycle's policy says otherwise: the one default. */
export const DEFAULT_DUE_DAYS = 21;

/** Durations are Temporal duration strings ("3 days", "2s") so tests can shrink them. */
export interface BillingPolicy {
  /** Days from bill date to due date. */
  dueDays: number;
  /** High/low/zero usage thresholds; defaults to DEFAULT_VALIDATION. */
  validation?: ValidationPolicy;
  /** How long to wait for a late closing read before estimating it. Default: no wait. */
  lateReadWindow?: string;
  /** A held bill not resolved within this is escalated to a supervisor. */
  escalateAfter?: string;
  /** After a re-read is requested, how long to wait for the read before looking again. */
  rereadWait?: string;
  /**
   * Interval billing: the longest run of missing intervals (hours) that is estimated by the gap rule
   * (domain/interval-billing.ts); a longer one holds the bill in the exceptions queue. Default
   * DEFAULT_VALIDATION.maxIntervalGapHours (6).
   */
  maxIntervalGapHours?: number;
}

/** The usage checks a policy's bills get: its own, else the one default; with its interval gap limit. */
export const validationOf = (
  policy: Pick<BillingPolicy, 'validation' | 'maxIntervalGapHours'>,
): ValidationPolicy => {
  const v = policy.validation ?? DEFAULT_VALIDATION;
  return policy.maxIntervalGapHours === undefined
    ? v
    : { ...v, maxIntervalGapHours: policy.maxIntervalGapHours };
};

export interface BillingCycleInput {
  accountId: string;
  period: string; // YYYY-MM
  /** the days billed when they are not the calendar month: a final bill, last bill to stop date */
  window?: { start: string; end: string };
  policy: BillingPolicy;
  /**
   * What a bill run found when it rated this account a moment ago: the workflow starts from these holds
   * instead of loading and rating the account again (thousands of held accounts in a large run).
   */
  held?: HeldAccount;
}

/** A held account as a bill run hands it over. */
export interface HeldAccount {
  accountId: string;
  accountNumber: string;
  billingCycle: string;
  holds: Hold[];
  /** the run's page put these holds in the exceptions queue already (absent in runs before it did) */
  queued?: boolean;
}

export type BillingCycleResult =
  | { status: 'issued'; billId: string; totalCents: number; created: boolean; estimated: boolean }
  | { status: 'cancelled'; reasons: Hold[] }
  /** no agreement of the account was in service in the period: there is no bill to make */
  | { status: 'nothing_to_bill' };

export type BillingCycleWorkflow = (input: BillingCycleInput) => Promise<BillingCycleResult>;

export type BillingCycleStatus =
  | 'gathering'
  | 'rating'
  | 'awaiting_reads'
  | 'held'
  | 'escalated'
  | 'awaiting_reread'
  | 'issued'
  | 'delivered'
  | 'nothing_to_bill'
  | 'cancelled';

/** Staff can resolve the bill now: it is in the exceptions queue. */
export const RESOLVABLE_STATUSES: readonly BillingCycleStatus[] = ['held', 'escalated'];
/** The bill waits on staff or on a re-read they asked for, not on the workflow. */
export const WAITING_STATUSES: readonly BillingCycleStatus[] = [...RESOLVABLE_STATUSES, 'awaiting_reread'];

export interface BillingCycleState {
  status: BillingCycleStatus;
  reasons: Hold[];
  escalated: boolean;
}

/** What staff may do with a held bill. */
export const RESOLUTION_ACTIONS = ['approve', 'adjust_read', 'request_reread', 'cancel'] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];

export type Resolution =
  | { action: 'approve'; by: string; note?: string }
  | { action: 'adjust_read'; by: string; readId: string; value: string; note?: string }
  | { action: 'request_reread'; by: string; note?: string }
  | { action: 'cancel'; by: string; note?: string };

/** A row of the exceptions queue (bill_exception.status). */
export const EXCEPTION_STATUSES = ['open', 'escalated', 'resolved', 'cancelled'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

export const billStatusQuery = defineQuery<BillingCycleStatus>('billStatus');
export const billStateQuery = defineQuery<BillingCycleState>('billState');
/** Staff resolve a held bill; the update returns once the workflow has accepted the action. */
export const resolveExceptionUpdate = defineUpdate<{ accepted: true }, [Resolution]>('resolveException');
/** A re-read (field visit or on-demand AMI read) has arrived. */
export const readArrivedSignal = defineSignal('readArrived');
