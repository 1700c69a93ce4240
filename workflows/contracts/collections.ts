// The collections workflows' contract (workflows/collections.ts): an account's dunning case, woken by a
// review signal whenever its facts change, and a bill run's hand-off to collections.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PolicyClock } from '../../domain/policy-clock.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const DUNNING = { type: WORKFLOW_TYPES.dunning, taskQueue: TASK_QUEUES.billing } as const;
export const COLLECTIONS_HANDOFF = {
  type: WORKFLOW_TYPES.collectionsHandoff,
  taskQueue: TASK_QUEUES.billing,
} as const;

export const dunningWorkflowId = (accountNumber: string) => `dunning/${accountNumber}`;
export const collectionsHandoffWorkflowId = (runId: string) => `collections-handoff/${runId}`;

export interface DunningInput {
  accountId: string;
  accountNumber: string;
  caseId?: string;
  clock?: PolicyClock;
}

export interface DunningState {
  caseId: string | null;
  /** `watching` before the first review, then the policy's stage (domain/collections.ts), `closed` at the end */
  stage: string;
  today: string | null;
  nextReview: string | null;
  blockedBy: string[];
  balanceCents: number;
  steps: string[];
}
export type DunningWorkflow = (input: DunningInput) => Promise<DunningState>;

export interface CollectionsHandoffInput {
  runId: string;
}
export interface CollectionsHandoffResult {
  reminded: number;
  casesOpened: number;
}
export type CollectionsHandoffWorkflow = (
  input: CollectionsHandoffInput,
) => Promise<CollectionsHandoffResult>;

/** Look at the facts again; the argument says why (`bill_issued`, `payment_posted`, …), for the history. */
export const reviewSignal = defineSignal<[string]>('review');
export const dunningStateQuery = defineQuery<DunningState>('dunning');
