// Messaging activities: plan a notification into messages, send each through its provider (or the dev
// outbox), and the daily high-usage check. Sending is idempotent where the providers allow it (see sendMessage).
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client.js';
import { flagContact } from '../db/contacts.js';
import {
  beginAttempt,
  event,
  findHighUsage,
  finishNotification,
  getMessage,
  type PlanResult,
  planNotification,
  recordFailure,
  recordSent,
} from '../db/messaging.js';
import { queueNotification } from '../db/notifications.js';
import type { HighUsagePolicy, MessagingPolicy } from '../domain/messages/policy.js';
import type { Clock } from '../lib/clock.js';
import type { UtilityProfile } from '../lib/config.js';
import type { MessagingProviders } from '../lib/providers/messaging.js';
import { ProviderError } from '../lib/providers/messaging.js';
import type { FinalSendFailure } from '../workflows/contracts/messaging.js';

/** A failure the workflow will not retry (workflows/contracts/messaging.ts names them). */
const finalFailure = (message: string, type: FinalSendFailure, ...details: unknown[]) =>
  ApplicationFailure.nonRetryable(message, type, ...details);

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
  return {
    async planNotification(a: { notificationId: string }): Promise<PlanResult> {
      return planNotification(sql, a.notificationId, {
        publicUrl: o.publicUrl,
        providers: {
          email: o.providers.email ? 'sendgrid' : 'outbox',
          sms: o.providers.sms ? 'twilio' : 'outbox',
        },
        quietHours: o.policy.quietHours,
        utility: o.utility,
      });
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
      const provider = m.channel === 'email' ? o.providers.email : o.providers.sms;
      if (!provider) {
        // dev outbox mode: the message is kept, complete, for staff and the developer to read
        const id = `outbox_${m.id}`;
        await recordSent(sql, m.id, 'outbox', id);
        await event(sql, m.id, 'outbox', {});
        return { status: 'outbox', providerId: id };
      }
      let providerId: string;
      try {
        providerId =
          m.channel === 'email'
            ? await o.providers.email!.send({
                messageId: m.id,
                to: m.toAddress,
                subject: m.subject ?? '',
                text: m.body,
                html: m.html,
              })
            : await o.providers.sms!.send({ messageId: m.id, to: m.toAddress, body: m.body });
      } catch (e) {
        const err =
          e instanceof ProviderError
            ? e
            : new ProviderError('retryable', 'network', (e as Error).message ?? String(e));
        const retrying = err.kind === 'retryable';
        await recordFailure(sql, m.id, retrying, err.code, err.message);
        if (retrying)
          // Temporal retries with backoff (the workflow's retry policy)
          throw ApplicationFailure.retryable(`${provider.name}: ${err.message}`, 'ProviderUnavailable', {
            code: err.code,
          });
        if (err.kind === 'invalid_recipient' && m.contactId)
          await flagContact(
            sql,
            m.contactId,
            'invalid',
            `${provider.name} ${err.code}: ${err.message}`.slice(0, 300),
          );
        if (err.kind === 'opted_out')
          await sql`insert into sms_opt_out (phone) values (${m.toAddress}) on conflict do nothing`;
        // a 4xx will not get better by asking again: no retry storm
        throw finalFailure(
          `${provider.name}: ${err.message}`,
          err.kind === 'invalid_recipient'
            ? 'InvalidRecipient'
            : err.kind === 'opted_out'
              ? 'OptedOut'
              : 'ProviderRejected',
          { code: err.code },
        );
      }
      await recordSent(sql, m.id, provider.name, providerId);
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
