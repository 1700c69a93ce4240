// Messaging workflows.
//   notification/{notificationId}: plan the notification into messages (subscriptions, verified contacts,
//     language), wait out SMS quiet hours for what is not urgent, send each message with retries (a 5xx is
//     retried with backoff; a 4xx is final), then mark the notification processed. The workflow id dedupes:
//     the dispatcher may start it more than once (LISTEN and the sweep), it runs once.
//   high-usage check: run by a Temporal Schedule (daily by default), queues high_usage notices.
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  sleep,
} from '@temporalio/workflow';
import type { MessagingActivities } from '../activities/messaging.js';
import { messagingPolicy } from '../domain/messages/policy.js';
import {
  FINAL_SEND_FAILURES,
  type HighUsageCheckInput,
  type HighUsageCheckResult,
  isFinalSendFailure,
  type NotificationInput,
  type NotificationOutcome,
} from './contracts/messaging.js';

export async function notificationWorkflow(input: NotificationInput): Promise<NotificationOutcome> {
  const policy = messagingPolicy(input.policy);
  // planning and finishing are short database work: local activities, in the worker that runs the workflow,
  // without a round trip through the task queue (a bill run queues thousands of notices at once)
  const db = proxyLocalActivities<MessagingActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '1 minute' },
  });
  const provider = proxyActivities<MessagingActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { ...policy.retry, nonRetryableErrorTypes: [...FINAL_SEND_FAILURES] },
  });
  const plan = await db.planNotification({ notificationId: input.notificationId });
  const messages = await Promise.all(
    plan.messages.map(async (m) => {
      if (m.delayMs > 0) await sleep(m.delayMs); // SMS quiet hours
      try {
        const r = await provider.sendMessage({ messageId: m.id });
        return { id: m.id, channel: m.channel, status: r.status };
      } catch (e) {
        const cause = e instanceof ActivityFailure ? e.cause : e;
        const type = cause instanceof ApplicationFailure ? cause.type : null;
        const error = cause instanceof Error ? cause.message : String(cause);
        // final failures were recorded by the activity; retries running out are recorded here
        if (!isFinalSendFailure(type)) await db.abandonMessage({ messageId: m.id, reason: error });
        return { id: m.id, channel: m.channel, status: 'failed', error };
      }
    }),
  );
  if (plan.status === 'planned') await db.finishNotification({ notificationId: input.notificationId });
  return { status: plan.status, ...(plan.reason ? { reason: plan.reason } : {}), messages };
}

export async function highUsageCheckWorkflow(input: HighUsageCheckInput = {}): Promise<HighUsageCheckResult> {
  const acts = proxyActivities<MessagingActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
  });
  return acts.checkHighUsage(input);
}
