// The messaging workflows' contract (workflows/messaging.ts): one notification planned and sent as messages,
// started by the notification dispatcher; the high-usage check, run by a Temporal Schedule.
import type { HighUsagePolicy, MessagingPolicy } from '../../domain/messages/policy.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const NOTIFICATION = { type: WORKFLOW_TYPES.notification, taskQueue: TASK_QUEUES.messaging } as const;
export const HIGH_USAGE_CHECK = {
  type: WORKFLOW_TYPES.highUsageCheck,
  taskQueue: TASK_QUEUES.messaging,
} as const;

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

export interface HighUsageCheckInput {
  asOf?: string;
  policy?: Partial<HighUsagePolicy>;
}
export interface HighUsageCheckResult {
  flagged: number;
  queued: number;
}
export type HighUsageCheckWorkflow = (input?: HighUsageCheckInput) => Promise<HighUsageCheckResult>;
