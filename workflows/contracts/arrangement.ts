// The payment-arrangement workflow's contract (workflows/arrangement.ts): watches one arrangement's
// instalments until it is completed or broken.
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const ARRANGEMENT = { type: WORKFLOW_TYPES.arrangement, taskQueue: TASK_QUEUES.billing } as const;

export const arrangementWorkflowId = (arrangementId: string) => `arrangement/${arrangementId}`;

/** payment_arrangement.status; the workflow closes an active one as completed or broken. */
export const ARRANGEMENT_STATUSES = ['active', 'completed', 'broken', 'cancelled'] as const;
export type ArrangementStatus = (typeof ARRANGEMENT_STATUSES)[number];
export type ArrangementOutcome = Extract<ArrangementStatus, 'completed' | 'broken'>;

export interface ArrangementInput {
  arrangementId: string;
}
export type ArrangementResult =
  | { status: 'broken'; missedInstallment: number }
  | { status: 'completed' }
  /** it was no longer active when the workflow looked */
  | { status: ArrangementStatus };
export type ArrangementWorkflow = (input: ArrangementInput) => Promise<ArrangementResult>;
