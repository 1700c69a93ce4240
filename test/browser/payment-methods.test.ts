// The portal's payment-method, autopay and contact screens in Chromium, on a phone and on a desktop, against
// the real API, workers, database and the project's Stripe fake (Stripe.js stubbed at the network layer; its
// confirm call relayed to the fake). A customer saves a card, turns autopay on and sees the next debit,
// replaces the card without calling anyone (a new card takes over autopay, the old one is removed), adds a
// mobile number with the SMS consent wording and confirms it with the texted code, confirms an email by its
// link, and sees alerts named in plain words, in English and Spanish. axe finds no WCAG A/AA violation.
import type { AddressInfo } from 'node:net';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { SMS_CONSENT_TEXT, SMS_CONSENT_VERSION } from '../../domain/messages/sms-consent.js';
import { StripeFake } from '../fakes/stripe.js';
import { simpleBill, waterAccount } from '../support/accounts.js';
import { type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

const PASSWORD = 'wallet correct horse';
let sql: Sql;
let app: TestApp;
let stripe: StripeFake;
let base: string;

// What the page gets from https://js.stripe.com/v3: a Payment Element that is a plain card-number field, and
// a confirmSetup that posts to Stripe's confirm endpoint with the client secret, as Stripe.js does. The card
// number typed picks one of Stripe's test methods.
const STRIPE_JS_STUB = `
window.Stripe = function (publishableKey) {
  if (!/^pk_/.test(publishableKey)) throw new Error('bad publishable key');
  var field;
  return {
    elements: function (opts) {
      return {
        clientSecret: opts.clientSecret,
        create: function () {
          return {
            mount: function (el) {
              el.innerHTML = '<label>Card number <input data-testid="card-number" value="4242 4242 4242 4242"></label>';
              field = el.querySelector('input');
            },
            destroy: function () {},
          };
        },
      };
    },
    confirmSetup: async function (o) {
      var id = o.elements.clientSecret.split('_secret_')[0];
      var digits = field.value.replace(/\\D/g, '');
      var pm = digits.endsWith('4444') ? 'pm_card_mastercard' : 'pm_card_visa';
      var r = await fetch('https://api.stripe.com/v1/setup_intents/' + id + '/confirm', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'client_secret=' + encodeURIComponent(o.elements.clientSecret) + '&payment_method=' + pm + '&key=' + publishableKey,
      });
      var si = await r.json();
      return r.ok ? { setupIntent: si } : { error: si.error };
    },
  };
};`;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  stripe = await new StripeFake().start();
  const t = await startWorkers(sql, { stripe: stripe.client });
  process.env.STRIPE_PUBLISHABLE_KEY = 'pk_test_wallet';
  app = await testApp(sql, t, { client: stripe.client, webhookSecret: stripe.webhookSecret });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  await app?.close();
  await stripe?.stop();
  delete process.env.STRIPE_PUBLISHABLE_KEY;
});

/** A customer with a login, a verified email and the November bill: $84.12, due Dec 21 (today is Dec 1). */
async function customerWithBill(n: number) {
  const w = await waterAccount(sql);
  await simpleBill(sql, {
    accountId: w.acct.id,
    agreementId: w.agreementId,
    period: '2026-11',
    totalCents: 8_412,
    dueDate: '2026-12-21',
  });
  const email = `wallet.${n}.${w.acct.id.slice(-6).toLowerCase()}@example.test`;
  await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
    values (${`cc_w${n}${w.acct.id.slice(-8)}`}, ${w.customer.id}, 'email', ${email}, now())`;
  await createUser(sql, {
    email,
    displayName: 'Wallet Customer',
    password: PASSWORD,
    kind: 'customer',
    accountIds: [w.acct.id],
  });
  return { accountId: w.acct.id as string, customerId: w.customer.id as string, email };
}

async function withStripeStub(browser: Browser) {
  await browser.context.route('https://js.stripe.com/v3**', (route: Route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: STRIPE_JS_STUB }),
  );
  // Stripe's API as the browser calls it, relayed to the fake (the same wire format)
  await browser.context.route('https://api.stripe.com/**', async (route: Route) => {
    const req = route.request();
    const url = new URL(req.url());
    const r = await fetch(`${stripe.url}${url.pathname}${url.search}`, {
      method: req.method(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: req.method() === 'GET' ? undefined : (req.postData() ?? ''),
    });
    return route.fulfill({
      status: r.status,
      headers: { 'access-control-allow-origin': '*' },
      contentType: 'application/json',
      body: await r.text(),
    });
  });
}

const VIEWPORTS = [
  { name: 'phone', viewport: { width: 390, height: 844 } },
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
] as const;

describe.each(VIEWPORTS)('payment methods, autopay and contacts on a $name', ({ name, viewport }) => {
  let browser: Browser;
  let who: Awaited<ReturnType<typeof customerWithBill>>;
  beforeAll(async () => {
    who = await customerWithBill(viewport.width);
    browser = await launchBrowser({ viewport });
    await withStripeStub(browser);
  }, 60_000);
  afterAll(() => browser?.close());

  const tab = (label: string) => browser.page.getByRole('button', { name: label, exact: true }).click();
  const methodRow = (pm: string) => browser.page.locator(`[data-testid=methods] li[data-method=${pm}]`);
  const noViolations = async () => expect(await accessibilityViolations(browser.page)).toEqual([]);

  it('saves a card, turns autopay on and shows the next debit, then replaces the card without a call', async () => {
    const { page } = browser;
    await page.goto(`${base}/portal`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('balance').waitFor();

    await tab('Payment methods');
    await expect.poll(() => page.getByTestId('methods-empty').textContent()).toContain('No saved cards');
    await noViolations();
    await page.getByRole('button', { name: 'Add a payment method' }).click();
    await page.getByTestId('card-number').waitFor();
    await page.getByTestId('confirm-setup').click();
    await expect.poll(() => methodRow('pm_card_visa').textContent()).toContain('Visa …4242, expires 12/2034');
    const cus = (
      await sql<{ id: string }[]>`select stripe_customer_id as id from account where id = ${who.accountId}`
    )[0]!.id;
    expect(stripe.paymentMethods.get('pm_card_visa')?.customer).toBe(cus);

    // autopay with it, three days before the due date: the next debit is Dec 18 for the bill's $84.12
    await tab('Autopay');
    await expect
      .poll(() => page.getByTestId('autopay-screen-status').textContent())
      .toContain('Autopay is off');
    await page.getByLabel('Pay with').selectOption('pm_card_visa');
    await page.getByLabel('When').selectOption('3');
    await page.getByRole('button', { name: 'Turn on autopay' }).click();
    await expect
      .poll(() => page.getByTestId('autopay-screen-status').textContent())
      .toBe('Autopay is on: Visa …4242, 3 days before the due date.');
    await expect
      .poll(() => page.getByTestId('next-debit').textContent())
      .toBe('Next payment: Dec 18, 2026 · $84.12');
    await noViolations();
    await browser.shot(`wallet-${name}-autopay`);

    // a new card, which takes over autopay; the old one is then removed
    await tab('Payment methods');
    await page.getByRole('button', { name: 'Add a payment method' }).click();
    await page.getByTestId('card-number').fill('5555 5555 5555 4444');
    await page.getByTestId('confirm-setup').click();
    await expect
      .poll(() => methodRow('pm_card_mastercard').textContent())
      .toContain('Mastercard …4444, expires 03/2031');
    await page.getByTestId('offer-autopay').waitFor();
    await noViolations();
    // the card autopay uses cannot be removed from here: the page says what to do first
    await methodRow('pm_card_visa').getByRole('button', { name: 'Remove' }).click();
    await expect
      .poll(() => methodRow('pm_card_visa').getByRole('alertdialog').textContent())
      .toContain('Choose another method for autopay first');
    await methodRow('pm_card_visa').getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('offer-autopay').getByRole('button', { name: 'Use for autopay' }).click();
    await expect
      .poll(() => page.getByTestId('methods-note').textContent())
      .toBe('Autopay now pays with Mastercard …4444.');
    await expect.poll(() => methodRow('pm_card_mastercard').textContent()).toContain('Used by autopay');
    await methodRow('pm_card_mastercard').getByRole('button', { name: 'Make default' }).click();
    await expect.poll(() => methodRow('pm_card_mastercard').textContent()).toContain('Default');
    await methodRow('pm_card_visa').getByRole('button', { name: 'Remove' }).click();
    await noViolations();
    await methodRow('pm_card_visa').getByRole('button', { name: 'Yes, remove it' }).click();
    await expect.poll(() => page.getByTestId('methods-note').textContent()).toBe('Visa …4242 is removed.');
    await expect.poll(() => page.locator('[data-testid=methods] li').count()).toBe(1);
    await browser.shot(`wallet-${name}-methods`);
    // what the page says is what Stripe and the database hold
    expect(stripe.paymentMethods.get('pm_card_visa')?.customer).toBeNull();
    expect(stripe.customers.get(cus)?.invoice_settings.default_payment_method).toBe('pm_card_mastercard');
    const [enrolment] = await sql`select payment_method_ref, days_before_due, status from autopay_enrollment
      where account_id = ${who.accountId}`;
    expect(enrolment).toMatchObject({
      paymentMethodRef: 'pm_card_mastercard',
      daysBeforeDue: 3,
      status: 'active',
    });
    await tab('Autopay');
    await expect
      .poll(() => page.getByTestId('autopay-screen-status').textContent())
      .toBe('Autopay is on: Mastercard …4444, 3 days before the due date.');
    // changed on this screen: on the due date itself
    await page.getByLabel('When').selectOption('0');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => page.getByTestId('next-debit').textContent())
      .toBe('Next payment: Dec 21, 2026 · $84.12');
    // and stopped, asked first
    await page.getByRole('button', { name: 'Stop autopay' }).click();
    await noViolations();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Stop autopay' }).click();
    await expect
      .poll(() => page.getByTestId('autopay-screen-status').textContent())
      .toContain('Autopay is off');
    const [stopped] = await sql`select status from autopay_enrollment where account_id = ${who.accountId}`;
    expect(stopped).toEqual({ status: 'cancelled' });
  });

  it('adds a mobile number with the SMS consent wording, confirms it by code; alerts are named in plain words', async () => {
    const { page } = browser;
    await tab('Settings');
    const contacts = page.locator('#contacts');
    await expect.poll(() => contacts.getByTestId('contacts').textContent()).toContain(who.email);
    await contacts.getByLabel('Mobile', { exact: true }).check();
    await expect.poll(() => contacts.getByTestId('sms-consent').textContent()).toBe(SMS_CONSENT_TEXT.en);
    await contacts.getByLabel('Mobile number (10 digits)').fill('(541) 555-0199');
    await contacts.getByLabel('I agree to get text messages as described above').check();
    await noViolations();
    await contacts.getByRole('button', { name: 'Add mobile number' }).click();
    await expect
      .poll(() => contacts.getByTestId('contacts-note').textContent())
      .toContain('We texted a 6-digit code to (541) 555-0199');
    const [added] = await sql<{ id: string; code: string }[]>`
      select c.id, n.data->>'code' as code from customer_contact c
      join notification n on n.alert = 'contact_verification' and n.data->>'contactId' = c.id
      where c.customer_id = ${who.customerId} and c.kind = 'sms'`;
    // the consent was stored with its wording's version
    const [consent] =
      await sql`select text_version, language from sms_consent where contact_id = ${added!.id}`;
    expect(consent).toEqual({ textVersion: SMS_CONSENT_VERSION, language: 'en' });
    await contacts.getByLabel('The 6-digit code we texted to (541) 555-0199').fill(added!.code);
    await contacts.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => contacts.getByTestId('contacts-note').textContent())
      .toBe('(541) 555-0199 is confirmed.');
    await expect
      .poll(() => contacts.locator(`li[data-contact=${added!.id}]`).getAttribute('data-verified'))
      .toBe('true');
    await expect
      .poll(() => contacts.locator(`li[data-contact=${added!.id}]`).textContent())
      .toMatch(/You agreed to text messages on [A-Z][a-z]{2} \d{1,2}, \d{4}\./);

    // the only confirmed email, which alerts go to, cannot be removed: the page says why
    const emailRow = contacts.locator('li', { hasText: who.email });
    await emailRow.getByRole('button', { name: 'Remove' }).click();
    await emailRow.getByRole('button', { name: 'Yes, remove it' }).click();
    await expect
      .poll(() => contacts.getByRole('alert').textContent())
      .toContain('last confirmed contact your alerts go to');

    // alert types in plain words
    const alerts = page.getByTestId('alerts');
    await expect
      .poll(() => alerts.locator('tr[data-alert=bill_ready] th').textContent())
      .toBe('A new bill is ready');
    expect(await alerts.textContent()).not.toContain('bill ready');
    await noViolations();
    await browser.shot(`wallet-${name}-contacts`);

    // and in Spanish
    await page.getByRole('button', { name: 'Español' }).click();
    await expect
      .poll(() => alerts.locator('tr[data-alert=bill_ready] th').textContent())
      .toBe('Hay una factura nueva');
    await contacts.getByLabel('Celular', { exact: true }).check();
    await expect.poll(() => contacts.getByTestId('sms-consent').textContent()).toBe(SMS_CONSENT_TEXT.es);
    await expect
      .poll(() => page.getByRole('button', { name: 'Formas de pago', exact: true }).count())
      .toBe(1);
    // a refusal is worded in Spanish too, from its error code
    await emailRow.getByRole('button', { name: 'Quitar' }).click();
    await emailRow.getByRole('button', { name: 'Sí, quitarlo' }).click();
    await expect
      .poll(() => contacts.getByRole('alert').textContent())
      .toContain('Es el último contacto confirmado al que se envían sus avisos');
    await noViolations();
    await page.getByRole('button', { name: 'English' }).click();
  });

  it('an emailed confirmation link confirms the address on the page it opens', async () => {
    const { page } = browser;
    const contacts = page.locator('#contacts');
    await contacts.getByLabel('Email', { exact: true }).check();
    const address = `second.${name}@example.test`;
    await contacts.getByLabel('Email address').fill(address);
    await contacts.getByRole('button', { name: 'Add email address' }).click();
    await expect
      .poll(() => contacts.getByTestId('contacts-note').textContent())
      .toContain(`We emailed a link to ${address}`);
    const [n] = await sql<{ link: string }[]>`select n.data->>'link' as link from notification n
      join customer_contact c on c.id = n.data->>'contactId'
      where n.alert = 'contact_verification' and c.value = ${address}`;
    const link = new URL(n!.link);
    expect(link.pathname).toBe('/portal/verify-contact');
    await page.goto(`${base}${link.pathname}${link.search}`);
    await expect
      .poll(() => page.getByTestId('contact-link-result').textContent())
      .toBe('Your email address is confirmed. Alerts can go to it now.');
    expect(new URL(page.url()).pathname).toBe('/portal');
    const [c] = await sql`select verified_at from customer_contact where value = ${address}`;
    expect(c!.verifiedAt).not.toBeNull();
    await noViolations();
  });
});
