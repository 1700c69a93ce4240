// A local SendGrid that the project owns: enough of v3 /mail/send for the real @sendgrid/mail SDK (202 with
// X-Message-Id; 400 with SendGrid's error body for a bad address; scripted 5xx), plus the signed event
// webhook, signed exactly as SendGrid signs it (ECDSA P-256 / SHA-256 over timestamp + body, base64 DER).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentEmail {
  at: number;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | null;
  customArgs: Record<string, string>;
  messageId: string | null;
  authorization: string | undefined;
  status: number;
}

export class SendgridFake {
  readonly requests: SentEmail[] = [];
  /** addresses SendGrid refuses with a 400 (as for a malformed address) */
  readonly invalid = new Set<string>();
  private failures: number[] = [];
  private server!: http.Server;
  url = '';
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  /** what a utility pastes from SendGrid's "Signed Event Webhook" settings */
  readonly publicKeyBase64 = this.keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

  /** keepBodies false: a benchmark's tens of thousands of emails are recorded without their text and html */
  constructor(private readonly o: { keepBodies?: boolean } = {}) {}

  /** the next n sends (after `after` more that go through: mid-batch) answer with this HTTP status (e.g. 503) */
  failNext(n: number, status = 503, after = 0) {
    this.failures.push(...Array(after).fill(0), ...Array(n).fill(status));
  }

  /** accepted sends (2xx) */
  get sent() {
    return this.requests.filter((r) => r.status === 202);
  }

  async start() {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v3/mail/send') {
          res.writeHead(404, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ errors: [{ message: 'not found', field: null }] }));
        }
        const body = JSON.parse(raw || '{}') as {
          personalizations?: { to?: { email: string }[]; custom_args?: Record<string, string> }[];
          from?: { email: string };
          subject?: string;
          content?: { type: string; value: string }[];
          custom_args?: Record<string, string>;
        };
        const to = body.personalizations?.[0]?.to?.[0]?.email ?? '';
        const record = (status: number, messageId: string | null) =>
          this.requests.push({
            at: Date.now(),
            to,
            from: body.from?.email ?? '',
            subject: body.subject ?? '',
            text:
              this.o.keepBodies === false
                ? ''
                : (body.content?.find((c) => c.type === 'text/plain')?.value ?? ''),
            html:
              this.o.keepBodies === false
                ? null
                : (body.content?.find((c) => c.type === 'text/html')?.value ?? null),
            customArgs: { ...body.custom_args, ...body.personalizations?.[0]?.custom_args },
            messageId,
            authorization: req.headers.authorization,
            status,
          });
        const fail = this.failures.shift();
        if (fail) {
          record(fail, null);
          res.writeHead(fail, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ errors: [{ message: 'Service Unavailable', field: null }] }));
        }
        if (!req.headers.authorization?.startsWith('Bearer SG.')) {
          record(401, null);
          res.writeHead(401, { 'content-type': 'application/json' });
          return res.end(
            JSON.stringify({
              errors: [{ message: 'The provided authorization grant is invalid', field: null }],
            }),
          );
        }
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to) || this.invalid.has(to)) {
          record(400, null);
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(
            JSON.stringify({
              errors: [
                {
                  message: 'Does not contain a valid address.',
                  field: 'personalizations.0.to.0.email',
                  help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to',
                },
              ],
            }),
          );
        }
        const messageId = randomBytes(11).toString('base64url');
        record(202, messageId);
        res.writeHead(202, { 'x-message-id': messageId });
        res.end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    await new Promise((r) => this.server.close(r));
  }

  /** An event webhook delivery for the given events, signed as SendGrid signs it. */
  signedEvents(events: Record<string, unknown>[], opts: { timestamp?: string } = {}) {
    const payload = JSON.stringify(events);
    const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + payload, 'utf8'), this.keys.privateKey).toString(
      'base64',
    );
    return {
      payload,
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
      },
    };
  }

  /** An event as SendGrid sends it about one of our sends. */
  event(sent: SentEmail, event: string, extra: Record<string, unknown> = {}) {
    return {
      email: sent.to,
      timestamp: Math.floor(Date.now() / 1000),
      event,
      sg_event_id: randomBytes(16).toString('base64url'),
      sg_message_id: `${sent.messageId}.recvd-5f7c8d9-abc-1-6566-0`,
      ...sent.customArgs,
      ...extra,
    };
  }
}
