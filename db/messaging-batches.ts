// Notification batches: the dispatcher claims a page of pending notifications under one batch id, and one
// notification-batch workflow plans and sends the page. Every state change here is one statement for the
// batch (or for a chunk of its messages), never one per row: bill day queues tens of thousands at once.
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { events, type MessageRow } from './messaging.js';

type Db = Sql | Tx;

/**
 * Claims up to `limit` pending notifications no dispatcher has taken (oldest first) under a new batch id.
 * SKIP LOCKED: dispatchers in several worker processes claim disjoint pages at once. Null when none wait.
 */
export async function claimBatch(db: Db, limit: number): Promise<{ batchId: string; ids: string[] } | null> {
  const batchId = newId('ntfb');
  const rows = await db<{ id: string }[]>`
    update notification set dispatched_at = now(), dispatch_batch = ${batchId}
    where id in (select id from notification where status = 'pending' and dispatched_at is null
      order by created_at limit ${limit} for update skip locked)
    returning id`;
  return rows.length ? { batchId, ids: rows.map((r) => r.id) } : null;
}

/** Notifications dispatched longer ago than `olderThanMs` and still pending, by batch (null: not batched). */
export async function staleDispatches(db: Db, olderThanMs: number, limit = 500) {
  return db<{ batchId: string | null; ids: string[] }[]>`
    select dispatch_batch as batch_id, array_agg(id order by id) as ids from notification
    where status = 'pending' and dispatched_at < now() - make_interval(secs => ${olderThanMs / 1000})
    group by dispatch_batch limit ${limit}`;
}

/** The batch's workflow still runs (sleeping out quiet hours, retrying a provider outage): leave it be. */
export async function touchDispatched(db: Db, ids: string[]) {
  await db`update notification set dispatched_at = now() where id = any(${ids}) and status = 'pending'`;
}

/** Its workflow is gone (never started, or ended early): released, for the dispatcher to claim again. */
export async function releaseDispatched(db: Db, ids: string[]) {
  await db`update notification set dispatched_at = null, dispatch_batch = null
    where id = any(${ids}) and status = 'pending'`;
}

export async function batchNotificationIds(db: Db, batchId: string): Promise<string[]> {
  return (
    await db<{ id: string }[]>`select id from notification where dispatch_batch = ${batchId} order by id`
  ).map((r) => r.id);
}

/**
 * The next chunk of the batch's messages that are due (quiet hours over) and not yet with the provider,
 * after `afterId` (one pass of the send activity walks the batch once: a message put back for a retry waits
 * for the activity's next attempt and its backoff). Each is marked "sending" with attempts + 1, in one
 * statement, before any provider call. A message left "sending" by an attempt that died is sent again.
 */
export async function beginAttempts(
  db: Db,
  batchId: string,
  o: { afterId: string; limit: number },
): Promise<MessageRow[]> {
  const rows = await db<MessageRow[]>`
    update outbound_message set status = 'sending', attempts = attempts + 1, status_at = now()
    where id in (
      select m.id from notification n join outbound_message m on m.notification_id = n.id
      where n.dispatch_batch = ${batchId} and m.status in ('queued', 'sending')
        and (m.send_after is null or m.send_after <= now()) and m.id > ${o.afterId}
      order by m.id limit ${o.limit})
    returning *`;
  rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  await events(
    db,
    rows.map((m) => ({ messageId: m.id, kind: 'attempt', detail: { attempt: m.attempts } })),
  );
  return rows;
}

/**
 * The provider's ids, recorded in one statement as soon as a chunk's calls have answered: a retried activity
 * finds them "sent" and does not send again. The events follow in a statement of their own, so a failure
 * there cannot undo the record that the provider has the message.
 */
export async function recordSentMany(db: Db, provider: string, sent: { id: string; providerId: string }[]) {
  if (!sent.length) return;
  const status = provider === 'outbox' ? 'outbox' : 'sent';
  await db`update outbound_message m set provider = ${provider}, provider_id = s.provider_id,
      status = case when m.status in ('queued', 'sending') then ${status} else m.status end,
      sent_at = coalesce(m.sent_at, now()), status_at = now(), error_code = null, error_message = null
    from unnest(${sent.map((s) => s.id)}::text[], ${sent.map((s) => s.providerId)}::text[]) as s(id, provider_id)
    where m.id = s.id`;
  await events(
    db,
    sent.map((s) =>
      provider === 'outbox'
        ? { messageId: s.id, kind: 'outbox' }
        : { messageId: s.id, kind: 'sent', detail: { providerId: s.providerId } },
    ),
  );
}

export interface SendFailure {
  id: string;
  /** put back for the next attempt (5xx, 429, network), or failed for good */
  retrying: boolean;
  code: string;
  message: string;
}

/** A chunk's failures in one statement: the retryable ones back to "queued", the final ones "failed". */
export async function recordFailures(db: Db, failures: SendFailure[]) {
  if (!failures.length) return;
  await db`update outbound_message m set status = f.status, error_code = f.code, error_message = f.message,
      status_at = now()
    from unnest(${failures.map((f) => f.id)}::text[], ${failures.map((f) => (f.retrying ? 'queued' : 'failed'))}::text[],
      ${failures.map((f) => f.code)}::text[], ${failures.map((f) => f.message.slice(0, 500))}::text[])
      as f(id, status, code, message)
    where m.id = f.id and m.status in ('queued', 'sending')`;
  await events(
    db,
    failures.map((f) => ({
      messageId: f.id,
      kind: f.retrying ? 'provider_error' : 'failed',
      detail: { code: f.code, message: f.message.slice(0, 500) },
    })),
  );
}

/** The retries ran out: what is due and still not with the provider is marked failed, for staff to see. */
export async function abandonBatch(db: Db, batchId: string, reason: string) {
  const rows = await db<{ id: string }[]>`
    update outbound_message m set status = 'failed', error_code = 'retries_exhausted',
      error_message = ${reason.slice(0, 500)}, status_at = now()
    from notification n
    where n.dispatch_batch = ${batchId} and m.notification_id = n.id and m.status in ('queued', 'sending')
      and (m.send_after is null or m.send_after <= now())
    returning m.id`;
  await events(
    db,
    rows.map((r) => ({
      messageId: r.id,
      kind: 'failed',
      detail: { code: 'retries_exhausted', message: reason.slice(0, 500) },
    })),
  );
  return rows.length;
}

/**
 * Marks processed each of the batch's notifications with no message left to send, in one statement; and
 * says how long until the batch's next message is due (an SMS held by quiet hours), null when none is left,
 * with the batch's messages with the provider (or the outbox) and failed so far.
 */
export async function finishBatch(
  db: Db,
  batchId: string,
): Promise<{ processed: number; nextDueInMs: number | null; sent: number; failed: number }> {
  const done = await db`
    update notification n set status = 'processed', processed_at = now()
    where n.dispatch_batch = ${batchId} and n.status = 'pending'
      and not exists (select 1 from outbound_message m where m.notification_id = n.id
        and m.status in ('queued', 'sending'))`;
  const [r] = await db<{ ms: number | null; sent: number; failed: number }[]>`
    select (extract(epoch from min(m.send_after) filter (where m.status in ('queued', 'sending')) - now())
        * 1000)::float8 as ms,
      count(*) filter (where m.status not in ('queued', 'sending', 'failed'))::int as sent,
      count(*) filter (where m.status = 'failed')::int as failed
    from notification n join outbound_message m on m.notification_id = n.id
    where n.dispatch_batch = ${batchId}`;
  return {
    processed: done.count,
    nextDueInMs: r?.ms == null ? null : Math.max(0, Math.ceil(r.ms)),
    sent: r?.sent ?? 0,
    failed: r?.failed ?? 0,
  };
}
