// The two messaging providers behind one small interface, through their real SDKs: SendGrid (@sendgrid/mail)
// for email and Twilio (twilio) for SMS. Either may be absent (dev outbox mode). Provider errors are sorted
// into three kinds the send activity acts on: try again later (5xx, 429, network), the recipient is invalid
// (a bad number or address: mark the contact), or refused for another reason (do not retry).
import { MailService } from '@sendgrid/mail';
import twilio from 'twilio';
import type { Config } from '../config.js';

export interface OutgoingEmail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}
export interface OutgoingSms {
  messageId: string;
  to: string;
  body: string;
}

export interface EmailProvider {
  name: 'sendgrid';
  /** returns the provider's message id */
  send(m: OutgoingEmail): Promise<string>;
}
export interface SmsProvider {
  name: 'twilio';
  send(m: OutgoingSms): Promise<string>;
}
export interface MessagingProviders {
  email: EmailProvider | null;
  sms: SmsProvider | null;
}

export type FailureKind = 'retryable' | 'invalid_recipient' | 'opted_out' | 'rejected';

export class ProviderError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

const PROVIDER_TIMEOUT_MS = 20_000;
const retryableStatus = (s: number | undefined) => s === undefined || s >= 500 || s === 429 || s === 408;

/** SendGrid: `setApiKey`, then (for a fake or a proxy) the base URL of the @sendgrid/client behind the mailer. */
export function sendgridProvider(o: { apiKey: string; from: string; baseUrl?: string }): EmailProvider {
  const mail = new MailService();
  mail.setApiKey(o.apiKey);
  // well inside the activity's 30 s: a hung call fails (and is retried) instead of overlapping its retry
  mail.setTimeout(PROVIDER_TIMEOUT_MS);
  if (o.baseUrl)
    (
      mail as unknown as { client: { setDefaultRequest(k: string, v: unknown): void } }
    ).client.setDefaultRequest('baseUrl', o.baseUrl);
  return {
    name: 'sendgrid',
    async send(m) {
      try {
        const [res] = await mail.send({
          to: m.to,
          from: o.from,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          // comes back on every event webhook, so events find the message without a lookup by provider id
          customArgs: { cisflow_message_id: m.messageId },
        });
        const id = res.headers['x-message-id'];
        return typeof id === 'string' && id ? id : `sendgrid_${m.messageId}`;
      } catch (e) {
        const err = e as { code?: number; message?: string; response?: { body?: unknown } };
        const status = typeof err.code === 'number' ? err.code : undefined;
        const body = err.response?.body as
          | { errors?: { message?: string; field?: string | null }[] }
          | undefined;
        const first = body?.errors?.[0];
        const detail = first?.message ?? err.message ?? 'SendGrid error';
        if (retryableStatus(status))
          throw new ProviderError('retryable', `http_${status ?? 'network'}`, detail, status);
        if (status === 400 && /personalizations\.\d+\.to|email/i.test(`${first?.field ?? ''} ${detail}`))
          throw new ProviderError('invalid_recipient', 'invalid_email', detail, status);
        throw new ProviderError('rejected', `http_${status}`, detail, status);
      }
    },
  };
}

/** Twilio error codes that mean the number itself is no good, and the one that means it sent STOP. */
const INVALID_NUMBER = new Set([21211, 21214, 21217, 21401, 21407, 21421, 21614]);
const OPTED_OUT = 21610;

export function twilioProvider(o: {
  client: twilio.Twilio;
  from: string;
  /** where Twilio posts status callbacks; the message id is added as a query parameter */
  statusCallbackUrl?: string;
}): SmsProvider {
  return {
    name: 'twilio',
    async send(m) {
      try {
        const msg = await o.client.messages.create({
          to: m.to,
          from: o.from,
          body: m.body,
          ...(o.statusCallbackUrl ? { statusCallback: `${o.statusCallbackUrl}?message=${m.messageId}` } : {}),
        });
        return msg.sid;
      } catch (e) {
        const err = e as { status?: number; code?: number; message?: string };
        const status = typeof err.status === 'number' ? err.status : undefined;
        const detail = err.message ?? 'Twilio error';
        const code = err.code !== undefined ? `twilio_${err.code}` : `http_${status ?? 'network'}`;
        if (retryableStatus(status)) throw new ProviderError('retryable', code, detail, status);
        if (err.code === OPTED_OUT) throw new ProviderError('opted_out', code, detail, status);
        if (err.code !== undefined && INVALID_NUMBER.has(err.code))
          throw new ProviderError('invalid_recipient', code, detail, status);
        throw new ProviderError('rejected', code, detail, status);
      }
    },
  };
}

/** The providers the configuration names; without keys, none (dev outbox mode). */
export function messagingProvidersFromConfig(c: Config): MessagingProviders {
  return {
    email: c.sendgrid ? sendgridProvider({ apiKey: c.sendgrid.apiKey, from: c.sendgrid.fromEmail }) : null,
    sms: c.twilio
      ? twilioProvider({
          client: twilio(c.twilio.accountSid, c.twilio.authToken, { timeout: PROVIDER_TIMEOUT_MS }),
          from: c.twilio.fromNumber,
          statusCallbackUrl: `${c.publicUrl}/webhooks/twilio/status`,
        })
      : null,
  };
}
