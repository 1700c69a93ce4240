// The bill-run workflow's contract (workflows/bill-run.ts): a billing cycle's run for one period, started by
// staff or by the cycle's monthly schedule, and the progress the staff console shows.
import { defineQuery } from '@temporalio/workflow';
import type { BillingPolicy } from './billing-cycle.js';
import { DEFAULT_DUE_DAYS } from './billing-cycle.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const BILL_RUN = { type: WORKFLOW_TYPES.billRun, taskQueue: TASK_QUEUES.billing } as const;

export const billRunWorkflowId = (cycle: string, period: string) => `bill-run/${cycle}/${period}`;
/** The cycle's monthly Temporal Schedule, and the id of the runs it starts (each bills the month before). */
export const billRunScheduleId = (cycle: string) => `bill-run-schedule/${cycle}`;
export const scheduledBillRunWorkflowId = (cycle: string) => `bill-run/${cycle}/scheduled`;

export interface BillRunPolicy extends BillingPolicy {
  pageSize: number;
  /** pages billed at the same time */
  concurrency: number;
  /** pages per workflow run before continuing as new, to keep history small */
  pagesPerRun: number;
}

export const DEFAULT_BILL_RUN_POLICY: BillRunPolicy = {
  dueDays: DEFAULT_DUE_DAYS,
  // measured with bench/billrun.ts on 2 cores: 1,000-account pages three at a time beat 500 two at a time
  pageSize: 1000,
  concurrency: 3,
  pagesPerRun: 100,
};

export type BillRunStatus = 'planning' | 'running' | 'completed';

export interface BillRunProgress {
  cycle: string;
  period: string;
  status: BillRunStatus;
  total: number;
  pages: number;
  pagesDone: number;
  billed: number;
  alreadyBilled: number;
  held: number;
  estimated: number;
  failed: number;
  emailed: number;
  printed: number;
  failures: { accountId: string; error: string }[];
  startedAt: string;
}

export interface BillRunInput {
  cycle: string;
  /** YYYY-MM; omitted when a schedule starts the run: the month before the run's start */
  period?: string;
  policy?: Partial<BillRunPolicy>;
  /** carried across continue-as-new */
  resume?: { progress: BillRunProgress; remaining: string[] };
}

export type BillRunWorkflow = (input: BillRunInput) => Promise<BillRunProgress>;

export const billRunProgressQuery = defineQuery<BillRunProgress>('progress');
