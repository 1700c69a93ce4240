// Provider webhooks for messaging, each authenticated by its signature rather than a login:
//   POST /webhooks/twilio/inbound   an SMS to our number: STOP / START / HELP (and Spanish PARAR / AYUDA)
//   POST /webhooks/twilio/status    a message's delivery state (status callback)
//   POST /webhooks/sendgrid/events  SendGrid's signed event webhook: delivered, bounce, dropped, spam report
// Twilio signs with X-Twilio-Signature (HMAC over the URL and the form fields; twilio.validateRequest);
// SendGrid signs with ECDSA P-256 over timestamp + raw body (X-Twilio-Email-Event-Webhook-Signature / -Timestamp);
// the timestamp must be within SIGNATURE_TOLERANCE_SECONDS of the server's clock, so a captured delivery
// cannot be replayed later.
import { createPublicKey, verify } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { optInSms, optOutSms } from '../../db/contacts.js';
import { applyProviderReport, type ProviderReport } from '../../db/messaging.js';
import { ApiError } from '../errors.js';
import { checkSendgridHeaders } from '../signed-headers.js';
import type { App, AppDeps } from '../types.js';

const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'PARAR', 'ALTO']);
const START = new Set(['START', 'YES', 'UNSTOP', 'INICIAR']);
const HELP = new Set(['HELP', 'INFO', 'AYUDA']);
/** keywords Twilio's default opt-out handling does not answer itself: we answer them */
const SPANISH = new Set(['PARAR', 'ALTO', 'INICIAR', 'AYUDA']);

/** What a STOP or START keyword does to the number's SMS consent, and our answer to a Spanish one. */
const CONSENT = {
  stop: {
    apply: optOutSms,
    spanishReply: 'No recibirá más mensajes de texto. Responda INICIAR para volver a recibirlos.',
  },
  start: {
    apply: optInSms,
    spanishReply: 'Volverá a recibir avisos por mensaje de texto. Responda PARAR para dejar de recibirlos.',
  },
};

/** Twilio delivery errors that say the number cannot receive texts at all. */
const UNREACHABLE_NUMBER = new Set(['30005', '30006', '21211', '21614']);

const twiml = (reply: FastifyReply, message?: string) => {
  const body = message
    ? `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${message.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!)}</Message></Response>`
    : '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
  return reply.type('text/xml').send(body);
};

const notConfigured = (what: string) =>
  new ApiError(404, 'invalid_request_error', 'not_configured', `${what} is not configured (dev outbox mode)`);

export default async function messagingWebhookRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  // Twilio posts application/x-www-form-urlencoded; the signature covers the exact fields, so parse them here
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const verified = (req: FastifyRequest): Record<string, string> => {
      const token = deps.messaging?.twilioAuthToken;
      if (!token) throw notConfigured('Twilio');
      const params = (req.body ?? {}) as Record<string, string>;
      const signature = req.headers['x-twilio-signature'];
      const url = `${deps.publicUrl.replace(/\/$/, '')}${req.url}`;
      if (typeof signature !== 'string' || !twilio.validateRequest(token, signature, url, params))
        throw new ApiError(
          403,
          'permission_error',
          'signature_invalid',
          'X-Twilio-Signature does not match',
          'X-Twilio-Signature',
        );
      return params;
    };

    scope.post(
      '/webhooks/twilio/inbound',
      {
        config: { access: { public: true } }, // authenticated by its signature instead
        schema: { tags: ['webhooks'], summary: 'Twilio inbound SMS: STOP, START and HELP update consent' },
      },
      async (req, reply) => {
        const p = verified(req);
        const from = p.From ?? '';
        const word = (p.Body ?? '').trim().toUpperCase().split(/\s+/)[0] ?? '';
        if (!from) return twiml(reply);
        const consent = STOP.has(word) ? CONSENT.stop : START.has(word) ? CONSENT.start : null;
        if (consent) {
          await consent.apply(sql, from);
          // Twilio confirms English STOP and START itself; a Spanish one we confirm
          return twiml(reply, SPANISH.has(word) ? consent.spanishReply : undefined);
        }
        if (HELP.has(word))
          return twiml(
            reply,
            word === 'AYUDA'
              ? `Avisos de su servicio público. Responda PARAR para no recibir más. Cuenta: ${deps.publicUrl}/portal`
              : `Utility account alerts. Reply STOP to opt out, START to opt back in. Manage alerts: ${deps.publicUrl}/portal`,
          );
        return twiml(reply); // anything else: no automatic answer
      },
    );

    scope.post(
      '/webhooks/twilio/status',
      {
        config: { access: { public: true } },
        schema: {
          tags: ['webhooks'],
          summary: 'Twilio status callbacks: a message sent, delivered, undelivered or failed',
        },
      },
      async (req, reply) => {
        const p = verified(req);
        const status = p.MessageStatus ?? p.SmsStatus ?? '';
        const sid = p.MessageSid ?? p.SmsSid ?? '';
        if (!['sent', 'delivered', 'undelivered', 'failed'].includes(status) || !sid)
          return reply.send({ received: true, ignored: status || 'no status' });
        const r = await applyProviderReport(sql, {
          provider: 'twilio',
          providerId: sid,
          hint: (req.query as { message?: string }).message,
          status,
          providerEventId: `twilio:${sid}:${status}`,
          detail: { errorCode: p.ErrorCode ?? null },
          flagContact:
            p.ErrorCode && UNREACHABLE_NUMBER.has(p.ErrorCode)
              ? { status: 'invalid', flag: `twilio ${p.ErrorCode}: number cannot receive texts` }
              : undefined,
        });
        if (!r) return reply.send({ received: true, ignored: 'unknown message' });
        return reply.send({ received: true, result: r });
      },
    );
  });

  // SendGrid's signature covers the raw body: keep it as sent
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(
      '/webhooks/sendgrid/events',
      {
        config: { access: { public: true } },
        // Refused before the body is read: not configured, or no fresh, well-formed signature headers (a
        // replayed delivery is stale). SendGrid batches up to about 768 KB, so a signed request gets 2 MB.
        onRequest: async (req) => {
          if (!deps.messaging?.sendgridWebhookPublicKey) throw notConfigured('The SendGrid event webhook');
          const h = checkSendgridHeaders(
            req.headers['x-twilio-email-event-webhook-signature'],
            req.headers['x-twilio-email-event-webhook-timestamp'],
          );
          if (!h.ok)
            throw new ApiError(
              403,
              'permission_error',
              h.code,
              h.message,
              h.code === 'signature_expired'
                ? 'X-Twilio-Email-Event-Webhook-Timestamp'
                : 'X-Twilio-Email-Event-Webhook-Signature',
            );
        },
        bodyLimit: 2 * 1024 * 1024,
        schema: {
          tags: ['webhooks'],
          summary:
            'SendGrid signed event webhook: delivered, bounce, dropped and spam report update the message; a bounce or spam report suppresses the address',
        },
      },
      async (req, reply) => {
        const key = deps.messaging?.sendgridWebhookPublicKey;
        if (!key) throw notConfigured('The SendGrid event webhook');
        const sig = req.headers['x-twilio-email-event-webhook-signature'];
        const ts = req.headers['x-twilio-email-event-webhook-timestamp'];
        const raw = req.body as Buffer;
        if (
          typeof sig !== 'string' ||
          typeof ts !== 'string' ||
          !Buffer.isBuffer(raw) ||
          !verifySendgrid(key, ts, raw, sig)
        )
          throw new ApiError(
            403,
            'permission_error',
            'signature_invalid',
            'SendGrid event webhook signature does not match',
            'X-Twilio-Email-Event-Webhook-Signature',
          );
        let events: unknown;
        try {
          events = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new ApiError(400, 'invalid_request_error', 'invalid_json', 'The body is not JSON');
        }
        if (!Array.isArray(events))
          throw new ApiError(400, 'invalid_request_error', 'invalid_events', 'Expected an array of events');
        const results: Record<string, number> = {};
        for (const e of events as Record<string, unknown>[]) {
          const report = sendgridReport(e);
          const r = report ? ((await applyProviderReport(sql, report)) ?? 'unknown_message') : 'ignored';
          results[r] = (results[r] ?? 0) + 1;
        }
        return reply.send({ received: true, results });
      },
    );
  });
}

const PUBLIC_KEYS = new Map<string, ReturnType<typeof createPublicKey>>();
/** ECDSA (P-256, SHA-256, DER signature) over the timestamp header followed by the raw body, as SendGrid signs. */
export function verifySendgrid(
  publicKeyBase64: string,
  timestamp: string,
  raw: Buffer,
  signatureBase64: string,
) {
  try {
    let k = PUBLIC_KEYS.get(publicKeyBase64);
    if (!k) {
      k = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
      PUBLIC_KEYS.set(publicKeyBase64, k);
    }
    return verify(
      'sha256',
      Buffer.concat([Buffer.from(timestamp, 'utf8'), raw]),
      k,
      Buffer.from(signatureBase64, 'base64'),
    );
  } catch {
    return false;
  }
}

const SENDGRID_STATUS: Record<string, string> = {
  delivered: 'delivered',
  bounce: 'bounced',
  blocked: 'bounced',
  dropped: 'dropped',
  spamreport: 'spam_report',
};

/** A SendGrid event as a report on one of our messages; null for events that say nothing about delivery. */
function sendgridReport(e: Record<string, unknown>): ProviderReport | null {
  const kind = typeof e.event === 'string' ? e.event : '';
  const status = SENDGRID_STATUS[kind];
  if (!status) return null;
  const hint = typeof e.cisflow_message_id === 'string' ? e.cisflow_message_id : undefined;
  // sg_message_id is the X-Message-Id we recorded, plus a suffix
  const sgId = typeof e.sg_message_id === 'string' ? e.sg_message_id.split('.')[0]! : '';
  const eventId =
    typeof e.sg_event_id === 'string' ? e.sg_event_id : `${sgId}:${kind}:${String(e.timestamp ?? '')}`;
  const reason = typeof e.reason === 'string' ? e.reason : null;
  const suppress =
    kind === 'bounce' ||
    kind === 'spamreport' ||
    (kind === 'dropped' && /bounce|spam|invalid|unsubscribe/i.test(reason ?? ''));
  return {
    provider: 'sendgrid',
    providerId: sgId,
    hint,
    status,
    providerEventId: `sendgrid:${eventId}`,
    detail: { event: kind, reason, type: e.type ?? null },
    flagContact: suppress
      ? {
          status: 'suppressed',
          flag: `${kind === 'spamreport' ? 'spam report' : kind}${reason ? `: ${reason}` : ''}`,
        }
      : undefined,
  };
}
