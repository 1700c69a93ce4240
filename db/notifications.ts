// The one way any capability asks for a customer to be told something. Call it inside the transaction that
// records the event (a payment posting, a dunning step, a dispute decision), so the notice exists exactly
// when the event does. The messaging capability picks it up, applies the customer's subscriptions, and sends.

import type { AlertType } from '../domain/messages/alerts.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';

export { ALERT_TYPES, type AlertType } from '../domain/messages/alerts.js';

export type NotificationData = Record<string, string | number | boolean | null>;

export interface NotificationRequest {
  accountId: string;
  alert: AlertType;
  /** once per key, ever: a retried activity or replayed webhook asks again and nothing more happens */
  key: string;
  /** the real figures the template shows (amounts as integer cents, dates as YYYY-MM-DD) */
  data: NotificationData;
  /** urgent notices (disconnect, outage) are sent during SMS quiet hours */
  urgent?: boolean;
}

/** Records the notification; returns its id, or null if this key was already recorded. */
export async function queueNotification(db: Sql | Tx, n: NotificationRequest): Promise<string | null> {
  const [row] = await db<{ id: string }[]>`
    insert into notification (id, idempotency_key, account_id, alert, data, urgent)
    values (${newId('ntf')}, ${n.key}, ${n.accountId}, ${n.alert}, ${db.json(n.data)}, ${n.urgent ?? false})
    on conflict (idempotency_key) do nothing
    returning id`;
  if (row) await db`select pg_notify('notification_queued', ${row.id})`;
  return row?.id ?? null;
}
