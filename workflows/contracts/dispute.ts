// The dispute workflow's contract (workflows/dispute.ts): a bill dispute from opening to the staff decision,
// which is applied before the resolve update returns.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ReadCorrection } from '../../domain/reads.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const DISPUTE = { type: WORKFLOW_TYPES.dispute, taskQueue: TASK_QUEUES.billing } as const;

export const disputeWorkflowId = (disputeId: string) => `dispute/${disputeId}`;

/** dispute.status; `escalated`: past its SLA with no decision, a supervisor's to decide. */
export const DISPUTE_STATUSES = ['open', 'investigating', 'escalated', 'resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** upheld: the bill stands; adjusted: a credit; rebill: the bill is cancelled and re-rated from corrected reads. */
export const DISPUTE_RESOLUTIONS = ['upheld', 'adjusted', 'rebill'] as const;
export type DisputeResolutionKind = (typeof DISPUTE_RESOLUTIONS)[number];

export type DisputeResolution =
  | { resolution: 'upheld'; by: string; note?: string }
  | { resolution: 'adjusted'; by: string; note?: string; creditCents: number }
  | { resolution: 'rebill'; by: string; note?: string; corrections?: ReadCorrection[] };

export interface DisputeInput {
  disputeId: string;
}

export interface DisputeState {
  status: DisputeStatus;
  escalated: boolean;
  reread: { readId: string; meterId: string; value: string }[] | null;
  resolution: DisputeResolutionKind | null;
}

/** The dispute as resolved: what the resolve update and the workflow return. */
export interface DisputeOutcome {
  status: DisputeStatus;
  resolution: DisputeResolutionKind | null;
  detail: unknown;
}
export type DisputeWorkflow = (input: DisputeInput) => Promise<DisputeOutcome>;

export const disputeStateQuery = defineQuery<DisputeState>('dispute');
export const resolveDisputeUpdate = defineUpdate<DisputeOutcome, [DisputeResolution]>('resolveDispute');
