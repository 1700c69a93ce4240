// The customer portal in Chromium against the real API, workers and database: sign in, see the balance, pay
// through the Payment Element (Stripe.js stubbed at the network layer, the webhook signed by the project's
// Stripe fake), and watch the balance change without a reload; the 24-month usage chart; sign-up; Spanish.
import type { AddressInfo } from 'node:net';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { DEMO_PASSWORD, seedDemo } from '../../db/demo/seed.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { createUser } from '../../db/users.js';
import { StripeFake } from '../fakes/stripe.js';
import { type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let stripe: StripeFake;
let browser: Browser;
let base: string;
let owing: { id: string; accountNumber: string; balance: number; email: string };

// What the page gets from https://js.stripe.com/v3: a Stripe() whose Payment Element is a plain form and
// whose confirmPayment calls Stripe's confirm endpoint, as Stripe.js does (intercepted below as well).
const STRIPE_JS_STUB = `
window.Stripe = function (publishableKey) {
  if (!/^pk_/.test(publishableKey)) throw new Error('bad publishable key');
  return {
    elements: function (opts) {
      return {
        clientSecret: opts.clientSecret,
        create: function () {
          return {
            mount: function (el) {
              el.innerHTML = '<label>Card number <input data-testid="card-number" value="4242 4242 4242 4242"></label>';
            },
            destroy: function () {},
          };
        },
      };
    },
    confirmPayment: async function (o) {
      var id = o.elements.clientSecret.split('_secret_')[0];
      var r = await fetch('https://api.stripe.com/v1/payment_intents/' + id + '/confirm', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'client_secret=' + encodeURIComponent(o.elements.clientSecret) + '&key=' + publishableKey,
      });
      var pi = await r.json();
      return r.ok ? { paymentIntent: pi } : { error: pi.error };
    },
  };
};`;

const webhookTimes: number[] = [];

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  stripe = await new StripeFake().start();
  const t = await startWorkers(sql, { stripe: stripe.client });
  process.env.STRIPE_PUBLISHABLE_KEY = 'pk_test_portal';
  app = await testApp(sql, t, { client: stripe.client, webhookSecret: stripe.webhookSecret });
  await seedDemo(sql, { accounts: 40, billedMonths: 23 });
  const [a] = await sql<{ id: string; accountNumber: string; balance: string }[]>`
    select a.id, a.account_number, sum(p.amount_cents)::text as balance
    from account a join ledger_account la on la.account_id = a.id join posting p on p.ledger_account_id = la.id
    group by a.id having sum(p.amount_cents) > 0 order by a.account_number limit 1`;
  expect(a, 'the demo utility has an account that owes').toBeTruthy();
  const email = 'owing.customer@example.test';
  await createUser(sql, {
    email,
    displayName: 'Owing Customer',
    password: DEMO_PASSWORD,
    kind: 'customer',
    accountIds: [a!.id],
  });
  owing = { id: a!.id, accountNumber: a!.accountNumber, balance: Number(a!.balance), email };
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  browser = await launchBrowser();
  await browser.context.route('https://js.stripe.com/v3**', (route: Route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: STRIPE_JS_STUB }),
  );
  // Stripe's confirm endpoint: the intent succeeds, and Stripe's signed webhook reaches the API
  await browser.context.route('https://api.stripe.com/**', async (route: Route) => {
    const m = /payment_intents\/(pi_\w+)\/confirm/.exec(route.request().url());
    const cors = { 'access-control-allow-origin': '*' };
    if (!m) return route.fulfill({ status: 404, headers: cors, body: '{}' });
    const e = stripe.event(m[1]!, 'payment_intent.succeeded', { status: 'succeeded' });
    const r = await fetch(`${base}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': e.signature },
      body: e.payload,
    });
    webhookTimes.push(Date.now());
    expect(r.status).toBe(200);
    return route.fulfill({
      status: 200,
      headers: cors,
      contentType: 'application/json',
      body: JSON.stringify({ ...JSON.parse(e.payload).data.object, payment_method: 'pm_card_visa' }),
    });
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await stripe?.stop();
  delete process.env.STRIPE_PUBLISHABLE_KEY;
});

const dollars = (cents: number) =>
  `$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;

async function signIn(email: string) {
  const { page } = browser;
  await page.goto(`${base}/portal`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('customer portal in Chromium', () => {
  it('a customer signs in, sees the balance, pays by card, and the balance updates without a reload', async () => {
    const { page } = browser;
    await signIn(owing.email);
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe(dollars(owing.balance));
    // an account in arrears says so (and shows the past-due banner); one that is not shows its due date
    const pastDue = (
      await app.inject({
        method: 'GET',
        url: `/accounts/${owing.id}/past-due`,
        headers: { cookie: (await browser.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
      })
    ).json();
    await expect
      .poll(() => page.getByTestId('due').textContent())
      .toMatch(pastDue.pastDueCents > 0 ? /^Past due since / : /^Due /);
    expect(await page.getByTestId('past-due').count()).toBe(pastDue.pastDueCents > 0 ? 1 : 0);
    await browser.shot('portal-1-balance');
    expect(await accessibilityViolations(page)).toEqual([]);
    // a marker that a reload would wipe
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    await page.getByRole('button', { name: 'Pay now' }).click();
    expect(await page.getByLabel('Amount to pay').inputValue()).toBe((owing.balance / 100).toFixed(2));
    await page.getByLabel('Use this payment method for autopay').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('card-number').waitFor();
    await browser.shot('portal-2-payment-element');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByTestId('confirm-pay').click();

    await page.getByTestId('pay-result').waitFor();
    // the SSE event moves the balance to zero on the open page
    await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('$0.00');
    const shownAfter = Date.now() - webhookTimes.at(-1)!;
    console.log(`balance on the page ${shownAfter} ms after Stripe's webhook was accepted`);
    expect(shownAfter).toBeLessThan(3000);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(await accountBalanceCents(sql, owing.id)).toBe(0);
    // the payment is in the history, and autopay took the method Stripe returned
    await expect
      .poll(() => page.locator('[data-testid=payments] tbody tr').first().getAttribute('data-status'))
      .toBe('succeeded');
    await expect.poll(() => page.getByTestId('autopay-status').textContent()).toContain('…visa');
    const [enrolled] =
      await sql`select payment_method_ref, status from autopay_enrollment where account_id = ${owing.id}`;
    expect(enrolled).toMatchObject({ paymentMethodRef: 'pm_card_visa', status: 'active' });
    // the card was saved on the account's Stripe customer: the pay form offers it next time
    await page.getByRole('button', { name: 'Usage', exact: true }).click();
    await page.getByRole('button', { name: 'Payments', exact: true }).click();
    await expect.poll(() => page.getByTestId('saved-methods').textContent()).toContain('Visa …4242');
    await page.getByRole('button', { name: 'Pay with this' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await browser.shot('portal-3-paid');
  });

  it('the usage chart renders 24 months per metered service, with last year beside them', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Usage' }).click();
    await page.getByRole('button', { name: '24 months' }).click();
    const water = page.locator('figure.usage[data-service=water]');
    await expect.poll(() => water.getAttribute('data-months')).toBe('24');
    const api = await app.inject({
      method: 'GET',
      url: `/accounts/${owing.id}/usage?months=24`,
      headers: { cookie: (await browser.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    const usage = api.json();
    const w = usage.services.find((s: { serviceType: string }) => s.serviceType === 'water');
    expect(w.usage).toHaveLength(24);
    expect(w.usage.every((u: { quantity: string | null }) => u.quantity !== null)).toBe(true);
    // the accessible table carries the same 24 numbers as the chart
    const rows = await water
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toHaveLength(24);
    expect(rows.map((r) => r[0])).toEqual(w.usage.map((u: { quantity: string }) => u.quantity));
    // and Chart.js drew on the canvas: not blank
    const drawn = await water.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const blank = document.createElement('canvas');
      blank.width = c.width;
      blank.height = c.height;
      return c.width > 100 && c.height > 100 && c.toDataURL() !== blank.toDataURL();
    });
    expect(drawn).toBe(true);
    await browser.shot('portal-4-usage-24-months');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('self-service: paperless with confirmation, alerts per type and channel, a service request, a dispute, Green Button', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Settings' }).click();
    // paperless, confirmed before it changes
    const [before] = await sql<
      { paperless: boolean }[]
    >`select paperless from account where id = ${owing.id}`;
    await page
      .getByRole('button', { name: before!.paperless ? 'Switch back to paper bills' : 'Switch to paperless' })
      .click();
    await page.getByRole('alertdialog').waitFor();
    await browser.shot('portal-5-paperless-confirm');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => page.getByTestId('paperless-status').textContent())
      .toBe(before!.paperless ? 'You get your bills by mail.' : 'You get your bills by email.');
    const [after] = await sql<{ paperless: boolean }[]>`select paperless from account where id = ${owing.id}`;
    expect(after!.paperless).toBe(!before!.paperless);

    // alerts: outage by text message as well as email
    const outage = page.locator('[data-testid=alerts] tr[data-alert=outage]');
    const sms = outage.getByRole('checkbox', { name: 'Outages in your area: Text message' });
    const email = outage.getByRole('checkbox', { name: 'Outages in your area: Email' });
    await email.check();
    if (await sms.isChecked()) await sms.uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const [sub] =
      await sql`select email, sms from alert_subscription a join account ac on ac.customer_id = a.customer_id
      where ac.id = ${owing.id} and a.alert = 'outage'`;
    expect(sub).toMatchObject({ email: true, sms: false });

    // a re-read request, shown with its status
    await page.getByLabel('What do you need?').selectOption('reread');
    await page.locator('#service-requests').getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(() => page.locator('[data-testid=service-requests] tr[data-kind=reread]').count())
      .toBe(1);
    const [sr] = await sql`select kind, status from service_request where account_id = ${owing.id}`;
    expect(sr).toMatchObject({ kind: 'reread' });

    // dispute the latest bill
    await page
      .getByLabel('What is wrong with this bill?')
      .fill('The usage looks far too high for an empty house');
    await page.locator('#disputes').getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Your dispute is open').waitFor();
    await expect.poll(() => page.locator('[data-testid=disputes] tbody tr').count()).toBe(1);
    const [d] = await sql`select reason, bill_id from dispute where account_id = ${owing.id}`;
    const [latest] =
      await sql`select id from bill where account_id = ${owing.id} order by period desc limit 1`;
    expect(d).toMatchObject({
      reason: 'The usage looks far too high for an empty house',
      billId: latest!.id,
    });

    // Green Button: the link downloads the water service point's ESPI feed with this session
    const href = await page.getByTestId('green-button-water').getAttribute('href');
    const xml = await page.request.get(`${base}${href}`);
    expect(xml.status()).toBe(200);
    expect(await xml.text()).toContain('<feed');
    await browser.shot('portal-6-settings');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows the portal in Spanish, with money still exact', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Español' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await page.getByRole('button', { name: 'Facturas' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Facturas' }).count()).toBe(1);
    const [latest] = await sql<{ totalCents: string }[]>`
      select total_cents::text from bill where account_id = ${owing.id} order by period desc limit 1`;
    const cell = await page.locator('[data-testid=bills] tbody tr').first().locator('td.num').textContent();
    const c = Number(latest!.totalCents);
    expect(cell?.replace(/\s/g, '')).toContain(`${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`);
    await browser.shot('portal-7-spanish-bills');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('signs up with the latest bill amount (a wrong one is refused), confirms the email, then links a second account', async () => {
    const { page } = browser;
    // accounts nobody has linked yet, with the total of their latest issued bill
    const unlinked = () => sql<{ id: string; accountNumber: string; latestCents: string }[]>`
      select a.id, a.account_number,
        (select b.total_cents::text from bill b where b.account_id = a.id and b.status = 'issued'
         order by b.period desc, b.bill_date desc limit 1) as latest_cents
      from account a
      where a.id <> ${owing.id} and not exists (select 1 from portal_account_access x where x.account_id = a.id)
        and (select b.total_cents from bill b where b.account_id = a.id and b.status = 'issued'
             order by b.period desc, b.bill_date desc limit 1) > 0
      order by a.account_number limit 2`;
    const dollars = (c: string) =>
      `${Math.floor(Number(c) / 100)}.${String(Number(c) % 100).padStart(2, '0')}`;
    const [a, b] = await unlinked();
    await page.goto(`${base}/portal`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'New here? Link your utility account' }).click();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Account number (10 digits, on your bill)').fill(a!.accountNumber);
    const amount = page.getByLabel('Total of your latest bill, to the cent (for example 84.17)');
    await amount.fill(dollars(String(Number(a!.latestCents) + 1)));
    await page.getByLabel('Email').fill('new.customer@example.test');
    await page.getByLabel('Choose a password (10 characters or more)').fill('a-long-password');
    await page.getByRole('button', { name: 'Create a login' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match');
    await amount.fill(dollars(a!.latestCents));
    await page.getByRole('button', { name: 'Create a login' }).click();
    await expect
      .poll(() => page.getByTestId('signin-notice').textContent())
      .toContain('new.customer@example.test');

    // the emailed link confirms the address; the login works after that
    const [n] = await sql<{ data: { link: string } }[]>`
      select data from notification where alert = 'login_email_verification' and data->>'email' = 'new.customer@example.test'`;
    const link = new URL(n!.data.link);
    await page.goto(`${base}${link.pathname}${link.search}`);
    await expect
      .poll(() => page.getByTestId('signin-notice').textContent())
      .toContain('Your email is confirmed');
    expect(page.url()).not.toContain('verify-email');
    await page.getByLabel('Email').fill('new.customer@example.test');
    await page.getByLabel('Password').fill('a-long-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('balance').count()).toBe(1);
    expect(await page.locator('.balance-card').textContent()).toContain(a!.accountNumber);

    // a landlord links a second account to the same login
    await page.getByText('Link another utility account').click();
    await page.locator('#linkNumber').fill(b!.accountNumber);
    await page.locator('#linkBill').fill(dollars(b!.latestCents));
    await page.getByRole('button', { name: 'Link account' }).click();
    await expect.poll(() => page.locator('.balance-card').textContent()).toContain(b!.accountNumber);
    expect(await page.getByLabel('Account', { exact: true }).locator('option').allTextContents()).toEqual(
      [a!.accountNumber, b!.accountNumber].sort(),
    );
    await browser.shot('portal-8-signed-up');
    // the holder sees which logins reach the account (and could remove one)
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect
      .poll(() => page.getByTestId('linked-logins').textContent())
      .toContain('new.customer@example.test');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('serves /docs under the security headers, and swagger-ui still renders with that CSP', async () => {
    const { page } = browser;
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    const res = await page.goto(`${base}/docs`);
    expect(res!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res!.headers()['x-content-type-options']).toBe('nosniff');
    await page.locator('.swagger-ui .info .title').waitFor();
    // the reference opens with its sections folded (swagger-ui stopped rendering a fully expanded list of
    // this many operations after the second section); every section is there and opens on a click
    await expect.poll(() => page.locator('.swagger-ui .opblock-tag').count()).toBeGreaterThan(15);
    await page.locator('#operations-tag-accounts').click();
    await page.locator('#operations-tag-payments').click();
    await expect.poll(() => page.locator('.swagger-ui .opblock').count()).toBeGreaterThan(20);
    expect(blocked).toEqual([]);
  });

  it('the portal and the console name their favicon, and it is served', async () => {
    for (const path of ['/portal', '/staff']) {
      const html = await (await fetch(`${base}${path}`)).text();
      expect(html).toContain('<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">');
    }
    const icon = await fetch(`${base}/assets/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    expect(await icon.text()).toContain('<svg');
  });
});
