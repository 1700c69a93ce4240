// Messaging workflows.
//   notification-batch/{batchId}: a page of notifications the dispatcher claimed (bill day queues tens of
//     thousands at once). Plans the page set-based, sends its due messages with bounded concurrency (a
//     429/5xx puts a message back and the send activity is retried with backoff, skipping what was sent; a
//     bad address fails that message alone), marks each notification processed once nothing of it is left,
//     and sleeps out SMS quiet hours for what is held. Only the batch id and counts enter the history.
//   notification/{notificationId} (the per-notice path, kept selectable for comparison): plan the notification into messages (subscriptions, verified contacts,
//     language), wait out SMS quiet hours for what is not urgent, send each message with retries (a 5xx is
//     retried with backoff; a 4xx is final), then mark the notification processed. The workflow id dedupes:
//     the dispatcher may start it more than once (LISTEN and the sweep), it runs once.
//   high-usage check: run by a Temporal Schedule (daily by default), queues high_usage notices.
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { MessagingActivities } from '../activities/messaging.js';
import { messagingPolicy } from '../domain/messages/policy.js';
import {
  FINAL_SEND_FAILURES,
  type HighUsageCheckInput,
  type HighUsageCheckResult,
  isFinalSendFailure,
  type NotificationBatchInput,
  type NotificationBatchOutcome,
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

export async function notificationBatchWorkflow(
  input: NotificationBatchInput,
): Promise<NotificationBatchOutcome> {
  const policy = messagingPolicy(input.policy);
  const { batchId } = input;
  const db = proxyActivities<MessagingActivities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '1 minute' },
  });
  const provider = proxyActivities<MessagingActivities>({
    // a pass over the page; heartbeats per chunk tell a stalled worker from a long pass
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    retry: { ...policy.retry, nonRetryableErrorTypes: [...FINAL_SEND_FAILURES] },
  });
  // planned once: after continue-as-new the totals say so
  const totals = input.totals ?? (await db.planBatch({ batchId }));
  for (;;) {
    try {
      await provider.sendBatch({ batchId });
    } catch (e) {
      const cause = e instanceof ActivityFailure ? e.cause : e;
      await db.abandonBatch({ batchId, reason: cause instanceof Error ? cause.message : String(cause) });
    }
    const r = await db.finishBatch({ batchId });
    totals.sent = r.sent;
    totals.failed = r.failed;
    if (r.nextDueInMs === null) return totals;
    // SMS quiet hours: what is held is due at their end (at least a second: no busy loop)
    await sleep(Math.max(r.nextDueInMs, 1_000));
    if (workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof notificationBatchWorkflow>({ ...input, totals });
  }
}

export async function highUsageCheckWorkflow(input: HighUsageCheckInput = {}): Promise<HighUsageCheckResult> {
  const acts = proxyActivities<MessagingActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
  });
  return acts.checkHighUsage(input);
}
