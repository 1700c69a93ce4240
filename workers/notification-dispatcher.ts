// The notification dispatcher: runs in every worker process, beside the Temporal workers. It turns each row
// queueNotification() wrote into a `notification/{id}` workflow:
//   - LISTEN notification_queued: started within milliseconds of the capability's commit;
//   - a sweep of pending rows at start, on every (re)connection of the listener, and every sweepIntervalMs:
//     nothing is lost while no worker runs, nor when a NOTIFY is missed.
// Several workers may start the same notification; the workflow id (REJECT_DUPLICATE) lets one run.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import type { MessagingPolicy } from '../domain/messages/policy.js';
import {
  NOTIFICATION,
  type NotificationWorkflow,
  notificationWorkflowId,
} from '../workflows/contracts/messaging.js';
import { AccountNumber } from '../workflows/contracts/search-attributes.js';

export interface Dispatcher {
  /** starts workflows for pending notifications; returns how many it started */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

export async function startNotificationDispatcher(o: {
  sql: Sql;
  client: Client;
  taskQueue: string;
  policy: MessagingPolicy;
  log?: { warn(obj: unknown, msg?: string): void };
}): Promise<Dispatcher> {
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();

  const start = async (ids: string[]) => {
    let started = 0;
    // bounded concurrency: a bill run may queue thousands at once
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
              // the send retry policy travels with the workflow (read now: a test may change it between steps)
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
      await o.sql`update notification set dispatched_at = now() where id = any(${batch})`;
    }
    return started;
  };
  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    p.catch((e) => {
      // the next sweep picks the notification up again
      if (!stopped) o.log?.warn({ err: e }, 'notification dispatch failed; the sweep will retry');
    }).finally(() => inFlight.delete(p));
    return p;
  };

  // NOTIFYs arrive one per notification (thousands at once in a bill run): gathered, then started by one pump
  const waiting = new Set<string>();
  let pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (waiting.size && !stopped) {
        const ids = [...waiting].slice(0, 200);
        for (const id of ids) waiting.delete(id);
        await start(ids);
      }
    } finally {
      pumping = false;
    }
  };

  const sweep = async () => {
    let total = 0;
    for (;;) {
      const rows = await o.sql<{ id: string }[]>`
        select id from notification where status = 'pending'
          and (dispatched_at is null or dispatched_at < now() - make_interval(secs => ${o.policy.redispatchAfterMs / 1000}))
        order by created_at limit 500`;
      if (!rows.length || stopped) return total;
      total += await start(rows.map((r) => r.id));
      if (rows.length < 500) return total;
    }
  };

  const listener = await o.sql.listen(
    'notification_queued',
    (id) => {
      if (stopped) return;
      waiting.add(id);
      track(pump());
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
