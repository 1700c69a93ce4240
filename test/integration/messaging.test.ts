// Messaging end to end: queueNotification → dispatcher → notification workflow → the real @sendgrid/mail and
// twilio SDKs against the project's fakes; retries, quiet hours, webhooks (signed as the providers sign),
// subscriptions, contact verification, outage broadcasts, high usage on a Temporal Schedule, and the records.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBillingActivities } from '../../activities/billing.js';
import { createDeliveryActivities } from '../../activities/delivery.js';
import { buildApp } from '../../api/app.js';
import {
  addRead,
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServiceAgreement,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import {
  type AlertType,
  type NotificationData,
  queueNotification,
  queueNotifications,
} from '../../db/notifications.js';
import { setSubscriptions } from '../../db/subscriptions.js';
import { messagingPolicy } from '../../domain/messages/policy.js';
import { SMS_CONSENT_VERSION } from '../../domain/messages/sms-consent.js';
import { sendgridProvider, twilioProvider } from '../../lib/providers/messaging.js';
import { startNotificationDispatcher } from '../../workers/notification-dispatcher.js';
import { ensureHighUsageSchedule } from '../../workers/schedules.js';
import { notificationBatchWorkflowId } from '../../workflows/contracts/messaging.js';
import { SendgridFake } from '../fakes/sendgrid.js';
import { TwilioFake } from '../fakes/twilio.js';
import { bearer, customerLogin, staffToken, type TestApp } from '../support/api.js';
import { testClock } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let sql: Sql;
let app: TestApp;
let t: TemporalHarness;
let sendgrid: SendgridFake;
let twilio: TwilioFake;
// no quiet hours unless a test sets them; retries from 1 s (Temporal fires shorter retry timers at about 1 s anyway)
const policy = messagingPolicy({
  quietHours: { start: '00:00', end: '00:00', timeZone: 'UTC' },
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 6,
  },
  sweepIntervalMs: 2_000,
});

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  sendgrid = await new SendgridFake().start();
  twilio = await new TwilioFake().start();
  t = await startWorkers(sql, {
    publicUrl: PUBLIC_URL,
    messaging: {
      policy,
      providers: {
        email: sendgridProvider({
          apiKey: 'SG.test-key',
          from: 'alerts@utility.test',
          baseUrl: sendgrid.url,
        }),
        sms: twilioProvider({
          client: twilio.client,
          from: '+15415550000',
          statusCallbackUrl: `${PUBLIC_URL}/webhooks/twilio/status`,
        }),
      },
    },
  });
  app = await buildApp({
    sql,
    temporal: { client: t.env.client, namespace: t.namespace, taskQueuePrefix: t.taskQueuePrefix },
    publicUrl: PUBLIC_URL,
    providerModes: { payments: 'outbox', sms: 'twilio', email: 'sendgrid' },
    stripe: null,
    stripeWebhookSecret: null,
    messaging: { twilioAuthToken: twilio.authToken, sendgridWebhookPublicKey: sendgrid.publicKeyBase64 },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await sendgrid?.stop();
  await twilio?.stop();
});

let seq = 0;
async function customer(
  o: { language?: 'en' | 'es'; email?: boolean; sms?: boolean; postalCode?: string } = {},
) {
  const n = ++seq;
  const c = await createCustomer(sql, { name: `Customer ${n}`, language: o.language ?? 'en' });
  const a = await createAccount(sql, { customerId: c.id });
  const email = `person${n}@example.test`;
  const phone = `+1541555${String(1000 + n).padStart(4, '0')}`;
  if (o.email !== false)
    await sql`insert into customer_contact (id, customer_id, kind, value, verified_at) values (${`cc_t${n}e`}, ${c.id}, 'email', ${email}, now())`;
  if (o.sms !== false)
    await sql`insert into customer_contact (id, customer_id, kind, value, verified_at) values (${`cc_t${n}s`}, ${c.id}, 'sms', ${phone}, now())`;
  if (o.postalCode) {
    const prem = await createPremise(sql, {
      addressLine1: `${n} Main St`,
      city: 'Eugene',
      state: 'OR',
      postalCode: o.postalCode,
    });
    const sp = await createServicePoint(sql, prem.id, 'water');
    await sql`insert into rate_schedule (id, code, name, service_type) values ('rs_MSGTEST000001', 'MSGTEST', 'Water', 'water') on conflict do nothing`;
    await createServiceAgreement(sql, {
      accountId: a.id,
      servicePointId: sp.id,
      rateScheduleId: 'rs_MSGTEST000001',
      startDate: '2020-01-01',
    });
  }
  return {
    customerId: c.id as string,
    accountId: a.id as string,
    email,
    phone,
    emailContact: `cc_t${n}e`,
    smsContact: `cc_t${n}s`,
  };
}

async function waitFor<T>(f: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const queue = (accountId: string, alert: AlertType, data: NotificationData, urgent = false) =>
  sql.begin((tx) =>
    queueNotification(tx, { accountId, alert, key: `${alert}/${Math.random()}`, data, urgent }),
  ) as Promise<string>;

const messagesOf = (notificationId: string) =>
  sql<
    {
      id: string;
      channel: string;
      status: string;
      toAddress: string;
      body: string;
      subject: string | null;
      providerId: string | null;
      attempts: number;
      errorCode: string | null;
      segments: number | null;
      encoding: string | null;
      contactId: string | null;
    }[]
  >`
    select id, channel, status, to_address, body, subject, provider_id, attempts, error_code, segments, encoding, contact_id
    from outbound_message where notification_id = ${notificationId} order by channel`;

const done = (notificationId: string) =>
  waitFor(async () => {
    const [n] = await sql<{ status: string }[]>`select status from notification where id = ${notificationId}`;
    return n && n.status !== 'pending' ? n.status : undefined;
  });

describe('sending', () => {
  it('a queued notice goes out within a couple of seconds, by email only by default, with the real figures in the customer language', async () => {
    const c = await customer({ language: 'es' });
    const before = sendgrid.sent.length;
    const id = await queue(c.accountId, 'payment_received', { paymentId: 'pay_1', amountCents: 123_456 });
    expect(await done(id)).toBe('processed');
    const [m, ...rest] = await messagesOf(id);
    expect(rest).toEqual([]); // no SMS: payment receipts are email-only by default
    expect(m).toMatchObject({
      channel: 'email',
      status: 'sent',
      toAddress: c.email,
      subject: 'Pago recibido',
      attempts: 1,
    });
    const sent = sendgrid.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: c.email,
      from: 'alerts@utility.test',
      subject: 'Pago recibido',
      authorization: 'Bearer SG.test-key',
    });
    expect(sent[0]!.text).toContain('Recibimos su pago de $1,234.56');
    expect(sent[0]!.html).toContain('lang="es"');
    expect(sent[0]!.customArgs.cisflow_message_id).toBe(m!.id);
    expect(m!.providerId).toBe(sent[0]!.messageId);
  });

  it('latency: 20 notices queued at once are all sent, p50 and max from commit to provider accepted', async () => {
    const c = await customer();
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => queue(c.accountId, 'payment_received', { amountCents: 500 })),
    );
    for (const id of ids) await done(id);
    const rows = await sql<{ ms: number }[]>`
      select (extract(epoch from m.sent_at - n.created_at) * 1000)::int as ms
      from notification n join outbound_message m on m.notification_id = n.id where n.id = any(${ids}) order by 1`;
    expect(rows).toHaveLength(20);
    const p50 = rows[9]!.ms;
    const max = rows[19]!.ms;
    console.log(`messaging latency, queued → sent (20 at once): p50 ${p50} ms, max ${max} ms`);
    expect(max).toBeLessThan(5_000);
  });

  it('a retried activity sends once: a fault after the provider accepted retries the activity, and the message is not sent again', async () => {
    const c = await customer({ sms: false });
    // a one-shot fault (a sequence is not rolled back with the failing statement)
    await sql`create sequence test_fault`;
    await sql.unsafe(`create function fail_sent_once() returns trigger language plpgsql as $$
      begin
        if new.kind = 'sent' and nextval('test_fault') = 1 then
          raise exception 'injected fault after the provider call';
        end if;
        return new;
      end $$`);
    await sql`create trigger fail_sent_once before insert on message_event for each row execute function fail_sent_once()`;
    try {
      const before = sendgrid.requests.length;
      const id = await queue(c.accountId, 'payment_received', { amountCents: 700 });
      await done(id);
      const [m] = await messagesOf(id);
      expect(m).toMatchObject({ status: 'sent', attempts: 1 });
      expect(sendgrid.requests.slice(before)).toHaveLength(1);
      expect((await sql`select last_value from test_fault`)[0]!.lastValue).toBeGreaterThanOrEqual(1); // it fired
      // and Temporal really ran the activity a second time
      const [{ dispatchBatch }] =
        (await sql`select dispatch_batch from notification where id = ${id}`) as unknown as [
          { dispatchBatch: string },
        ];
      const history = await t.env.client.workflow
        .getHandle(notificationBatchWorkflowId(dispatchBatch))
        .fetchHistory();
      const attempts = history
        .events!.filter((e) => e.activityTaskStartedEventAttributes)
        .map((e) => e.activityTaskStartedEventAttributes!.attempt);
      expect(attempts).toContain(2);
    } finally {
      await sql`drop trigger fail_sent_once on message_event`;
      await sql`drop function fail_sent_once()`;
      await sql`drop sequence test_fault`;
    }
  });

  it('a provider 5xx is retried with backoff until it succeeds', async () => {
    const c = await customer({ sms: false });
    const before = sendgrid.requests.length;
    sendgrid.failNext(3, 503);

    const id = await queue(c.accountId, 'payment_received', { amountCents: 900 });
    await done(id);
    const reqs = sendgrid.requests.slice(before);
    expect(reqs.map((r) => r.status)).toEqual([503, 503, 503, 202]);
    const gaps = reqs.slice(1).map((r, i) => r.at - reqs[i]!.at);
    console.log(`5xx retry gaps (ms): ${gaps.join(', ')}`);
    // 1 s, 2 s, 4 s: exponential backoff (coefficient 2)
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.6);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]! * 1.6);
    const [m] = await messagesOf(id);
    expect(m).toMatchObject({ status: 'sent', attempts: 4 });
    const events = await sql<
      { kind: string }[]
    >`select kind from message_event where message_id = ${m!.id} order by id`;
    expect(events.map((e) => e.kind)).toEqual([
      'queued',
      'attempt',
      'provider_error',
      'attempt',
      'provider_error',
      'attempt',
      'provider_error',
      'attempt',
      'sent',
    ]);
  });

  it('Twilio 21211 (invalid number) marks the contact invalid, fails once with no retry, and the email still goes', async () => {
    const c = await customer();
    twilio.invalid.add(c.phone);
    const before = twilio.requests.length;
    const id = await queue(
      c.accountId,
      'outage',
      { message: 'Water main break on Oak St; water off until 3 pm.' },
      true,
    );
    await done(id);
    await new Promise((r) => setTimeout(r, 1_500)); // room for a retry storm, were there one
    expect(twilio.requests.slice(before).map((r) => r.status)).toEqual([400]);
    const [email, sms] = await messagesOf(id);
    expect(email).toMatchObject({ channel: 'email', status: 'sent' });
    expect(sms).toMatchObject({ channel: 'sms', status: 'failed', errorCode: 'twilio_21211', attempts: 1 });
    const [contact] = await sql`select status, flag from customer_contact where id = ${c.smsContact}`;
    expect(contact).toMatchObject({ status: 'invalid', flag: expect.stringContaining('21211') });
    // the invalid number is not used again
    const again = await queue(c.accountId, 'outage', { message: 'Water is back on.' }, true);
    await done(again);
    expect((await messagesOf(again)).map((m) => m.channel)).toEqual(['email']);
  });

  it('SMS quiet hours: a non-urgent text waits until they end; an urgent one goes at once', async () => {
    const c = await customer({ postalCode: '97411' });
    await setSubscriptions(sql, c.customerId, { payment_due: 'sms' });
    const hhmmss = (d: Date) => d.toISOString().slice(11, 19);
    const now = Date.now();
    policy.quietHours = {
      start: hhmmss(new Date(now - 60_000)),
      end: hhmmss(new Date(now + 5_000)),
      timeZone: 'UTC',
    };
    try {
      const before = twilio.sent.length;
      const due = await queue(c.accountId, 'payment_due', {
        billId: 'bill_x',
        amountCents: 4_250,
        dueDate: '2026-12-15',
      });
      const outage = await queue(c.accountId, 'outage', { message: 'Power is out on Pine St.' }, true);
      await done(outage);
      const urgentAt = Date.now();
      const sentNow = twilio.sent.slice(before);
      expect(sentNow.map((s) => s.body)).toEqual(['Service alert: Power is out on Pine St.']);
      const [queued] = await messagesOf(due);
      expect(queued).toMatchObject({ channel: 'sms', status: 'queued' });
      await done(due);
      const last = twilio.sent.at(-1)!;
      expect(last.body).toBe(`Reminder: $42.50 is due December 15, 2026. Pay at ${PUBLIC_URL}/portal`);
      expect(last.at).toBeGreaterThanOrEqual(now + 4_000); // not before the window ended
      expect(last.at - urgentAt).toBeGreaterThan(2_000);
    } finally {
      policy.quietHours = { start: '00:00', end: '00:00', timeZone: 'UTC' };
    }
  });

  it('nothing is lost while no dispatcher runs: a sweep at start picks up what was queued', async () => {
    const c = await customer({ sms: false });
    await t.dispatcher.stop();
    const id = await queue(c.accountId, 'payment_received', { amountCents: 1_100 });
    await new Promise((r) => setTimeout(r, 700));
    expect(await messagesOf(id)).toEqual([]);
    const restarted = await startNotificationDispatcher({
      sql,
      client: t.env.client,
      taskQueue: `${t.taskQueuePrefix}messaging`,
      policy,
    });
    try {
      expect(await done(id)).toBe('processed');
      expect((await messagesOf(id))[0]).toMatchObject({ status: 'sent' });
    } finally {
      t.dispatcher = restarted; // stopped by the harness at the end
    }
  });
});

describe('webhooks', () => {
  it('Twilio status callbacks move the delivery state forward only, and need a valid signature', async () => {
    const c = await customer();
    const id = await queue(c.accountId, 'outage', { message: 'Boil water notice for zone 4.' }, true);
    await done(id);
    const sms = (await messagesOf(id)).find((m) => m.channel === 'sms')!;
    const sent = twilio.sent.find((s) => s.sid === sms.providerId)!;
    const cb = new URL(sent.statusCallback!);
    expect(cb.searchParams.get('message')).toBe(sms.id);
    const post = (status: string, sign = true) => {
      const params = {
        MessageSid: sent.sid!,
        MessageStatus: status,
        AccountSid: twilio.accountSid,
        To: c.phone,
      };
      const w = twilio.webhook(cb.toString(), params);
      return app.inject({
        method: 'POST',
        url: cb.pathname + cb.search,
        headers: sign
          ? w.headers
          : {
              ...w.headers,
              'x-twilio-signature': twilio.signature(cb.toString(), { ...params, MessageStatus: 'failed' }),
            },
        payload: w.payload,
      });
    };
    expect((await post('delivered', false)).statusCode).toBe(403);
    expect((await post('delivered')).json()).toMatchObject({ result: 'applied' });
    expect((await post('delivered')).json()).toMatchObject({ result: 'duplicate' });
    await post('sent'); // late and out of order: does not undo "delivered"
    const [m] = await sql`select status from outbound_message where id = ${sms.id}`;
    expect(m!.status).toBe('delivered');
  });

  it('Twilio inbound STOP, START and HELP update consent', async () => {
    const c = await customer();
    const inbound = (body: string, sign = true) => {
      const params = {
        From: c.phone,
        To: '+15415550000',
        Body: body,
        MessageSid: `SM${Math.random().toString(16).slice(2)}`,
        AccountSid: twilio.accountSid,
      };
      const w = twilio.webhook(`${PUBLIC_URL}/webhooks/twilio/inbound`, params);
      return app.inject({
        method: 'POST',
        url: '/webhooks/twilio/inbound',
        headers: sign ? w.headers : { ...w.headers, 'x-twilio-signature': 'bm9wZQ==' },
        payload: w.payload,
      });
    };
    expect((await inbound('STOP', false)).statusCode).toBe(403);
    const stop = await inbound('stop');
    expect(stop.statusCode).toBe(200);
    expect(stop.headers['content-type']).toContain('text/xml');
    expect((await sql`select 1 from sms_opt_out where phone = ${c.phone}`).length).toBe(1);
    const urgent = await queue(c.accountId, 'outage', { message: 'Gas leak: avoid Elm St.' }, true);
    await done(urgent);
    expect((await messagesOf(urgent)).map((m) => m.channel)).toEqual(['email']); // no SMS after STOP
    expect((await inbound('HELP')).body).toContain('Reply STOP to opt out');
    expect((await inbound('AYUDA')).body).toContain('Responda PARAR');
    await inbound('START');
    expect((await sql`select 1 from sms_opt_out where phone = ${c.phone}`).length).toBe(0);
    const after = await queue(c.accountId, 'outage', { message: 'Elm St is clear.' }, true);
    await done(after);
    expect((await messagesOf(after)).map((m) => m.channel)).toEqual(['email', 'sms']);
  });

  it('SendGrid signed events: delivered updates the message; a bounce or spam report suppresses the address and flags it for staff', async () => {
    const c = await customer({ sms: false });
    const c2 = await customer({ sms: false });
    const a = await queue(c.accountId, 'payment_received', { amountCents: 100 });
    const b = await queue(c2.accountId, 'payment_received', { amountCents: 200 });
    await done(a);
    await done(b);
    const sa = sendgrid.sent.find((s) => s.to === c.email)!;
    const sb = sendgrid.sent.find((s) => s.to === c2.email)!;
    const post = (events: Record<string, unknown>[], tamper = false) => {
      const w = sendgrid.signedEvents(events);
      return app.inject({
        method: 'POST',
        url: '/webhooks/sendgrid/events',
        headers: w.headers,
        payload: tamper ? w.payload.replace('delivered', 'bounce') : w.payload,
      });
    };
    const delivered = sendgrid.event(sa, 'delivered');
    expect((await post([delivered], true)).statusCode).toBe(403);
    // a correctly signed delivery captured an hour ago cannot be replayed
    const replay = sendgrid.signedEvents([delivered], {
      timestamp: String(Math.floor(Date.now() / 1000) - 3600),
    });
    const stale = await app.inject({
      method: 'POST',
      url: '/webhooks/sendgrid/events',
      headers: replay.headers,
      payload: replay.payload,
    });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error).toMatchObject({
      code: 'signature_expired',
      param: 'X-Twilio-Email-Event-Webhook-Timestamp',
    });
    const r = await post([
      delivered,
      sendgrid.event(sa, 'open'),
      sendgrid.event(sb, 'bounce', { reason: '550 5.1.1 mailbox does not exist', type: 'bounce' }),
    ]);
    expect(r.json()).toMatchObject({ received: true, results: { applied: 2, ignored: 1 } });
    expect((await post([delivered])).json()).toMatchObject({ results: { duplicate: 1 } });
    const [ma] = await messagesOf(a);
    const [mb] = await messagesOf(b);
    expect(ma!.status).toBe('delivered');
    expect(mb!.status).toBe('bounced');
    expect(
      (await sql`select status, flag from customer_contact where id = ${c2.emailContact}`)[0],
    ).toMatchObject({ status: 'suppressed', flag: expect.stringContaining('mailbox does not exist') });
    // spam report: same
    await post([sendgrid.event(sa, 'spamreport')]);
    expect((await sql`select status from customer_contact where id = ${c.emailContact}`)[0]!.status).toBe(
      'suppressed',
    );
    const staff = await staffToken(app, sql, 'csr');
    const flagged = (
      await app.inject({ method: 'GET', url: '/contacts/flagged', headers: bearer(staff) })
    ).json();
    expect(flagged.data.map((x: { id: string }) => x.id)).toEqual(
      expect.arrayContaining([c.emailContact, c2.emailContact]),
    );
    // a suppressed address gets nothing more
    const next = await queue(c2.accountId, 'payment_received', { amountCents: 300 });
    expect(await done(next)).toBe('skipped');
  });
});

describe('customers and staff', () => {
  it('subscriptions: defaults, self-service change with a confirmation, then both channels', async () => {
    const c = await customer();
    const login = await customerLogin(app, sql, [c.accountId]);
    const get = await app.inject({
      method: 'GET',
      url: `/accounts/${c.accountId}/subscriptions`,
      headers: bearer(login.token),
    });
    const byAlert = Object.fromEntries(
      get.json().alerts.map((s: { alert: string; channels: string }) => [s.alert, s.channels]),
    );
    expect(byAlert).toMatchObject({
      bill_ready: 'email',
      payment_due: 'email',
      outage: 'both',
      collection_notice: 'both',
    });
    const before = sendgrid.sent.length;
    const put = await app.inject({
      method: 'PUT',
      url: `/accounts/${c.accountId}/subscriptions`,
      headers: bearer(login.token),
      payload: { alerts: { payment_received: 'both', high_usage: 'none' } },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().alerts).toContainEqual({
      alert: 'payment_received',
      channels: 'both',
      source: 'customer',
    });
    await waitFor(async () =>
      sendgrid.sent
        .slice(before)
        .find((s) => s.to === c.email && s.subject === 'Your notification choices were updated'),
    );
    const id = await queue(c.accountId, 'payment_received', { amountCents: 2_000 });
    await done(id);
    const [email, sms] = await messagesOf(id);
    expect(email!.status).toBe('sent');
    expect(sms).toMatchObject({
      status: 'sent',
      body: 'We received your payment of $20.00. Thank you.',
      encoding: 'GSM-7',
      segments: 1,
    });
    const hu = await queue(c.accountId, 'high_usage', {
      usage: '40',
      unit: 'gal',
      normal: '10',
      service: 'water',
    });
    expect(await done(hu)).toBe('skipped'); // chose none
    // but a paperless bill always reaches the customer
    await setSubscriptions(sql, c.customerId, { bill_ready: 'none' });
    const br = await queue(c.accountId, 'bill_ready', {
      billId: 'bill_y',
      period: '2026-10',
      amountCents: 100,
      dueDate: '2026-11-20',
    });
    await done(br);
    expect((await messagesOf(br)).map((m) => m.channel)).toEqual(['email']);
    const bad = await app.inject({
      method: 'PUT',
      url: `/accounts/${c.accountId}/subscriptions`,
      headers: bearer(login.token),
      payload: { alerts: { payment_received: 'fax' } },
    });
    expect(bad.statusCode).toBe(400);
    const stranger = await customerLogin(app, sql, []);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/accounts/${c.accountId}/subscriptions`,
          headers: bearer(stranger.token),
        })
      ).statusCode,
    ).toBe(404);
  });

  it('contacts are verified before use: an SMS code and an email link', async () => {
    const c = await customer({ email: false, sms: false });
    const login = await customerLogin(app, sql, [c.accountId]);
    const add = (kind: string, value: string) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${c.accountId}/contacts`,
        headers: bearer(login.token),
        payload: {
          kind,
          value,
          ...(kind === 'sms' ? { consent: { textVersion: SMS_CONSENT_VERSION, language: 'en' } } : {}),
        },
      });
    expect((await add('sms', 'not a number')).json().error).toMatchObject({
      code: 'invalid_phone',
      param: 'value',
    });
    const sms = await add('sms', '(541) 555-7788');
    expect(sms.json()).toMatchObject({ kind: 'sms', value: '+15415557788', verified: false });
    const text = await waitFor(async () => twilio.sent.find((s) => s.to === '+15415557788'));
    const code = /(\d{6})/.exec(text.body)![1]!;
    // the code is not shown back in the message history
    const history = (
      await app.inject({
        method: 'GET',
        url: `/accounts/${c.accountId}/messages`,
        headers: bearer(login.token),
      })
    ).json();
    expect(JSON.stringify(history)).not.toContain(code);
    const verify = (value: string) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${c.accountId}/contacts/${sms.json().id}/verify`,
        headers: bearer(login.token),
        payload: { code: value },
      });
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await verify(wrong)).json().error.code).toBe('wrong_code');
    expect((await verify(code)).json()).toMatchObject({ verified: true });
    // and no readable copy of the code is kept once it is used
    const stored = await sql`select body from outbound_message where contact_id = ${sms.json().id}
      union all select data::text from notification where data->>'contactId' = ${sms.json().id}`;
    expect(stored.length).toBeGreaterThan(0);
    for (const r of stored) expect(JSON.stringify(r)).not.toContain(code);
    // new codes on request, but only a few an hour
    const resend = () =>
      app.inject({
        method: 'POST',
        url: `/accounts/${c.accountId}/contacts/${sms.json().id}/verification`,
        headers: bearer(login.token),
      });
    for (let i = 0; i < 4; i++) expect((await resend()).statusCode).toBe(202);
    expect((await resend()).json().error).toMatchObject({ code: 'too_many_verification_messages' });
    expect((await add('email', 'New.Person@example.test')).statusCode).toBe(201);
    const mail = await waitFor(async () => sendgrid.sent.find((s) => s.to === 'New.Person@example.test'));
    const token = /token=([\w.-]+)/.exec(mail.text)![1]!;
    expect(
      (await app.inject({ method: 'POST', url: '/contacts/verify', payload: { token: `${token}x` } }))
        .statusCode,
    ).toBe(400);
    expect(
      (await app.inject({ method: 'POST', url: '/contacts/verify', payload: { token } })).json(),
    ).toMatchObject({ verified: true });
    const list = (
      await app.inject({
        method: 'GET',
        url: `/accounts/${c.accountId}/contacts`,
        headers: bearer(login.token),
      })
    ).json();
    expect(list.data.map((x: { verified: boolean }) => x.verified)).toEqual([true, true]);
    // the emailed link opens a page the server has: the portal, which posts its token
    const linkPath = new URL(/(http\S+verify-contact\?token=[\w.-]+)/.exec(mail.text)![1]!).pathname;
    const page = await app.inject({ method: 'GET', url: linkPath });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/assets/portal.js');
  });

  it('a mobile number needs SMS consent, stored with its wording version and time; removing a contact', async () => {
    const c = await customer({ sms: false }); // one verified email, email alerts by default
    const login = await customerLogin(app, sql, [c.accountId]);
    const contacts = `/accounts/${c.accountId}/contacts`;
    const add = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: contacts, headers: bearer(login.token), payload });
    const remove = (id: string, token = login.token) =>
      app.inject({ method: 'DELETE', url: `${contacts}/${id}`, headers: bearer(token) });
    const list = async () =>
      (await app.inject({ method: 'GET', url: contacts, headers: bearer(login.token) })).json().data;

    // no consent, or consent to wording that is not the one in use: refused, naming the field, nothing added
    const none = await add({ kind: 'sms', value: '+15415550142' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ code: 'consent_required', param: 'consent' });
    const old = await add({
      kind: 'sms',
      value: '+15415550142',
      consent: { textVersion: '2020-01-01', language: 'en' },
    });
    expect(old.json().error).toMatchObject({ code: 'consent_outdated', param: 'consent.textVersion' });
    expect(await list()).toHaveLength(1);

    const sms = await add({
      kind: 'sms',
      value: '+15415550142',
      consent: { textVersion: SMS_CONSENT_VERSION, language: 'es' },
    });
    expect(sms.statusCode, sms.body).toBe(201);
    expect(sms.json().smsConsent).toMatchObject({ textVersion: SMS_CONSENT_VERSION });
    const [consent] = await sql`select phone, text_version, language, consented_at from sms_consent
      where customer_id = ${c.customerId}`;
    expect(consent).toMatchObject({
      phone: '+15415550142',
      textVersion: SMS_CONSENT_VERSION,
      language: 'es',
    });
    expect(Math.abs(new Date(consent!.consentedAt).getTime() - Date.now())).toBeLessThan(60_000);
    // an email address needs none
    const email2 = await add({ kind: 'email', value: `second.${c.customerId}@example.test` });
    expect(email2.statusCode).toBe(201);
    expect(email2.json().smsConsent).toBeNull();

    // the only confirmed email, which the alerts go to: refused while it is the last one
    const emailId = (await list()).find(
      (x: { kind: string; verified: boolean }) => x.kind === 'email' && x.verified,
    ).id;
    const last = await remove(emailId);
    expect(last.statusCode).toBe(409);
    expect(last.json().error).toMatchObject({ code: 'contact_needed', param: 'contactId' });
    // an unconfirmed contact can go at once; its pending code goes with it
    const unconfirmed = await remove(sms.json().id);
    expect(unconfirmed.statusCode, unconfirmed.body).toBe(204);
    expect(await sql`select 1 from contact_verification where contact_id = ${sms.json().id}`).toHaveLength(0);
    // the consent record stays, as the record of what was agreed
    expect(await sql`select 1 from sms_consent where phone = '+15415550142'`).toHaveLength(1);
    // with a second email confirmed, the first can go; its messages stay in the history
    await sql`update customer_contact set verified_at = now() where id = ${email2.json().id}`;
    const sentBefore = await sql`select id from outbound_message where contact_id = ${emailId}`;
    expect((await remove(emailId)).statusCode).toBe(204);
    if (sentBefore.length)
      expect(
        await sql`select 1 from outbound_message where id = any(${sentBefore.map((r) => r.id)})`,
      ).toHaveLength(sentBefore.length);
    expect((await list()).map((x: { id: string }) => x.id)).toEqual([email2.json().id]);
    // with email alerts turned off, the last email is not needed by any alert
    const off = await app.inject({
      method: 'PUT',
      url: `/accounts/${c.accountId}/subscriptions`,
      headers: bearer(login.token),
      payload: {
        alerts: Object.fromEntries(
          (
            await app.inject({
              method: 'GET',
              url: `/accounts/${c.accountId}/subscriptions`,
              headers: bearer(login.token),
            })
          )
            .json()
            .alerts.map((a: { alert: string }) => [a.alert, 'none']),
        ),
      },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect((await remove(email2.json().id)).statusCode).toBe(204);
    expect(await list()).toEqual([]);

    // nobody removes another customer's contact
    const other = await customer({ sms: false });
    const [otherEmail] = await sql<
      { id: string }[]
    >`select id from customer_contact where customer_id = ${other.customerId}`;
    expect((await remove(otherEmail!.id)).statusCode).toBe(404);
  });

  it('two confirmed emails removed at the same moment: one goes, the last one alerts need stays', async () => {
    const c = await customer({ sms: false });
    await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
      values (${`cc_t2${c.customerId}`}, ${c.customerId}, 'email', ${`other.${c.customerId}@example.test`}, now())`;
    const login = await customerLogin(app, sql, [c.accountId]);
    const ids = (
      await sql<{ id: string }[]>`select id from customer_contact where customer_id = ${c.customerId}`
    ).map((r) => r.id);
    expect(ids).toHaveLength(2);
    const remove = (id: string) =>
      app.inject({
        method: 'DELETE',
        url: `/accounts/${c.accountId}/contacts/${id}`,
        headers: bearer(login.token),
      });
    // both requests are held at their first write (a lock on the verification codes' table) so that their
    // checks overlap; only the customer's row lock around check and removal keeps one of them from going
    let pending!: ReturnType<typeof Promise.all<ReturnType<typeof remove>[]>>;
    await sql.begin(async (tx) => {
      await tx`lock table contact_verification in exclusive mode`;
      pending = Promise.all(ids.map(remove));
      await new Promise((r) => setTimeout(r, 400));
    });
    const answers = await pending;
    expect(answers.map((r) => r.statusCode).sort()).toEqual([204, 409]);
    expect(answers.find((r) => r.statusCode === 409)!.json().error).toMatchObject({
      code: 'contact_needed',
      param: 'contactId',
    });
    const left = await sql`select verified_at from customer_contact where customer_id = ${c.customerId}`;
    expect(left).toHaveLength(1);
    expect(left[0]!.verifiedAt).not.toBeNull();
  });

  it('paperless: enrol (confirmed by email), and a paperless bill is emailed with its e-bill link while the others print', async () => {
    const c = await customer({ sms: false });
    const paper = await customer({ email: false, sms: false });
    const login = await customerLogin(app, sql, [c.accountId]);
    const r = await app.inject({
      method: 'PUT',
      url: `/accounts/${c.accountId}/paperless`,
      headers: bearer(login.token),
      payload: { enabled: true },
    });
    expect(r.json()).toMatchObject({ enabled: true });
    await waitFor(async () =>
      sendgrid.sent.find((s) => s.to === c.email && s.subject === 'You are enrolled in paperless billing'),
    );
    const staff = await staffToken(app, sql, 'csr');
    const refused = await app.inject({
      method: 'PUT',
      url: `/accounts/${paper.accountId}/paperless`,
      headers: bearer(staff),
      payload: { enabled: true },
    });
    expect(refused.json().error).toMatchObject({ code: 'email_not_verified', param: 'enabled' });
    const bill = async (accountId: string) => {
      const id = `bill_MSG${accountId.slice(-12)}`;
      await sql`insert into bill (id, account_id, period, period_start, period_end, bill_date, due_date, total_cents)
        values (${id}, ${accountId}, '2026-10', '2026-10-01', '2026-10-31', '2026-11-01', '2026-11-21', 8_765)`;
      return id;
    };
    const b1 = await bill(c.accountId);
    const b2 = await bill(paper.accountId);
    const delivery = createDeliveryActivities(sql, { publicUrl: PUBLIC_URL, emailProvider: 'sendgrid' });
    expect(await delivery.deliverBills({ billIds: [b1, b2], batch: '01/2026-10' })).toEqual({
      emailed: 1,
      printed: 1,
    });
    expect(await delivery.deliverBills({ billIds: [b1, b2], batch: '01/2026-10' })).toEqual({
      emailed: 0,
      printed: 0,
    });
    const mail = await waitFor(async () =>
      sendgrid.sent.find((s) => s.to === c.email && s.subject === 'Your October 2026 bill is ready'),
    );
    expect(mail.text).toContain('Amount due: $87.65.');
    expect(mail.text).toContain('Due date: November 21, 2026.');
    expect(mail.text).toContain(`${PUBLIC_URL}/bills/${b1}/document`);
  });

  it('outage broadcast: supervisors only, audited, one urgent notice per account in the area', async () => {
    const inArea = [await customer({ postalCode: '97888' }), await customer({ postalCode: '97888' })];
    await customer({ postalCode: '97001' });
    const csr = await staffToken(app, sql, 'csr');
    const sup = await staffToken(app, sql, 'supervisor');
    const body = {
      message: 'Water main repair on 5th Ave: water off 9 am to 1 pm today.',
      postalCodes: ['97888'],
    };
    expect(
      (await app.inject({ method: 'POST', url: '/outages', headers: bearer(csr), payload: body })).statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/outages',
          headers: bearer(sup),
          payload: { message: 'Nowhere in particular' },
        })
      ).json().error.code,
    ).toBe('area_required');
    const r = await app.inject({ method: 'POST', url: '/outages', headers: bearer(sup), payload: body });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ object: 'outage_broadcast', accounts: 2, queued: 2 });
    const [audit] =
      await sql`select resource_type, resource_id from audit_log where action = 'POST /outages' and resource_id is not null`;
    expect(audit).toMatchObject({ resourceType: 'outage_broadcast', resourceId: r.json().id });
    for (const c of inArea) {
      await waitFor(async () => twilio.sent.find((s) => s.to === c.phone && s.body.includes('5th Ave')));
      await waitFor(async () => sendgrid.sent.find((s) => s.to === c.email && s.text.includes('5th Ave')));
    }
  });

  it('records: staff see every message on the account; the customer sees their own history; others see nothing', async () => {
    const c = await customer();
    const id = await queue(c.accountId, 'outage', { message: 'Crews on Birch St.' }, true);
    await done(id);
    const staff = await staffToken(app, sql, 'csr');
    const list = (
      await app.inject({ method: 'GET', url: `/accounts/${c.accountId}/messages`, headers: bearer(staff) })
    ).json();
    expect(list.data).toHaveLength(2);
    expect(list.data[0]).toMatchObject({
      object: 'message',
      alert: 'outage',
      status: 'sent',
      provider: expect.stringMatching(/sendgrid|twilio/),
      providerId: expect.any(String),
    });
    const login = await customerLogin(app, sql, [c.accountId]);
    const mine = (
      await app.inject({
        method: 'GET',
        url: `/accounts/${c.accountId}/messages?limit=1`,
        headers: bearer(login.token),
      })
    ).json();
    expect(mine).toMatchObject({ has_more: true, data: [{ id: list.data[0].id }] });
    const one = (
      await app.inject({ method: 'GET', url: `/messages/${list.data[0].id}`, headers: bearer(login.token) })
    ).json();
    expect(one.events.map((e: { kind: string }) => e.kind)).toEqual(['queued', 'attempt', 'sent']);
    // and the notice's workflow (a batch of this account's notices) is on the account's list, found by
    // AccountNumber in the Temporal UI
    const [{ dispatchBatch }] =
      (await sql`select dispatch_batch from notification where id = ${id}`) as unknown as [
        { dispatchBatch: string },
      ];
    const [{ accountNumber }] =
      (await sql`select account_number from account where id = ${c.accountId}`) as unknown as [
        { accountNumber: string },
      ];
    await waitFor(async () => {
      // visibility is eventually consistent
      for await (const w of t.env.client.workflow.list({ query: `AccountNumber = '${accountNumber}'` }))
        if (w.workflowId === notificationBatchWorkflowId(dispatchBatch)) return true;
      return false;
    });
    // notices that were not sent are on record too, with the reason
    const mute = await customer({ email: false, sms: false });
    const skipped = await queue(mute.accountId, 'payment_received', { amountCents: 100 });
    expect(await done(skipped)).toBe('skipped');
    const ns = (
      await app.inject({
        method: 'GET',
        url: `/accounts/${mute.accountId}/notifications`,
        headers: bearer(staff),
      })
    ).json();
    expect(ns.data).toEqual([
      expect.objectContaining({
        id: skipped,
        alert: 'payment_received',
        status: 'skipped',
        skippedBecause: 'no subscribed, verified contact',
        messages: 0,
      }),
    ]);
    const sentList = (
      await app.inject({
        method: 'GET',
        url: `/accounts/${c.accountId}/notifications`,
        headers: bearer(login.token),
      })
    ).json();
    expect(sentList.data[0]).toMatchObject({ id, status: 'processed', messages: 2, skippedBecause: null });
    const other = await customerLogin(app, sql, []);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/accounts/${c.accountId}/messages`,
          headers: bearer(other.token),
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: `/messages/${list.data[0].id}`, headers: bearer(other.token) }))
        .statusCode,
    ).toBe(404);
  });
});

describe('high usage', () => {
  it('a bill held for high usage tells the customer, once per held workflow', async () => {
    const c = await customer({ sms: false, postalCode: '97556' });
    const [sa] = await sql<
      { id: string }[]
    >`select id from service_agreement where account_id = ${c.accountId}`;
    const billing = createBillingActivities(sql);
    const hold = {
      accountId: c.accountId,
      period: '2026-10',
      workflowId: `billing-cycle/test-${c.accountId}/2026-10`,
      reasons: [
        {
          serviceAgreementId: sa!.id,
          code: 'high_usage',
          message: '12.5/day is over 2.5x the same season last year of 3.1/day',
        },
        { serviceAgreementId: sa!.id, code: 'zero_usage', message: 'no usage' },
      ],
    };
    await billing.recordException(hold);
    await billing.recordException(hold); // the workflow's retry
    const rows = await sql<{ id: string; data: Record<string, unknown> }[]>`
      select id, data from notification where account_id = ${c.accountId} and alert = 'high_usage'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toMatchObject({ usage: '12.5', normal: '3.1', service: 'water' });
    await done(rows[0]!.id);
    expect(sendgrid.sent.find((s) => s.to === c.email)!.text).toContain(
      '12.5 a day, against your normal 3.1.',
    );
  });

  it('a Temporal Schedule runs the daily check: usage over 2.5x the trailing normal queues one high_usage notice', async () => {
    const c = await customer({ sms: false, postalCode: '97555' });
    const [sp] = await sql<
      { servicePointId: string }[]
    >`select service_point_id from service_agreement where account_id = ${c.accountId}`;
    const m = await createMeter(sql, {
      serialNumber: `HU-${c.accountId.slice(-8)}`,
      kind: 'water',
      unit: 'gal',
    });
    const now = testClock().now().getTime(); // the workers' clock: the daily check reads "now" there
    const day = 86_400_000;
    await installMeter(sql, m.id, sp!.servicePointId, new Date(now - 60 * day).toISOString());
    // 40 days at 100 gal/day, then 400 gal in the last day
    let v = 10_000;
    for (let d = 40; d >= 1; d--) {
      await addRead(sql, {
        meterId: m.id,
        readAt: new Date(now - d * day - 3_600_000).toISOString(),
        value: String(v),
        source: 'ami',
      });
      v += 100;
    }
    await addRead(sql, {
      meterId: m.id,
      readAt: new Date(now - 3_600_000).toISOString(),
      value: String(v - 100 + 400),
      source: 'ami',
    });
    const taskQueue = `${t.taskQueuePrefix}messaging`;
    expect(
      await ensureHighUsageSchedule(t.env.client, {
        taskQueue,
        interval: '1 day',
        scheduleId: 'high-usage-test',
      }),
    ).toBe('created');
    expect(
      await ensureHighUsageSchedule(t.env.client, {
        taskQueue,
        interval: '1 day',
        scheduleId: 'high-usage-test',
      }),
    ).toBe('exists');
    await t.env.client.schedule.getHandle('high-usage-test').trigger();
    const n = await waitFor(
      async () =>
        (
          await sql<
            { id: string; data: Record<string, unknown> }[]
          >`select id, data from notification where account_id = ${c.accountId} and alert = 'high_usage'`
        )[0],
    );
    expect(n.data).toMatchObject({ usage: '400', normal: '100', unit: 'gal', service: 'water' });
    await done(n.id);
    const mail = sendgrid.sent.find((s) => s.to === c.email && s.subject.startsWith('High water use'))!;
    expect(mail.text).toContain('400 gal a day, against your normal 100 gal');
    // the same day again queues nothing more
    await t.env.client.schedule.getHandle('high-usage-test').trigger();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(
      (await sql`select 1 from notification where account_id = ${c.accountId} and alert = 'high_usage'`)
        .length,
    ).toBe(1);
    await t.env.client.schedule.getHandle('high-usage-test').delete();
  });
});

describe('bill day: notices in batches', () => {
  /** Notices queued in one transaction, as a bill run's page queues its e-bills; their ids. */
  const queueAll = (list: { accountId: string; alert: AlertType; data: NotificationData }[]) =>
    sql.begin((tx) =>
      queueNotifications(
        tx,
        list.map((n) => ({ ...n, key: `${n.alert}/batch/${Math.random()}` })),
      ),
    );
  const billReady = (accountId: string, i: number) => ({
    accountId,
    alert: 'bill_ready' as const,
    data: { billId: `bill_b${i}`, period: '2026-11', amountCents: 4_000 + i, dueDate: '2026-12-20' },
  });
  /** accepted emails per recipient since `from` (the fake's own count: a duplicate shows as 2) */
  const acceptedPer = (from: number) => {
    const m = new Map<string, number>();
    for (const s of sendgrid.sent.slice(from)) m.set(s.to, (m.get(s.to) ?? 0) + 1);
    return m;
  };
  const batchesOf = async (ids: string[]) =>
    (
      await sql<{ dispatchBatch: string }[]>`
        select distinct dispatch_batch from notification where id = any(${ids})`
    ).map((r) => r.dispatchBatch);

  it('one permanently bad address in a batch: the others are sent, that one fails at once and is not sent again when the batch retries', async () => {
    const cs = [];
    for (let i = 0; i < 12; i++) cs.push(await customer({ sms: false }));
    const bad = cs[5]!;
    sendgrid.invalid.add(bad.email);
    const fromReq = sendgrid.requests.length;
    const fromSent = sendgrid.sent.length;
    // a 503 on two of the others: the send activity fails retryably and runs again over what is left
    sendgrid.failNext(2, 503, 3);
    const ids = await queueAll(cs.map((c, i) => billReady(c.accountId, i)));
    expect(ids).toHaveLength(12);
    for (const id of ids) expect(await done(id)).toBe('processed');
    const [batch, ...more] = await batchesOf(ids);
    expect(more).toEqual([]); // one workflow for the page
    const msgs = await sql<
      { toAddress: string; status: string; attempts: number; errorCode: string | null }[]
    >`
      select to_address, status, attempts, error_code from outbound_message where notification_id = any(${ids})`;
    expect(msgs).toHaveLength(12);
    expect(msgs.find((m) => m.toAddress === bad.email)).toMatchObject({
      status: 'failed',
      attempts: 1,
      errorCode: 'invalid_email',
    });
    expect(msgs.filter((m) => m.status === 'sent')).toHaveLength(11);
    expect(msgs.filter((m) => m.attempts === 2)).toHaveLength(2); // the two that met the 503
    // the bad address was asked once, in all: the retry did not send to it again
    const reqs = sendgrid.requests.slice(fromReq);
    expect(reqs.filter((r) => r.to === bad.email).map((r) => r.status)).toEqual([400]);
    expect(reqs.filter((r) => r.status === 503)).toHaveLength(2);
    const per = acceptedPer(fromSent);
    expect(per.size).toBe(11);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    expect((await sql`select status from customer_contact where id = ${bad.emailContact}`)[0]!.status).toBe(
      'invalid',
    );
    // the history holds ids and counts, not the page's messages: a few dozen events for the batch
    const history = await t.env.client.workflow.getHandle(notificationBatchWorkflowId(batch!)).fetchHistory();
    expect(history.events!.length).toBeLessThan(40);
    expect(await t.env.client.workflow.getHandle(notificationBatchWorkflowId(batch!)).result()).toEqual({
      notices: 12,
      planned: 12,
      skipped: 0,
      sent: 11,
      failed: 1,
    });
  });

  it('429s and 503s mid-batch are retried with backoff, and nobody gets two emails', async () => {
    const cs = [];
    for (let i = 0; i < 60; i++) cs.push(await customer({ sms: false }));
    const fromReq = sendgrid.requests.length;
    const fromSent = sendgrid.sent.length;
    // past the first chunk's start: some of the batch is already with the provider when the errors come
    sendgrid.failNext(4, 429, 10);
    sendgrid.failNext(3, 503, 20);
    const ids = await queueAll(cs.map((c, i) => billReady(c.accountId, i)));
    for (const id of ids) expect(await done(id)).toBe('processed');
    const per = acceptedPer(fromSent);
    expect(per.size).toBe(60);
    expect(cs.every((c) => per.get(c.email) === 1)).toBe(true);
    const reqs = sendgrid.requests.slice(fromReq);
    expect(reqs.map((r) => r.status).sort()).toEqual([
      ...Array(60).fill(202),
      ...Array(4).fill(429),
      ...Array(3).fill(503),
    ]);
    const retried = await sql<{ id: string; attempts: number; status: string }[]>`
      select id, attempts, status from outbound_message where notification_id = any(${ids}) and attempts > 1`;
    expect(retried).toHaveLength(7);
    expect(retried.every((m) => m.attempts === 2 && m.status === 'sent')).toBe(true);
    const [ev] = await sql<{ kinds: string[] }[]>`
      select array_agg(kind order by id) as kinds from message_event where message_id = ${retried[0]!.id}`;
    expect(ev!.kinds).toEqual(['queued', 'attempt', 'provider_error', 'attempt', 'sent']);
    // the retry waited out the policy's backoff (1 s), not at once
    const firstError = Math.min(...reqs.filter((r) => r.status !== 202).map((r) => r.at));
    const retriedTo = new Set(
      (
        await sql<
          { toAddress: string }[]
        >`select to_address from outbound_message where id = any(${retried.map((m) => m.id)})`
      ).map((m) => m.toAddress),
    );
    const resent = reqs.filter((r) => r.status === 202 && retriedTo.has(r.to));
    expect(Math.min(...resent.map((r) => r.at)) - firstError).toBeGreaterThanOrEqual(900);
  });

  it('opt-outs are honoured in a batch: no subscription skips, a number that sent STOP gets no text, the rest get both', async () => {
    const cs = [];
    for (let i = 0; i < 6; i++) {
      const c = await customer();
      await setSubscriptions(sql, c.customerId, { payment_due: 'both' });
      cs.push(c);
    }
    await setSubscriptions(sql, cs[1]!.customerId, { payment_due: 'none' });
    await sql`insert into sms_opt_out (phone) values (${cs[2]!.phone})`;
    // a bill must reach a paperless customer: texts only, and the number sent STOP, so it is emailed
    await setSubscriptions(sql, cs[3]!.customerId, { bill_ready: 'sms' });
    await sql`insert into sms_opt_out (phone) values (${cs[3]!.phone})`;
    const fromSms = twilio.requests.length;
    const fromSent = sendgrid.sent.length;
    const ids = await queueAll([
      ...cs.map((c) => ({
        accountId: c.accountId,
        alert: 'payment_due' as const,
        data: { billId: 'bill_due', amountCents: 2_500, dueDate: '2026-12-15' },
      })),
      billReady(cs[3]!.accountId, 99),
    ]);
    const statuses = [];
    for (const id of ids) statuses.push(await done(id));
    expect(statuses).toEqual([
      'processed',
      'skipped',
      'processed',
      'processed',
      'processed',
      'processed',
      'processed',
    ]);
    expect((await batchesOf(ids)).length).toBe(1);
    const texted = twilio.requests.slice(fromSms).map((r) => r.to);
    expect(texted.sort()).toEqual([cs[0]!.phone, cs[4]!.phone, cs[5]!.phone].sort());
    const emailed = acceptedPer(fromSent);
    expect(emailed.get(cs[1]!.email)).toBeUndefined();
    expect(emailed.get(cs[2]!.email)).toBe(1);
    // two notices, two emails: the payment_due (its text refused by STOP) and the bill, emailed in its place
    expect(emailed.get(cs[3]!.email)).toBe(2);
    const [bill] = await sql<{ channel: string; toAddress: string }[]>`
      select channel, to_address from outbound_message where notification_id = ${ids[6]!}`;
    expect(bill).toEqual({ channel: 'email', toAddress: cs[3]!.email });
    expect(emailed.size).toBe(5);
  });
});
