// The notification dispatcher: runs in every worker process, beside the Temporal workers. It turns the rows
// queueNotification() wrote into workflows:
//   - LISTEN notification_queued: within milliseconds of the capability's commit, it claims pages of pending,
//     undispatched notifications (one statement each, SKIP LOCKED, so dispatchers in several processes take
//     disjoint pages) and starts one notification-batch/{batch} workflow per page: bill day's 35,000 e-bills
//     are 140 workflows, not 35,000;
//   - a sweep at start, on every (re)connection of the listener, and every sweepIntervalMs: nothing is lost
//     while no worker runs, nor when a NOTIFY is missed. A page dispatched long ago and still pending is left
//     alone while its workflow runs (quiet hours, a provider outage), and released to be claimed again when
//     its workflow is gone (the process died between claim and start).
// mode 'per-notice' starts one notification/{id} workflow per notice instead: the path before batches, kept
// for bench/messaging.ts to compare in the same run.
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import { claimBatch, releaseDispatched, staleDispatches, touchDispatched } from '../db/messaging-batches.js';
import type { MessagingPolicy } from '../domain/messages/policy.js';
import {
  NOTIFICATION,
  NOTIFICATION_BATCH,
  type NotificationBatchWorkflow,
  type NotificationWorkflow,
  notificationBatchWorkflowId,
  notificationWorkflowId,
} from '../workflows/contracts/messaging.js';
import { AccountNumber } from '../workflows/contracts/search-attributes.js';

export interface Dispatcher {
  /** starts workflows for pending notifications; returns how many workflows it started */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

export type DispatchMode = 'batch' | 'per-notice';

export async function startNotificationDispatcher(o: {
  sql: Sql;
  client: Client;
  taskQueue: string;
  policy: MessagingPolicy;
  log?: { warn(obj: unknown, msg?: string): void };
  mode?: DispatchMode;
}): Promise<Dispatcher> {
  const mode = o.mode ?? 'batch';
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();

  const startBatch = async (batchId: string, ids: string[]) => {
    // a page of one account's notices (a receipt, a verification code: most pages outside bill day) is on
    // that account's workflow list, as a notice's own workflow was; a bill-day page spans thousands
    const accounts = await o.sql<{ accountNumber: string }[]>`
      select distinct a.account_number from notification n join account a on a.id = n.account_id
      where n.id = any(${ids}) limit 2`;
    await o.client.workflow.start<NotificationBatchWorkflow>(NOTIFICATION_BATCH.type, {
      workflowId: notificationBatchWorkflowId(batchId),
      taskQueue: o.taskQueue,
      // the send retry policy travels with the workflow (read now: a test may change it between steps)
      args: [{ batchId, policy: { retry: o.policy.retry } }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...(accounts.length === 1
        ? { typedSearchAttributes: [{ key: AccountNumber, value: accounts[0]!.accountNumber }] }
        : {}),
    });
    return 1;
  };

  const startEach = async (ids: string[]) => {
    let started = 0;
    for (let i = 0; i < ids.length; i += 20) {
      const batch = ids.slice(i, i + 20);
      // the account number makes each notice findable in the Temporal UI, and on the account's workflow list
      const accounts = new Map(
        (
          await o.sql<{ id: string; accountNumber: string }[]>`
            select n.id, a.account_number from notification n join account a on a.id = n.account_id
            where n.id = any(${batch})`
        ).map((r) => [r.id, r.accountNumber]),
      );
      const results = await Promise.all(
        batch.map(async (id) => {
          const accountNumber = accounts.get(id);
          try {
            await o.client.workflow.start<NotificationWorkflow>(NOTIFICATION.type, {
              workflowId: notificationWorkflowId(id),
              taskQueue: o.taskQueue,
              args: [{ notificationId: id, policy: { retry: o.policy.retry } }],
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
              ...(accountNumber
                ? { typedSearchAttributes: [{ key: AccountNumber, value: accountNumber }] }
                : {}),
            });
            return true;
          } catch (e) {
            if (e instanceof WorkflowExecutionAlreadyStartedError) return false;
            throw e;
          }
        }),
      );
      started += results.filter(Boolean).length;
    }
    return started;
  };

  /** Claims and starts pages until none wait. */
  const dispatchPending = async () => {
    let started = 0;
    while (!stopped) {
      const page = await claimBatch(o.sql, mode === 'batch' ? o.policy.batchSize : 200);
      if (!page) break;
      try {
        started += mode === 'batch' ? await startBatch(page.batchId, page.ids) : await startEach(page.ids);
      } catch (e) {
        // not started: claimable again at once, not only after redispatchAfterMs
        if (mode === 'batch') await releaseDispatched(o.sql, page.ids);
        throw e;
      }
    }
    return started;
  };

  const running = async (workflowId: string) => {
    try {
      return (await o.client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return false;
      throw e;
    }
  };

  const sweep = async () => {
    for (const stale of await staleDispatches(o.sql, o.policy.redispatchAfterMs)) {
      if (stopped) return 0;
      // its batch workflow, or (per-notice, or a notice started before batches) each notice's own
      const perNotice = mode === 'per-notice' || !stale.batchId;
      const batchRunning = perNotice ? false : await running(notificationBatchWorkflowId(stale.batchId!));
      const busy = new Set<string>();
      if (perNotice) for (const id of stale.ids) if (await running(notificationWorkflowId(id))) busy.add(id);
      if (batchRunning) await touchDispatched(o.sql, stale.ids);
      else {
        if (busy.size) await touchDispatched(o.sql, [...busy]);
        await releaseDispatched(
          o.sql,
          stale.ids.filter((id) => !busy.has(id)),
        );
      }
    }
    return dispatchPending();
  };

  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    p.catch((e) => {
      // the next sweep picks the notification up again
      if (!stopped) o.log?.warn({ err: e }, 'notification dispatch failed; the sweep will retry');
    }).finally(() => inFlight.delete(p));
    return p;
  };

  // NOTIFYs arrive one per notification (thousands at once in a bill run): they only wake one pump, which
  // claims whatever is pending, page by page
  let pumping = false;
  let again = false;
  const pump = async () => {
    again = true;
    if (pumping) return;
    pumping = true;
    try {
      while (again && !stopped) {
        again = false;
        await dispatchPending();
      }
    } finally {
      pumping = false;
    }
  };

  const listener = await o.sql.listen(
    'notification_queued',
    () => {
      if (!stopped) track(pump());
    },
    () => {
      // (re)connected: anything queued while the listener was away is found by a sweep
      if (!stopped) track(sweep());
    },
  );
  const timer = setInterval(() => {
    if (!stopped) track(sweep());
  }, o.policy.sweepIntervalMs);
  timer.unref();

  return {
    sweep: () => track(sweep()),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await listener.unlisten();
      await Promise.allSettled([...inFlight]);
    },
  };
}
