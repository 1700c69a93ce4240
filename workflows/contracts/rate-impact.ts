// The rate-impact workflow's contract (workflows/rate-impact.ts): a rate-change impact report, rated in
// pages of accounts, with the progress staff watch; the figures are stored on the report (db/rate-impact.ts).
import { defineQuery } from '@temporalio/workflow';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const RATE_IMPACT = { type: WORKFLOW_TYPES.rateImpact, taskQueue: TASK_QUEUES.billing } as const;

export const rateImpactWorkflowId = (reportId: string) => `rate-impact/${reportId}`;

export interface RateImpactPolicy {
  pageSize: number;
  /** pages rated at the same time */
  concurrency: number;
  /** pages per workflow run before continuing as new, to keep history small */
  pagesPerRun: number;
}

export const DEFAULT_RATE_IMPACT_POLICY: RateImpactPolicy = {
  // bench/rate-impact.ts on 2 shared cores: 100,000 accounts in 38-62 s with these (docs/architecture.md)
  pageSize: 2000,
  concurrency: 2,
  pagesPerRun: 100,
};

export type RateImpactStatus = 'planning' | 'running' | 'completed' | 'failed';

export interface RateImpactProgress {
  reportId: string;
  status: RateImpactStatus;
  /** accounts planned */
  total: number;
  pages: number;
  pagesDone: number;
  rated: number;
  failed: number;
  /** the first 50 accounts that could not be rated, and why */
  failures: { accountId: string; error: string }[];
}

export interface RateImpactInput {
  reportId: string;
  policy?: Partial<RateImpactPolicy>;
  /** carried across continue-as-new */
  resume?: { progress: RateImpactProgress; remaining: string[] };
}

export type RateImpactWorkflow = (input: RateImpactInput) => Promise<RateImpactProgress>;

export const rateImpactProgressQuery = defineQuery<RateImpactProgress>('progress');
