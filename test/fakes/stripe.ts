// A stateful local Stripe that the project owns: enough of the REST API for PaymentIntents (with
// Idempotency-Key replay, as Stripe does it), plus webhook events signed exactly as Stripe signs them.
// The real `stripe` SDK talks to it through `host`/`port`/`protocol`.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  status: string;
  client_secret: string;
  allowed_payment_method_types: string[];
  metadata: Record<string, string>;
  last_payment_error: { code: string } | null;
}

export class StripeFake {
  readonly intents = new Map<string, FakeIntent>();
  readonly refunds: { id: string; amount: number; payment_intent: string }[] = [];
  readonly requests: {
    method: string;
    path: string;
    idempotencyKey?: string;
    body: Record<string, string>;
  }[] = [];
  private readonly replies = new Map<string, string>();
  private server!: http.Server;
  private events = 0;
  readonly webhookSecret = `whsec_${randomBytes(12).toString('hex')}`;
  client!: Stripe;

  async start() {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = Object.fromEntries(new URLSearchParams(raw));
        const key = req.headers['idempotency-key'] as string | undefined;
        this.requests.push({ method: req.method!, path: req.url!, idempotencyKey: key, body });
        const send = (status: number, json: unknown) => {
          const text = JSON.stringify(json);
          if (key && status < 500) this.replies.set(key, text);
          res.writeHead(status, {
            'content-type': 'application/json',
            'request-id': `req_${randomBytes(6).toString('hex')}`,
          });
          res.end(text);
        };
        if (key && this.replies.has(key)) {
          res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
          return res.end(this.replies.get(key));
        }
        if (req.method === 'POST' && req.url === '/v1/payment_intents') {
          const amount = Number(body.amount);
          if (!Number.isInteger(amount) || amount < 50) {
            return send(400, {
              error: {
                type: 'invalid_request_error',
                code: 'amount_too_small',
                param: 'amount',
                message: 'Amount must be at least 50 cents',
              },
            });
          }
          const id = `pi_${randomBytes(8).toString('hex')}`;
          const metadata = Object.fromEntries(
            Object.entries(body)
              .filter(([k]) => k.startsWith('metadata['))
              .map(([k, v]) => [k.slice(9, -1), v]),
          );
          const types = Object.entries(body)
            .filter(([k]) => k.startsWith('allowed_payment_method_types'))
            .map(([, v]) => v);
          const intent: FakeIntent = {
            id,
            object: 'payment_intent',
            amount,
            currency: body.currency ?? 'usd',
            status: 'requires_payment_method',
            client_secret: `${id}_secret_${randomBytes(6).toString('hex')}`,
            allowed_payment_method_types: types,
            metadata,
            last_payment_error: null,
          };
          if (body.confirm === 'true' && body.payment_method) {
            // off-session confirmation of a saved method, as Stripe's test methods behave
            if (body.payment_method === 'pm_card_chargeDeclined')
              Object.assign(intent, {
                status: 'requires_payment_method',
                last_payment_error: { code: 'card_declined' },
              });
            else intent.status = types.includes('us_bank_account') ? 'processing' : 'succeeded';
          }
          this.intents.set(id, intent);
          return send(200, intent);
        }
        if (req.method === 'POST' && req.url === '/v1/refunds') {
          const intent = this.intents.get(body.payment_intent ?? '');
          if (!intent)
            return send(404, {
              error: {
                type: 'invalid_request_error',
                code: 'resource_missing',
                param: 'payment_intent',
                message: 'No such payment_intent',
              },
            });
          const refunded = this.refunds
            .filter((r) => r.payment_intent === intent.id)
            .reduce((n, r) => n + r.amount, 0);
          const amount = body.amount ? Number(body.amount) : intent.amount - refunded;
          if (intent.status !== 'succeeded' || amount > intent.amount - refunded) {
            return send(400, {
              error: {
                type: 'invalid_request_error',
                code: 'charge_already_refunded',
                message: 'Refund exceeds the amount left',
              },
            });
          }
          const refund = {
            id: `re_${randomBytes(8).toString('hex')}`,
            object: 'refund',
            amount,
            payment_intent: intent.id,
            status: 'succeeded',
          };
          this.refunds.push(refund);
          return send(200, refund);
        }
        const m = /^\/v1\/payment_intents\/(pi_\w+)$/.exec(req.url ?? '');
        if (req.method === 'GET' && m && this.intents.has(m[1]!)) return send(200, this.intents.get(m[1]!));
        return send(404, {
          error: {
            type: 'invalid_request_error',
            code: 'resource_missing',
            message: `No such route ${req.method} ${req.url}`,
          },
        });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    this.client = new Stripe('sk_test_fake', {
      host: '127.0.0.1',
      port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    return this;
  }

  async stop() {
    await new Promise((r) => this.server.close(r));
  }

  /** An event as Stripe sends it, signed with the webhook secret. */
  private signed(type: string, object: unknown) {
    const payload = JSON.stringify({
      id: `evt_${++this.events}_${randomBytes(4).toString('hex')}`,
      object: 'event',
      type,
      api_version: '2025-01-01',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object },
    });
    return {
      payload,
      signature: this.client.webhooks.generateTestHeaderString({ payload, secret: this.webhookSecret }),
    };
  }

  private intent(id: string) {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`no intent ${id}`);
    return intent;
  }

  /** A chargeback on an intent's charge: the dispute names the PaymentIntent. */
  disputeEvent(
    intentId: string,
    type: 'charge.dispute.created' | 'charge.dispute.closed',
    status: 'needs_response' | 'won' | 'lost',
    reason = 'fraudulent',
  ) {
    const intent = this.intent(intentId);
    return this.signed(type, {
      id: `dp_${intentId.slice(3)}`,
      object: 'dispute',
      amount: intent.amount,
      payment_intent: intentId,
      status,
      reason,
    });
  }

  /** Moves an intent to a new state and returns the webhook Stripe would send. */
  event(intentId: string, type: string, change: Partial<FakeIntent> = {}) {
    const intent = Object.assign(this.intent(intentId), change);
    return this.signed(type, { ...intent });
  }
}
