// A stateful local Stripe that the project owns: enough of the REST API for PaymentIntents, Customers and
// saved PaymentMethods (with Idempotency-Key replay, as Stripe does it), plus webhook events signed exactly
// as Stripe signs them. Stripe's test methods (pm_card_visa, pm_card_chargeDeclined, pm_usBankAccount) are
// known from the start, unattached; a method is attached to an intent's customer when an intent with
// setup_future_usage succeeds (the test delivers payment_intent.succeeded through `event`, or an off-session
// confirmation succeeds), through POST /v1/payment_methods/:id/attach, or when a SetupIntent for a customer
// is confirmed (POST /v1/setup_intents/:id/confirm, as Stripe.js calls it); POST .../detach takes it off.
// A customer's default method is its invoice_settings.default_payment_method (GET/POST /v1/customers/:id).
// The fake keeps one object per test method, so the last customer to save one owns it. `latencyMs` delays
// every answer, so races between requests that call Stripe are real.
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
  customer: string | null;
  payment_method: string | null;
  setup_future_usage: string | null;
  /** the charge the intent made, once it is processing or succeeded (a Charge id; expandable) */
  latest_charge: string | null;
}

/** A charge as Stripe reports it, with what the method it charged says of itself. */
export interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  payment_intent: string;
  payment_method: string | null;
  payment_method_details:
    | { type: 'card'; card: { brand: string; last4: string; exp_month: number; exp_year: number } }
    | {
        type: 'us_bank_account';
        us_bank_account: { bank_name: string; last4: string; account_type: string };
      };
}

export interface FakePaymentMethod {
  id: string;
  object: 'payment_method';
  type: 'card' | 'us_bank_account';
  customer: string | null;
  card?: { brand: string; last4: string; exp_month: number; exp_year: number };
  us_bank_account?: { bank_name: string; last4: string; account_type: string };
}

const testMethods = (): FakePaymentMethod[] => [
  {
    id: 'pm_card_visa',
    object: 'payment_method',
    type: 'card',
    customer: null,
    card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 },
  },
  {
    id: 'pm_card_chargeDeclined',
    object: 'payment_method',
    type: 'card',
    customer: null,
    card: { brand: 'visa', last4: '0002', exp_month: 12, exp_year: 2034 },
  },
  {
    id: 'pm_card_mastercard',
    object: 'payment_method',
    type: 'card',
    customer: null,
    card: { brand: 'mastercard', last4: '4444', exp_month: 3, exp_year: 2031 },
  },
  {
    id: 'pm_usBankAccount',
    object: 'payment_method',
    type: 'us_bank_account',
    customer: null,
    us_bank_account: { bank_name: 'STRIPE TEST BANK', last4: '6789', account_type: 'checking' },
  },
];

const missing = (what: string, id: string, param?: string) => ({
  error: {
    type: 'invalid_request_error',
    code: 'resource_missing',
    ...(param ? { param } : {}),
    message: `No such ${what}: '${id}'`,
  },
});

export interface FakeSetupIntent {
  id: string;
  object: 'setup_intent';
  status: string;
  client_secret: string;
  customer: string | null;
  payment_method: string | null;
  payment_method_types: string[];
  usage: string;
  metadata: Record<string, string>;
}

interface FakeCustomer {
  id: string;
  object: 'customer';
  metadata: Record<string, string>;
  invoice_settings: { default_payment_method: string | null };
}

export class StripeFake {
  readonly intents = new Map<string, FakeIntent>();
  readonly charges = new Map<string, FakeCharge>();
  readonly refunds: { id: string; amount: number; payment_intent: string }[] = [];
  readonly customers = new Map<string, FakeCustomer>();
  readonly setupIntents = new Map<string, FakeSetupIntent>();
  /** milliseconds before each answer */
  latencyMs = 0;
  readonly paymentMethods = new Map<string, FakePaymentMethod>(testMethods().map((m) => [m.id, m]));
  readonly requests: {
    method: string;
    path: string;
    idempotencyKey?: string;
    body: Record<string, string>;
  }[] = [];
  private readonly replies = new Map<string, { status: number; text: string }>();
  private server!: http.Server;
  private events = 0;
  readonly webhookSecret = `whsec_${randomBytes(12).toString('hex')}`;
  client!: Stripe;
  /** where the fake listens (http://127.0.0.1:port), for a browser test relaying Stripe.js's calls */
  url!: string;

  async start() {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const body = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.searchParams : raw));
        const key = req.headers['idempotency-key'] as string | undefined;
        this.requests.push({ method: req.method!, path: req.url!, idempotencyKey: key, body });
        const send = (status: number, json: unknown) => {
          const text = JSON.stringify(json);
          if (key && status < 500) this.replies.set(key, { status, text });
          const answer = () => {
            res.writeHead(status, {
              'content-type': 'application/json',
              'request-id': `req_${randomBytes(6).toString('hex')}`,
            });
            res.end(text);
          };
          if (this.latencyMs) setTimeout(answer, this.latencyMs);
          else answer();
        };
        const replay = key ? this.replies.get(key) : undefined;
        if (replay) {
          // Stripe replays the first answer, errors included, with its status
          res.writeHead(replay.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
          return res.end(replay.text);
        }
        const metadataOf = () =>
          Object.fromEntries(
            Object.entries(body)
              .filter(([k]) => k.startsWith('metadata['))
              .map(([k, v]) => [k.slice(9, -1), v]),
          );
        if (req.method === 'POST' && url.pathname === '/v1/customers') {
          const customer: FakeCustomer = {
            id: `cus_${randomBytes(7).toString('hex')}`,
            object: 'customer' as const,
            metadata: metadataOf(),
            invoice_settings: { default_payment_method: null },
          };
          this.customers.set(customer.id, customer);
          return send(200, customer);
        }
        const cusPath = /^\/v1\/customers\/(cus_\w+)$/.exec(url.pathname);
        if (cusPath) {
          const customer = this.customers.get(cusPath[1]!);
          if (!customer) return send(404, missing('customer', cusPath[1]!, 'id'));
          if (req.method === 'POST' && 'invoice_settings[default_payment_method]' in body) {
            const pmId = body['invoice_settings[default_payment_method]']!;
            if (pmId && this.paymentMethods.get(pmId)?.customer !== customer.id)
              return send(400, {
                error: {
                  type: 'invalid_request_error',
                  code: 'resource_missing',
                  param: 'invoice_settings[default_payment_method]',
                  message: `No such PaymentMethod: '${pmId}'; it is not attached to customer ${customer.id}`,
                },
              });
            customer.invoice_settings.default_payment_method = pmId || null;
          }
          return send(200, customer);
        }
        const pmPath = /^\/v1\/payment_methods\/(\w+)(\/attach|\/detach)?$/.exec(url.pathname);
        if (pmPath) {
          const pm = this.paymentMethods.get(pmPath[1]!);
          if (!pm) return send(404, missing('PaymentMethod', pmPath[1]!, 'payment_method'));
          if (req.method === 'GET' && !pmPath[2]) return send(200, pm);
          if (req.method === 'POST' && pmPath[2] === '/attach') {
            if (!this.customers.has(body.customer ?? ''))
              return send(400, missing('customer', body.customer ?? '', 'customer'));
            pm.customer = body.customer!;
            return send(200, pm);
          }
          if (req.method === 'POST' && pmPath[2] === '/detach') {
            if (!pm.customer)
              return send(400, {
                error: {
                  type: 'invalid_request_error',
                  code: 'payment_method_unexpected_state',
                  message:
                    'The payment method you provided is not attached to a customer so detachment is impossible.',
                },
              });
            // as Stripe does: a detached default is no longer the customer's default
            const owner = this.customers.get(pm.customer);
            if (owner?.invoice_settings.default_payment_method === pm.id)
              owner.invoice_settings.default_payment_method = null;
            pm.customer = null;
            return send(200, pm);
          }
        }
        if (req.method === 'POST' && url.pathname === '/v1/setup_intents') {
          if (body.customer && !this.customers.has(body.customer))
            return send(400, missing('customer', body.customer, 'customer'));
          const id = `seti_${randomBytes(8).toString('hex')}`;
          const si: FakeSetupIntent = {
            id,
            object: 'setup_intent',
            status: 'requires_payment_method',
            client_secret: `${id}_secret_${randomBytes(6).toString('hex')}`,
            customer: body.customer ?? null,
            payment_method: null,
            payment_method_types: Object.entries(body)
              .filter(([k]) => /^(allowed_)?payment_method_types/.test(k))
              .map(([, v]) => v),
            usage: body.usage ?? 'off_session',
            metadata: metadataOf(),
          };
          this.setupIntents.set(id, si);
          return send(200, si);
        }
        const siPath = /^\/v1\/setup_intents\/(seti_\w+)(\/confirm)?$/.exec(url.pathname);
        if (siPath) {
          const si = this.setupIntents.get(siPath[1]!);
          if (!si) return send(404, missing('setup_intent', siPath[1]!, 'intent'));
          if (req.method === 'GET' && !siPath[2]) return send(200, si);
          if (req.method === 'POST' && siPath[2]) {
            // Stripe.js confirms with the client secret; the method the customer entered is attached
            if (body.client_secret && body.client_secret !== si.client_secret)
              return send(400, missing('setup_intent', si.id, 'client_secret'));
            const pmId =
              body.payment_method ??
              (si.payment_method_types.includes('us_bank_account') ? 'pm_usBankAccount' : 'pm_card_visa');
            const pm = this.paymentMethods.get(pmId);
            if (!pm) return send(400, missing('PaymentMethod', pmId, 'payment_method'));
            if (si.customer) pm.customer = si.customer;
            Object.assign(si, { status: 'succeeded', payment_method: pm.id });
            return send(200, si);
          }
        }
        if (req.method === 'GET' && url.pathname === '/v1/payment_methods') {
          const data = [...this.paymentMethods.values()].filter(
            (m) => m.customer === body.customer && (!body.type || m.type === body.type),
          );
          return send(200, { object: 'list', url: '/v1/payment_methods', has_more: false, data });
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
          const metadata = metadataOf();
          if (body.customer && !this.customers.has(body.customer))
            return send(400, missing('customer', body.customer, 'customer'));
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
            customer: body.customer ?? null,
            payment_method: body.payment_method ?? null,
            setup_future_usage: body.setup_future_usage ?? null,
            latest_charge: null,
          };
          if (body.confirm === 'true' && body.payment_method) {
            // as Stripe does: an off-session charge needs a method saved on the intent's customer
            const pm = this.paymentMethods.get(body.payment_method);
            if (!pm) return send(400, missing('PaymentMethod', body.payment_method, 'payment_method'));
            if (body.customer && pm.customer !== body.customer)
              return send(400, {
                error: {
                  type: 'invalid_request_error',
                  code: 'payment_method_invalid_parameter',
                  param: 'payment_method',
                  message: `The provided PaymentMethod ${pm.id} does not belong to customer ${body.customer}`,
                },
              });
            // off-session confirmation of a saved method, as Stripe's test methods behave
            if (body.payment_method === 'pm_card_chargeDeclined') {
              // as Stripe does: a 402 card_error that carries the failed intent
              Object.assign(intent, {
                status: 'requires_payment_method',
                last_payment_error: { code: 'card_declined' },
              });
              this.intents.set(id, intent);
              return send(402, {
                error: {
                  type: 'card_error',
                  code: 'card_declined',
                  decline_code: 'generic_decline',
                  message: 'Your card was declined.',
                  payment_intent: intent,
                },
              });
            }
            intent.status = types.includes('us_bank_account') ? 'processing' : 'succeeded';
            if (intent.status === 'succeeded') this.saveFor(intent);
            this.charge(intent);
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
        const m = /^\/v1\/payment_intents\/(pi_\w+)$/.exec(url.pathname);
        if (req.method === 'GET' && m && this.intents.has(m[1]!)) {
          // expand[]=latest_charge: the charge object in place of its id, as Stripe expands it
          const intent = this.intents.get(m[1]!)!;
          const expand = Object.entries(body)
            .filter(([k]) => k.startsWith('expand'))
            .map(([, v]) => v);
          const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
          return send(
            200,
            expand.includes('latest_charge') && charge ? { ...intent, latest_charge: charge } : intent,
          );
        }
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
    this.url = `http://127.0.0.1:${port}`;
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

  /**
   * The charge an intent makes when it is confirmed (processing or succeeded), once: on the method it names,
   * else the test card or test bank account of its allowed type, as the Payment Element would have collected.
   */
  private charge(intent: FakeIntent) {
    if (intent.latest_charge) return;
    const pmId =
      intent.payment_method ??
      (intent.allowed_payment_method_types.includes('us_bank_account') ? 'pm_usBankAccount' : 'pm_card_visa');
    const pm = this.paymentMethods.get(pmId);
    if (!pm) return;
    const charge: FakeCharge = {
      id: `ch_${intent.id.slice(3)}`,
      object: 'charge',
      amount: intent.amount,
      payment_intent: intent.id,
      payment_method: pm.id,
      payment_method_details: pm.card
        ? { type: 'card', card: pm.card }
        : { type: 'us_bank_account', us_bank_account: pm.us_bank_account! },
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
  }

  /** An intent that succeeded with setup_future_usage leaves its method attached to its customer. */
  private saveFor(intent: FakeIntent) {
    if (!intent.setup_future_usage || !intent.customer) return;
    const pm =
      intent.payment_method ??
      (intent.allowed_payment_method_types.includes('us_bank_account') ? 'pm_usBankAccount' : 'pm_card_visa');
    const saved = this.paymentMethods.get(pm);
    if (!saved) throw new Error(`no payment method ${pm}`);
    saved.customer = intent.customer;
    intent.payment_method = pm;
  }

  /**
   * Moves an intent to a new state and returns the webhook Stripe would send. A payment_intent.succeeded
   * for an intent with setup_future_usage saves its method (`change.payment_method`, else the test card or
   * bank account) on the intent's customer.
   */
  event(intentId: string, type: string, change: Partial<FakeIntent> = {}) {
    const intent = Object.assign(this.intent(intentId), change);
    if (type === 'payment_intent.succeeded') this.saveFor(intent);
    if (type === 'payment_intent.succeeded' || type === 'payment_intent.processing') this.charge(intent);
    return this.signed(type, { ...intent });
  }
}
