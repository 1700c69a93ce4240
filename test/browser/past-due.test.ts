// Past due made plain, and receipts, in Chromium on a phone and a desktop viewport, against the real API,
// workers and database on a fixed date (Dec 1, 2026). An account current on its bill shows "Due Dec 10"; one
// $1,417.51 in arrears since Nov 24 shows the past-due banner, the late fee collections is adding and a
// payment plan it can set up with one press; paying by card (Stripe.js stubbed at the network layer, the
// webhook signed by the project's Stripe fake) ends on a receipt, and "Make another payment" starts over.
// Screenshots of the overview, the past-due overview and the receipt go to test-output/screenshots/.
import type { AddressInfo } from 'node:net';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { createUser } from '../../db/users.js';
import { StripeFake } from '../fakes/stripe.js';
import { simpleBill, waterAccount } from '../support/accounts.js';
import { type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { testClock } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

const DEC_1 = '2026-12-01';
const NOV_24 = '2026-11-24';
const DEC_10 = '2026-12-10';
const PASSWORD = 'past-due-portal-1';

let sql: Sql;
let app: TestApp;
let stripe: StripeFake;
let browser: Browser;
let base: string;
/** the account in arrears of the last viewport's test, and its payment's confirmation number */
let lastLate: { id: string; confirmation: string } | null = null;

// Stripe.js as the page gets it: a Payment Element that is a plain form, and confirmPayment calling Stripe's
// confirm endpoint (answered below by the fake, which also sends the signed webhook)
const STRIPE_JS_STUB = `
window.Stripe = function (publishableKey) {
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

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  stripe = await new StripeFake().start();
  const clock = testClock(DEC_1);
  const t = await startWorkers(sql, { stripe: stripe.client, clock });
  process.env.STRIPE_PUBLISHABLE_KEY = 'pk_test_pastdue';
  app = await testApp(sql, t, { client: stripe.client, webhookSecret: stripe.webhookSecret }, { clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  await browser.context.route('https://js.stripe.com/v3**', (route: Route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: STRIPE_JS_STUB }),
  );
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
    expect(r.status).toBe(200);
    return route.fulfill({
      status: 200,
      headers: cors,
      contentType: 'application/json',
      body: JSON.stringify(JSON.parse(e.payload).data.object),
    });
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await stripe?.stop();
  delete process.env.STRIPE_PUBLISHABLE_KEY;
});

/** An account with one bill, and a portal login for it. */
async function customerWithBill(cents: number, dueDate: string) {
  const a = await waterAccount(sql);
  await simpleBill(sql, {
    accountId: a.acct.id,
    agreementId: a.agreementId,
    period: '2026-10',
    totalCents: cents,
    dueDate,
  });
  const email = `portal.${a.acct.accountNumber}@example.test`;
  await createUser(sql, {
    email,
    displayName: 'Grace Hopper',
    password: PASSWORD,
    kind: 'customer',
    accountIds: [a.acct.id],
  });
  return { id: a.acct.id as string, email };
}

async function signIn(email: string) {
  const { page } = browser;
  await page.goto(`${base}/portal`);
  // signed in already (the last test's customer) or not: wait until the page knows
  await page.getByTestId('balance').or(page.getByLabel('Email')).first().waitFor();
  const out = page.getByRole('button', { name: 'Sign out' });
  if (await out.isVisible()) {
    await out.click();
    await page.getByLabel('Email').waitFor();
  }
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('balance').waitFor();
}

const VIEWPORTS = [
  { name: 'phone', size: { width: 412, height: 915 } },
  { name: 'desktop', size: { width: 1280, height: 900 } },
] as const;

describe('past due and receipts in the portal', () => {
  for (const vp of VIEWPORTS) {
    it(`on a ${vp.name}: a current account, an account in arrears with its plan, and a receipt after paying`, async () => {
      const { page } = browser;
      await page.setViewportSize(vp.size);

      // current: "Due Dec 10", no banner
      const current = await customerWithBill(8_000, DEC_10);
      await signIn(current.email);
      await expect.poll(() => page.getByTestId('due').textContent()).toBe('Due Dec 10, 2026');
      expect(await page.getByTestId('past-due').count()).toBe(0);
      await browser.shot(`pastdue-overview-${vp.name}`);
      expect(await accessibilityViolations(page)).toEqual([]);

      // in arrears: the banner, not just "Due Nov 24"
      const late = await customerWithBill(141_751, NOV_24);
      await signIn(late.email);
      const banner = page.getByTestId('past-due');
      await banner.waitFor();
      expect(await page.getByTestId('due').textContent()).toBe('Past due since Nov 24, 2026');
      expect(await page.getByTestId('past-due-amount').textContent()).toBe('$1,417.51');
      expect(await banner.textContent()).toContain('This amount was due on Nov 24, 2026, 7 days ago.');
      // 1.5% of $1,417.51, due five days after the due date and not yet charged
      expect(await page.getByTestId('next-step').textContent()).toBe(
        'A late fee of $21.26 is being added because the bill is late.',
      );
      // the plan on offer: three payments preselected, the first taking the odd cent
      expect(await page.getByLabel('Number of payments').inputValue()).toBe('3');
      expect(await page.getByTestId('plan-schedule').locator('li').allTextContents()).toEqual([
        'Payment 1: $472.51 due Dec 8, 2026',
        'Payment 2: $472.50 due Jan 7, 2027',
        'Payment 3: $472.50 due Feb 6, 2027',
      ]);
      await page.getByLabel('Number of payments').selectOption('2');
      expect(await page.getByTestId('plan-schedule').locator('li').first().textContent()).toBe(
        'Payment 1: $708.76 due Dec 8, 2026',
      );
      await page.getByLabel('Number of payments').selectOption('3');
      await browser.shot(`pastdue-past-due-${vp.name}`);
      expect(await accessibilityViolations(page)).toEqual([]);
      // in Spanish too
      await page.getByRole('button', { name: 'Español' }).click();
      expect(await banner.locator('h2').textContent()).toBe('Su cuenta tiene un saldo vencido');
      expect(await page.getByTestId('due').textContent()).toBe('Vencido desde el 24 nov 2026');
      await page.getByRole('button', { name: 'English' }).click();

      // pay part of it by card: the receipt
      await page.getByRole('button', { name: 'Pay $1,417.51 now' }).click();
      await page.getByLabel('Amount to pay').fill('417.51');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByTestId('card-number').waitFor();
      await page.getByTestId('confirm-pay').click();
      const receipt = page.getByTestId('receipt');
      await receipt.waitFor();
      await expect.poll(() => receipt.getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
      const [paid] = await sql<{ id: string }[]>`select id from payment where account_id = ${late.id}`;
      const api = (
        await app.inject({
          method: 'GET',
          url: `/payments/${paid!.id}/receipt`,
          headers: {
            cookie: (await browser.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; '),
          },
        })
      ).json();
      expect(await page.getByTestId('receipt-confirmation').textContent()).toBe(api.confirmationNumber);
      expect(await page.getByTestId('receipt-amount').textContent()).toBe('$417.51');
      expect(await page.getByTestId('receipt-method').textContent()).toBe('Visa ending 4242');
      expect(await page.getByTestId('receipt-status').textContent()).toBe('Posted');
      expect(await page.getByTestId('receipt-posted').textContent()).toMatch(/^Dec \d{1,2}, 20\d\d, .* UTC$/);
      expect(await page.getByTestId('receipt-balance').textContent()).toBe('$1,000.00');
      expect(await accountBalanceCents(sql, late.id)).toBe(100_000);
      await browser.shot(`pastdue-receipt-${vp.name}`);
      expect(await accessibilityViolations(page)).toEqual([]);
      // the history shows the same confirmation number, and both dates
      const row = page.locator(`[data-testid=payments] tbody tr[data-payment="${paid!.id}"]`);
      await expect
        .poll(() => row.locator('td').allTextContents())
        .toEqual([
          expect.stringMatching(/^Received Dec \d{1,2}, 20\d\dPosted Dec \d{1,2}, 20\d\d$/),
          `${api.confirmationNumber}Visa ending 4242`,
          'Posted',
          '$417.51',
        ]);
      lastLate = { id: late.id, confirmation: api.confirmationNumber };
      // and another payment starts from an empty form
      await page.getByRole('button', { name: 'Make another payment' }).click();
      expect(await page.getByLabel('Amount to pay').inputValue()).toBe('');
      expect(await page.getByTestId('receipt').count()).toBe(0);

      if (vp.name === 'phone') {
        // the rest by plan: one press, and the banner says the plan is on
        await page.getByRole('button', { name: 'Overview', exact: true }).click();
        await expect.poll(() => page.getByTestId('past-due-amount').textContent()).toBe('$1,000.00');
        await page.getByRole('button', { name: 'Set up 3 payments of $333.34' }).click();
        await page.getByTestId('plan-active').waitFor();
        expect(await page.getByTestId('plan-active').textContent()).toContain(
          'Next payment: $333.34 due Dec 8, 2026.',
        );
        const [plan] = await sql<{ totalCents: number; status: string }[]>`
          select total_cents, status from payment_arrangement where account_id = ${late.id}`;
        expect(plan).toEqual({ totalCents: 100_000, status: 'active' });
        expect(await accessibilityViolations(page)).toEqual([]);
      }
    }, 120_000);
  }
  it('staff see the same past-due amount on the 360, and the payment in the same words with its confirmation number', async () => {
    expect(lastLate).not.toBeNull();
    const { page } = browser;
    await createUser(sql, {
      email: 'csr.pastdue@utility.test',
      displayName: 'CSR',
      password: PASSWORD,
      kind: 'staff',
      role: 'csr',
    });
    // the customer signs out first: one session per browser
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();
    await page.goto(`${base}/staff`);
    await page.getByLabel('Email').fill('csr.pastdue@utility.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Name, account number, address, meter number or phone').waitFor();
    await page.goto(`${base}/staff#/account/${lastLate!.id}/ledger`); // payments: the 360's Ledger tab
    const line = page.getByTestId('staff-past-due');
    await line.waitFor();
    expect(await line.textContent()).toContain('Past due $1,000.00 since Nov 24, 2026 (7 days)');
    const row = page.locator(`[data-testid=payments] tbody tr`).first();
    expect(await row.locator('td').allTextContents()).toEqual([
      expect.stringMatching(/^Dec \d{1,2}, 20\d\d$/),
      expect.stringMatching(/^Dec \d{1,2}, 20\d\d$/),
      lastLate!.confirmation,
      'Visa ending 4242',
      'Posted',
      '$417.51',
    ]);
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
