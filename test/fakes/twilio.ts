// A local Twilio that the project owns: the Messages resource for the real `twilio` SDK (201 with an SM sid;
// Twilio's error body with code 21211 for an invalid number; scripted 5xx), reached through an httpClient
// (Twilio's own RequestClient, pointed at this server), plus request signing as Twilio signs its webhooks:
// HMAC-SHA1 over the full URL followed by each form field name and value, sorted by name, base64.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface SentSms {
  at: number;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
  sid: string | null;
  status: number;
}

export class TwilioFake {
  readonly accountSid = `AC${randomBytes(16).toString('hex')}`;
  readonly authToken = randomBytes(16).toString('hex');
  readonly requests: SentSms[] = [];
  /** numbers Twilio refuses with error 21211 */
  readonly invalid = new Set<string>();
  private failures: number[] = [];
  private server!: http.Server;
  url = '';
  client!: twilio.Twilio;

  failNext(n: number, status = 503) {
    this.failures.push(...Array(n).fill(status));
  }
  get sent() {
    return this.requests.filter((r) => r.status === 201);
  }

  async start() {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        const path = `/2010-04-01/Accounts/${this.accountSid}/Messages.json`;
        if (req.method !== 'POST' || req.url !== path)
          return send(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
        if (req.headers.authorization !== expected)
          return send(401, { code: 20003, message: 'Authenticate', status: 401 });
        const f = Object.fromEntries(new URLSearchParams(raw));
        const record = (status: number, sid: string | null) =>
          this.requests.push({
            at: Date.now(),
            to: f.To ?? '',
            from: f.From ?? '',
            body: f.Body ?? '',
            statusCallback: f.StatusCallback ?? null,
            sid,
            status,
          });
        const fail = this.failures.shift();
        if (fail) {
          record(fail, null);
          return send(fail, { code: 20500, message: 'Internal Server Error', status: fail });
        }
        if (!/^\+[1-9]\d{7,14}$/.test(f.To ?? '') || this.invalid.has(f.To ?? '')) {
          record(400, null);
          return send(400, {
            code: 21211,
            message: `Invalid 'To' Phone Number: ${f.To}`,
            more_info: 'https://www.twilio.com/docs/errors/21211',
            status: 400,
          });
        }
        const sid = `SM${randomBytes(16).toString('hex')}`;
        record(201, sid);
        send(201, {
          sid,
          account_sid: this.accountSid,
          to: f.To,
          from: f.From,
          body: f.Body,
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          date_created: new Date().toUTCString(),
          uri: `${path.replace('.json', '')}/${sid}.json`,
        });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const base = this.url;
    // the httpClient the SDK is given: Twilio's own, with api.twilio.com swapped for this server
    const real = new twilio.RequestClient();
    const httpClient = {
      request: (opts: Parameters<typeof real.request>[0]) =>
        real.request({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, base) }),
    } as unknown as twilio.RequestClient;
    this.client = twilio(this.accountSid, this.authToken, { httpClient });
    return this;
  }

  async stop() {
    await new Promise((r) => this.server.close(r));
  }

  /** X-Twilio-Signature for a webhook Twilio posts to `url` with these form fields. */
  signature(url: string, params: Record<string, string>) {
    const data = Object.keys(params)
      .sort()
      .reduce((s, k) => s + k + params[k], url);
    return createHmac('sha1', this.authToken).update(data, 'utf8').digest('base64');
  }

  /** A signed webhook delivery: the form body and its headers. */
  webhook(url: string, params: Record<string, string>) {
    return {
      payload: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': this.signature(url, params),
      },
    };
  }
}
