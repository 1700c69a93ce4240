// Builds the real API against a test database and the run's Temporal server, plus login helpers.
import type Stripe from 'stripe';
import { buildApp } from '../../api/app.js';
import type { AppDeps } from '../../api/types.js';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { DEFAULT_AUTH_POLICY } from '../../domain/auth-policy.js';
import type { Clock } from '../../lib/clock.js';
import { testClock } from './clock.js';
import type { TemporalHarness } from './temporal.js';

export type TestApp = Awaited<ReturnType<typeof buildApp>>;

/** A clock a test moves by hand (now() decides), in UTC. */
const fixedNow = (now: () => Date): Clock => ({
  timeZone: 'UTC',
  now,
  today: () => now().toISOString().slice(0, 10),
});

export async function testApp(
  sql: Sql,
  t: TemporalHarness,
  stripe?: { client: Stripe; webhookSecret: string },
  opts: {
    now?: () => Date;
    clock?: Clock;
    policy?: NonNullable<AppDeps['auth']>['policy'];
    billPrint?: AppDeps['billPrint'];
    metricsToken?: string;
    staffAuth?: AppDeps['staffAuth'];
  } = {},
): Promise<TestApp> {
  const app = await buildApp({
    stripe: stripe?.client ?? null,
    stripeWebhookSecret: stripe?.webhookSecret ?? null,
    sql,
    temporal: {
      client: t.env.client,
      namespace: t.namespace,
      uiUrl: 'http://127.0.0.1:8233',
      taskQueuePrefix: t.taskQueuePrefix,
    },
    publicUrl: 'http://127.0.0.1:3000',
    providerModes: { payments: 'outbox', sms: 'outbox', email: 'outbox' },
    clock: opts.clock ?? (opts.now ? fixedNow(opts.now) : testClock()),
    billPrint: opts.billPrint,
    metricsToken: opts.metricsToken,
    staffAuth: opts.staffAuth,
    // every request in a test comes from one address: the per-IP caps are tested on their own
    auth: {
      now: opts.now,
      policy: {
        login: { ...DEFAULT_AUTH_POLICY.login, perIp: { max: 100_000, windowSeconds: 60 } },
        ...opts.policy,
      },
    },
  });
  await app.ready();
  return app;
}

let n = 0;
export async function staffToken(
  app: TestApp,
  sql: Sql,
  role: 'csr' | 'billing_admin' | 'supervisor' | 'admin',
) {
  const email = `${role}.${process.pid}.${++n}@utility.test`;
  await createUser(sql, { email, displayName: role, password: 'correct horse battery', kind: 'staff', role });
  const r = await app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'correct horse battery' },
  });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.body}`);
  return r.json().token as string;
}

export async function customerLogin(app: TestApp, sql: Sql, accountIds: string[]) {
  const email = `customer.${process.pid}.${++n}@example.test`;
  await createUser(sql, {
    email,
    displayName: 'Customer',
    password: 'pw-for-tests-1',
    kind: 'customer',
    accountIds,
  });
  const r = await app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'pw-for-tests-1' },
  });
  const cookie = r.cookies.find((c) => c.name === 'cisflow_session')!;
  return {
    token: r.json().token as string,
    cookie: `${cookie.name}=${cookie.value}`,
    csrf: r.json().csrfToken as string,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Delivers a signed Stripe event to the webhook endpoint, as Stripe would. */
export const stripeWebhook = (app: TestApp, e: { payload: string; signature: string }) =>
  app.inject({
    method: 'POST',
    url: '/webhooks/stripe',
    headers: { 'content-type': 'application/json', 'stripe-signature': e.signature },
    payload: e.payload,
  });
