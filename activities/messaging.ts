// Messaging activities: plan a batch of notifications (or one) into messages, send them through their
// provider (or the dev outbox) with a bounded number of calls in flight, and the daily high-usage check.
// Sending is idempotent where the providers allow it (see sendMessage and sendBatch).
import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client.js';
import { flagContact } from '../db/contacts.js';
import {
  beginAttempt,
  event,
  findHighUsage,
  finishNotification,
  getMessage,
  type MessageRow,
  type PlanResult,
  planNotification,
  planNotifications,
  recordFailure,
  recordSent,
} from '../db/messaging.js';
import {
  abandonBatch,
  batchNotificationIds,
  beginAttempts,
  finishBatch,
  recordFailures,
  recordSentMany,
  type SendFailure,
} from '../db/messaging-batches.js';
import { queueNotification } from '../db/notifications.js';
import type { HighUsagePolicy, MessagingPolicy } from '../domain/messages/policy.js';
import type { Clock } from '../lib/clock.js';
import { limiter } from '../lib/concurrency.js';
import type { UtilityProfile } from '../lib/config.js';
import type { MessagingProviders } from '../lib/providers/messaging.js';
import { ProviderError } from '../lib/providers/messaging.js';
import type { FinalSendFailure, NotificationBatchOutcome } from '../workflows/contracts/messaging.js';

/** A failure the workflow will not retry (workflows/contracts/messaging.ts names them). */
const finalFailure = (message: string, type: FinalSendFailure, ...details: unknown[]) =>
  ApplicationFailure.nonRetryable(message, type, ...details);

/** Messages a send pass marks "sending" and records at a time: the most a crash could leave unrecorded. */
const SEND_CHUNK = 50;

type Delivery =
  | { ok: true; provider: 'sendgrid' | 'twilio' | 'outbox'; providerId: string }
  | { ok: false; provider: 'sendgrid' | 'twilio'; error: ProviderError };

export function createMessagingActivities(
  sql: Sql,
  o: {
    providers: MessagingProviders;
    publicUrl: string;
    policy: MessagingPolicy;
    clock?: Clock;
    /** the environment's utility, until its admins save settings */
    utility?: UtilityProfile;
  },
) {
  const planOptions = () => ({
    publicUrl: o.publicUrl,
    providers: {
      email: o.providers.email ? ('sendgrid' as const) : ('outbox' as const),
      sms: o.providers.sms ? ('twilio' as const) : ('outbox' as const),
    },
    quietHours: o.policy.quietHours,
    utility: o.utility,
  });
  // every provider call of this worker process, whichever batch or notice it is for
  const inFlight = limiter(o.policy.sendConcurrency);

  /** One message to its provider (or the dev outbox); a provider's refusal sorted into a ProviderError. */
  const deliver = (m: MessageRow): Promise<Delivery> =>
    inFlight(async () => {
      const provider = m.channel === 'email' ? o.providers.email : o.providers.sms;
      // dev outbox mode: the message is kept, complete, for staff and the developer to read
      if (!provider) return { ok: true, provider: 'outbox', providerId: `outbox_${m.id}` };
      try {
        const providerId =
          m.channel === 'email'
            ? await o.providers.email!.send({
                messageId: m.id,
                to: m.toAddress,
                subject: m.subject ?? '',
                text: m.body,
                html: m.html,
              })
            : await o.providers.sms!.send({ messageId: m.id, to: m.toAddress, body: m.body });
        return { ok: true, provider: provider.name, providerId };
      } catch (e) {
        const error =
          e instanceof ProviderError
            ? e
            : new ProviderError('retryable', 'network', (e as Error).message ?? String(e));
        return { ok: false, provider: provider.name, error };
      }
    });

  /** What a final refusal says about the address: a bad one is flagged for staff, a STOP is consent. */
  const actOnRefusal = async (m: MessageRow, provider: string, err: ProviderError) => {
    if (err.kind === 'invalid_recipient' && m.contactId)
      await flagContact(sql, m.contactId, 'invalid', `${provider} ${err.code}: ${err.message}`.slice(0, 300));
    if (err.kind === 'opted_out')
      await sql`insert into sms_opt_out (phone) values (${m.toAddress}) on conflict do nothing`;
  };

  return {
    async planNotification(a: { notificationId: string }): Promise<PlanResult> {
      return planNotification(sql, a.notificationId, planOptions());
    },

    /** Plans the batch's notifications into messages, a page at a time (set-based; see planNotifications). */
    async planBatch(a: { batchId: string }): Promise<NotificationBatchOutcome> {
      const ids = await batchNotificationIds(sql, a.batchId);
      const totals = { notices: ids.length, planned: 0, skipped: 0, sent: 0, failed: 0 };
      for (let i = 0; i < ids.length; i += 250) {
        const plans = await planNotifications(sql, ids.slice(i, i + 250), planOptions());
        for (const p of plans.values()) {
          if (p.status === 'planned') totals.planned++;
          else if (p.status === 'skipped') totals.skipped++;
        }
        heartbeat(i);
      }
      return totals;
    },

    /**
     * Sends the batch's due messages, SEND_CHUNK at a time, at most `sendConcurrency` provider calls at once.
     * Each chunk is marked "sending" (one statement) before its calls and its answers recorded (one statement
     * for the sent, one for the failures) as soon as they are in, so a retry of this activity sends only what
     * is not yet with the provider. A bad address fails that message alone, for good; a 429/5xx/network error
     * puts it back, and once the pass is done the activity fails retryably: Temporal's backoff, then a
     * pass over what is left. The crash window is sendMessage's, for at most one chunk.
     */
    async sendBatch(a: { batchId: string }): Promise<{ sent: number; failed: number }> {
      let afterId = '';
      let sent = 0;
      let failed = 0;
      let retrying = 0;
      let lastError = '';
      for (;;) {
        const chunk = await beginAttempts(sql, a.batchId, { afterId, limit: SEND_CHUNK });
        if (!chunk.length) break;
        afterId = chunk.at(-1)!.id;
        const results = await Promise.all(chunk.map((m) => deliver(m).then((d) => ({ m, d }))));
        const byProvider = new Map<string, { id: string; providerId: string }[]>();
        const failures: SendFailure[] = [];
        for (const { m, d } of results) {
          if (d.ok)
            byProvider.set(d.provider, [
              ...(byProvider.get(d.provider) ?? []),
              { id: m.id, providerId: d.providerId },
            ]);
          else
            failures.push({
              id: m.id,
              retrying: d.error.kind === 'retryable',
              code: d.error.code,
              message: d.error.message,
            });
        }
        for (const [provider, list] of byProvider) await recordSentMany(sql, provider, list);
        await recordFailures(sql, failures);
        for (const { m, d } of results)
          if (!d.ok && d.error.kind !== 'retryable') await actOnRefusal(m, d.provider, d.error);
        sent += results.length - failures.length;
        failed += failures.filter((f) => !f.retrying).length;
        retrying += failures.filter((f) => f.retrying).length;
        const transient = results.find(({ d }) => !d.ok && d.error.kind === 'retryable')?.d;
        if (transient && !transient.ok) lastError = `${transient.provider}: ${transient.error.message}`;
        heartbeat(afterId);
      }
      // Temporal retries with backoff (the workflow's retry policy); what was sent stays sent
      if (retrying)
        throw ApplicationFailure.retryable(
          `${retrying} message(s) to retry (${sent} sent, ${failed} failed for good): ${lastError}`,
          'ProviderUnavailable',
        );
      return { sent, failed };
    },

    /** Marks processed what is done and says when the batch's next message is due (see finishBatch). */
    async finishBatch(a: { batchId: string }) {
      return finishBatch(sql, a.batchId);
    },

    /** The retries ran out (a provider down for hours): what is left is marked failed, for staff to see. */
    async abandonBatch(a: { batchId: string; reason: string }): Promise<number> {
      return abandonBatch(sql, a.batchId, a.reason);
    },

    async finishNotification(a: { notificationId: string }) {
      await finishNotification(sql, a.notificationId);
    },

    /**
     * Sends one message, at most once per successful provider call: the attempt is recorded (status
     * "sending") before the provider is called, and the provider's message id right after it answers, so a
     * retry of this activity that finds the id recorded returns without sending again.
     *
     * The crash window, stated plainly: neither SendGrid nor Twilio accepts an idempotency key. If the process
     * dies (or the database is unreachable) after the provider accepted the message and before its id is
     * recorded, the retry finds "sending" with no id and cannot know whether the provider has it; it sends
     * again, so the customer may get that one message twice. We choose a rare duplicate over a lost notice.
     */
    async sendMessage(a: { messageId: string }): Promise<{ status: string; providerId: string | null }> {
      const m = await beginAttempt(sql, a.messageId);
      if (!m) {
        const done = await getMessage(sql, a.messageId);
        if (!done) throw finalFailure(`message ${a.messageId} does not exist`, 'MissingMessage');
        return { status: done.status, providerId: done.providerId };
      }
      const d = await deliver(m);
      if (d.ok && d.provider === 'outbox') {
        await recordSent(sql, m.id, 'outbox', d.providerId);
        await event(sql, m.id, 'outbox', {});
        return { status: 'outbox', providerId: d.providerId };
      }
      if (!d.ok) {
        const err = d.error;
        const retrying = err.kind === 'retryable';
        await recordFailure(sql, m.id, retrying, err.code, err.message);
        if (retrying)
          // Temporal retries with backoff (the workflow's retry policy)
          throw ApplicationFailure.retryable(`${d.provider}: ${err.message}`, 'ProviderUnavailable', {
            code: err.code,
          });
        await actOnRefusal(m, d.provider, err);
        // a 4xx will not get better by asking again: no retry storm
        throw finalFailure(
          `${d.provider}: ${err.message}`,
          err.kind === 'invalid_recipient'
            ? 'InvalidRecipient'
            : err.kind === 'opted_out'
              ? 'OptedOut'
              : 'ProviderRejected',
          { code: err.code },
        );
      }
      const providerId = d.providerId;
      await recordSent(sql, m.id, d.provider, providerId);
      await event(sql, m.id, 'sent', { providerId });
      return { status: 'sent', providerId };
    },

    /** The retries ran out (a provider down for hours): the message is marked failed, for staff to see. */
    async abandonMessage(a: { messageId: string; reason: string }) {
      await recordFailure(sql, a.messageId, false, 'retries_exhausted', a.reason);
    },

    /** Queues high_usage for each account and service over its normal (one per account, service and day). */
    async checkHighUsage(a: {
      asOf?: string;
      policy?: Partial<HighUsagePolicy>;
    }): Promise<{ flagged: number; queued: number }> {
      const p = { ...o.policy.highUsage, ...a.policy };
      const asOf = a.asOf ? new Date(a.asOf) : (o.clock?.now() ?? new Date());
      const findings = await findHighUsage(sql, asOf, p);
      const day = asOf.toISOString().slice(0, 10);
      let queued = 0;
      for (const f of findings) {
        const id = await sql.begin((tx) =>
          queueNotification(tx, {
            accountId: f.accountId,
            alert: 'high_usage',
            key: `high_usage/${f.accountId}/${f.serviceType}/${day}`,
            data: { usage: f.usage, unit: f.unit, normal: f.normal, service: f.serviceType },
          }),
        );
        if (id) queued++;
      }
      return { flagged: findings.length, queued };
    },
  };
}

export type MessagingActivities = ReturnType<typeof createMessagingActivities>;
