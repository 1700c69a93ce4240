// The messaging workflows' contract (workflows/messaging.ts): a batch of notifications (a page the dispatcher
// claimed) planned and sent as messages; one notification on its own (the per-notice path, kept selectable
// for comparison and for workflows started before batches); the high-usage check, run by a Temporal Schedule.
import type { HighUsagePolicy, MessagingPolicy } from '../../domain/messages/policy.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const NOTIFICATION = { type: WORKFLOW_TYPES.notification, taskQueue: TASK_QUEUES.messaging } as const;
export const HIGH_USAGE_CHECK = {
  type: WORKFLOW_TYPES.highUsageCheck,
  taskQueue: TASK_QUEUES.messaging,
} as const;

export const NOTIFICATION_BATCH = {
  type: WORKFLOW_TYPES.notificationBatch,
  taskQueue: TASK_QUEUES.messaging,
} as const;

/** A page of notifications claimed by the dispatcher under this batch id (notification.dispatch_batch). */
export const notificationBatchWorkflowId = (batchId: string) => `notification-batch/${batchId}`;
/** The id dedupes: the dispatcher may start a notification more than once (LISTEN and the sweep). */
export const notificationWorkflowId = (notificationId: string) => `notification/${notificationId}`;
/** The schedule, and the id of each check it starts. */
export const HIGH_USAGE_SCHEDULE_ID = 'high-usage-check';

/** Failures that asking again will not fix: sendMessage throws them non-retryable, by these type names. */
export const FINAL_SEND_FAILURES = [
  'InvalidRecipient',
  'OptedOut',
  'ProviderRejected',
  'MissingMessage',
] as const;
export type FinalSendFailure = (typeof FINAL_SEND_FAILURES)[number];
export const isFinalSendFailure = (type: string | null | undefined): type is FinalSendFailure =>
  (FINAL_SEND_FAILURES as readonly unknown[]).includes(type);

/** notification.status as planning leaves it (db/messaging.ts planNotification). */
export type NotificationPlanStatus = 'planned' | 'skipped' | 'processed';

export interface NotificationInput {
  notificationId: string;
  policy?: Partial<MessagingPolicy>;
}
export interface NotificationOutcome {
  status: NotificationPlanStatus;
  reason?: string;
  messages: { id: string; channel: string; status: string; error?: string }[];
}
export type NotificationWorkflow = (input: NotificationInput) => Promise<NotificationOutcome>;

/** Only the batch's id travels: the activities read the page's notifications and messages from the database. */
export interface NotificationBatchInput {
  batchId: string;
  policy?: Partial<MessagingPolicy>;
  /** carried over continue-as-new */
  totals?: NotificationBatchOutcome;
}
/** Counts only, so the history stays small whatever the page size. */
export interface NotificationBatchOutcome {
  notices: number;
  planned: number;
  skipped: number;
  sent: number;
  failed: number;
}
export type NotificationBatchWorkflow = (input: NotificationBatchInput) => Promise<NotificationBatchOutcome>;

export interface HighUsageCheckInput {
  asOf?: string;
  policy?: Partial<HighUsagePolicy>;
}
export interface HighUsageCheckResult {
  flagged: number;
  queued: number;
}
export type HighUsageCheckWorkflow = (input?: HighUsageCheckInput) => Promise<HighUsageCheckResult>;
