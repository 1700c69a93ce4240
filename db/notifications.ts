// The one way any capability asks for a customer to be told something. Call it inside the transaction that
// records the event (a payment posting, a dunning step, a dispute decision), so the notice exists exactly
// when the event does. The messaging capability picks it up, applies the customer's subscriptions, and sends.

import type { AlertType } from '../domain/messages/alerts.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';

export { ALERT_TYPES, type AlertType } from '../domain/messages/alerts.js';

export type NotificationData = Record<string, string | number | boolean | null>;

export interface NotificationRequest {
  /** null only for a staff login's own notice (an invitation), which belongs to no account */
  accountId: string | null;
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
  return (await queueNotifications(db, [n]))[0] ?? null;
}

/**
 * Records many notifications in one statement (a bill run's page of e-bills); returns the ids of those whose
 * key was new. The dispatcher hears of each one.
 */
export async function queueNotifications(db: Sql | Tx, list: NotificationRequest[]): Promise<string[]> {
  if (!list.length) return [];
  const rows = list.map((n) => ({
    id: newId('ntf'),
    idempotency_key: n.key,
    account_id: n.accountId,
    alert: n.alert,
    data: n.data,
    urgent: n.urgent ?? false,
  }));
  const ids = (
    await db<{ id: string }[]>`
      insert into notification ${db(rows)} on conflict (idempotency_key) do nothing returning id`
  ).map((r) => r.id);
  if (ids.length) await db`select pg_notify('notification_queued', id) from unnest(${ids}::text[]) as id`;
  return ids;
}
