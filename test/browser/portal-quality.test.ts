// The portal as a product, in Chromium: the utility's own name, logo, colour and contacts from its profile;
// a help page; errors that say what happened and what to do (in Spanish by error code); skeletons while
// loading and empty states that say what comes next; an h1 on every page; a bill's explanation as a page of
// its own; and 44 px touch targets on a phone.
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRead } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { DEMO_UTILITY, type UtilityProfile } from '../../lib/config.js';
import { meteredAccount } from '../support/accounts.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { tieredWater } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

const CEDAR: UtilityProfile = {
  name: 'Cedar Falls Water & Sewer',
  remitTo: ['Cedar Falls Utilities', 'PO Box 77', 'Cedar Falls, IA 50613-0077'],
  phone: '(319) 555-0142',
  website: 'https://water.cedarfalls.example',
  emergencyPhone: '(319) 555-0911',
  officeHours: 'Mon–Fri 7:30 am – 4:30 pm',
  logo: DEMO_UTILITY.logo,
  brandColor: '#1f6f3a',
};

let sql: Sql;
let app: TestApp;
let browser: Browser;
let phone: Browser;
let base: string;
let billedId: string;
let billId: string;
const password = 'pw-for-quality-1';
const billed = 'billed.customer@example.test';
const fresh = 'new.customer@example.test';

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql), undefined, { billPrint: { utility: CEDAR } });
  const billing = await staffToken(app, sql, 'billing_admin');
  const a = await meteredAccount(sql, {
    service: 'water',
    unit: 'ccf',
    customerName: 'Ana Ruiz',
    tariff: tieredWater,
  });
  billedId = a.acct.id;
  for (const [day, value] of [
    ['2026-02-01', '100'],
    ['2026-03-01', '107'],
    ['2026-04-01', '119'],
  ] as const)
    await addRead(sql, { meterId: a.meter.id, readAt: `${day}T07:00:00Z`, value, source: 'ami' });
  for (const period of ['2026-02', '2026-03']) {
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/bills`,
      headers: bearer(billing),
      payload: { period },
    });
    expect(r.statusCode, r.body).toBe(201);
  }
  const [bill] = await sql<{ id: string }[]>`
    select id from bill where account_id = ${billedId} and period = '2026-03'`;
  billId = bill!.id;
  // a customer whose account has just started: no reads, bills or payments yet
  const b = await meteredAccount(sql, {
    service: 'water',
    unit: 'ccf',
    customerName: 'Li Chen',
    tariff: tieredWater,
  });
  await createUser(sql, {
    email: billed,
    displayName: 'Ana',
    password,
    kind: 'customer',
    accountIds: [billedId],
  });
  await createUser(sql, {
    email: fresh,
    displayName: 'Li',
    password,
    kind: 'customer',
    accountIds: [b.acct.id],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
  phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await phone?.close();
  await app?.close();
});

async function signIn(page: Page, email: string, pw = password) {
  await page.goto(`${base}/portal`);
  // by id: the labels are in the page's language
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(pw);
  await page.getByRole('button', { name: /^(Sign in|Iniciar sesión)$/ }).click();
}

const h1s = (page: Page) => page.locator('h1').allTextContents();

/** Every visible control a finger presses that is smaller than 44 × 44 px (links inside sentences excepted). */
const smallTargets = (page: Page) =>
  page.evaluate(() =>
    [
      ...document.querySelectorAll<HTMLElement>(
        'button, select, input:not([type=checkbox]):not([type=radio]), summary, header a, footer a, nav a, td a',
      ),
    ]
      .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden'))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.height < 43.5 || r.width < 43.5))
      .map(
        ({ el, r }) =>
          `${el.tagName.toLowerCase()} "${el.textContent?.trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`,
      ),
  );

describe('the portal as the utility’s own product', () => {
  it('shows the utility’s name, logo, colour and contacts before sign-in, and a help page', async () => {
    const { page } = browser;
    await page.goto(`${base}/portal`);
    await expect.poll(() => page.locator('header .brand').textContent()).toContain(CEDAR.name);
    const logo = page.locator('header .brand img');
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(128);
    // the header and the buttons take the brand colour, #1f6f3a
    expect(await page.locator('header').evaluate((h) => getComputedStyle(h).backgroundColor)).toBe(
      'rgb(31, 111, 58)',
    );
    expect(
      await page
        .getByRole('button', { name: 'Sign in' })
        .evaluate((b) => getComputedStyle(b).backgroundColor),
    ).toBe('rgb(31, 111, 58)');
    await expect.poll(() => page.title()).toBe(`Sign in · ${CEDAR.name}`);
    expect(await page.getByTestId('footer').textContent()).toContain('(319) 555-0142');
    await page.getByRole('link', { name: 'Help', exact: true }).click();
    expect(await h1s(page)).toEqual(['Help and contact']);
    const contact = await page.getByTestId('contact').textContent();
    for (const s of [
      CEDAR.phone!,
      CEDAR.emergencyPhone!,
      CEDAR.officeHours!,
      'water.cedarfalls.example',
      'PO Box 77',
    ])
      expect(contact).toContain(s);
    expect(
      await page.getByTestId('contact').getByRole('link', { name: CEDAR.phone! }).getAttribute('href'),
    ).toBe('tel:3195550142');
    await page.getByText('Why is my bill higher?').click();
    await browser.shot('portal-help');
    expect(await accessibilityViolations(page)).toEqual([]);
    // in Spanish: the page, its title and the questions
    await page.getByRole('button', { name: 'Español' }).click();
    expect(await h1s(page)).toEqual(['Ayuda y contacto']);
    await expect.poll(() => page.title()).toBe(`Ayuda y contacto · ${CEDAR.name}`);
    expect(await page.getByText('¿Por qué subió mi factura?').count()).toBe(1);
    await page.getByRole('button', { name: 'English' }).click();
  });

  it('says what went wrong and what to do, in Spanish by the error code, never "Something went wrong"', async () => {
    const { page } = browser;
    await page.goto(`${base}/portal`);
    await page.getByRole('button', { name: 'Español' }).click();
    await signIn(page, billed, 'not-the-password');
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe('Ese correo y esa contraseña no coinciden con ningún acceso. Revise ambos o cree un acceso.');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => alert.textContent())
      .toBe('That email and password do not match a login. Check both, or create a login.');
    // a server failure says to try later and whom to call; a network failure says to check the connection
    await signIn(page, billed);
    await page.getByTestId('balance').waitFor();
    await page.route('**/accounts/*/usage?**', (r) =>
      r.fulfill({
        status: 500,
        contentType: 'application/json',
        body: '{"error":{"type":"api_error","code":"internal_error","message":"boom"}}',
      }),
    );
    await page.getByRole('button', { name: 'Usage', exact: true }).click();
    await expect
      .poll(() => page.locator('#usage [role=alert]').textContent())
      .toBe(
        'Our system could not finish this just now. Please try again in a few minutes. If it keeps happening, call (319) 555-0142.',
      );
    await page.unroute('**/accounts/*/usage?**');
    await page.route('**/accounts/*/usage?**', (r) => r.abort('internetdisconnected'));
    await page.getByRole('button', { name: '24 months' }).click();
    await expect
      .poll(() => page.locator('#usage [role=alert]').textContent())
      .toBe('We could not reach the server. Check your internet connection and try again.');
    await page.unroute('**/accounts/*/usage?**');
    expect(await page.locator('body').textContent()).not.toMatch(/Something went wrong|Algo salió mal/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('shows a skeleton while the account loads, then an h1 on each tab', async () => {
    const { page } = browser;
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route(`**/accounts/${billedId}`, async (r) => {
      await held;
      await r.continue();
    });
    await signIn(page, billed);
    await page.getByTestId('account-loading').waitFor();
    expect(await page.getByTestId('account-loading').getAttribute('aria-busy')).toBe('true');
    await browser.shot('portal-skeleton');
    expect(await page.getByTestId('balance').count()).toBe(0);
    release();
    await page.getByTestId('balance').waitFor();
    await page.unroute(`**/accounts/${billedId}`);
    expect(await page.getByTestId('account-loading').count()).toBe(0);
    // the skip link moves focus to the page's content and leaves the open tab open
    await page.getByRole('button', { name: 'Usage', exact: true }).click();
    await page.getByRole('link', { name: 'Skip to content' }).press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(await h1s(page)).toEqual(['Usage']);
    for (const [tab, h1] of [
      ['Usage', 'Usage'],
      ['Bills', 'Bills'],
      ['Payments', 'Payments'],
      ['Settings', 'Settings'],
      ['Overview', 'Overview'],
    ] as const) {
      await page.getByRole('button', { name: tab, exact: true }).click();
      await expect.poll(() => h1s(page)).toEqual([h1]);
      await expect.poll(() => page.title()).toBe(`${h1} · ${CEDAR.name}`);
    }
    // autopay is changed or stopped on its own screen; the payments tab only says how it stands
    await page.getByRole('button', { name: 'Payments', exact: true }).click();
    await page.getByRole('button', { name: 'Change or stop autopay' }).click();
    await expect.poll(() => h1s(page)).toEqual(['Autopay']);
  });

  it('a bill’s explanation is a page of its own: linkable, with its h1, and Back returns to the bills', async () => {
    const { page } = browser;
    await page.goto(`${base}/portal#bill/${billId}`);
    await page.getByRole('heading', { level: 1, name: /Why this bill is different · Mar 2026/ }).waitFor();
    expect(await h1s(page)).toHaveLength(1);
    await expect.poll(() => page.title()).toBe(`Why this bill is different · ${CEDAR.name}`);
    await expect
      .poll(() => page.getByTestId('top-driver').textContent())
      .toMatch(/^Up \$16\.00 from Feb 2026/);
    await browser.shot('portal-bill-explanation-page');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Back to bills' }).click();
    await expect.poll(() => h1s(page)).toEqual(['Bills']);
    expect(new URL(page.url()).hash).toBe('#bills');
    // from the list: the browser's back button comes back to it
    await page.locator('tr[data-period="2026-03"]').getByTestId('explain-bill').click();
    await page.getByTestId('bill-explanation').waitFor();
    await page.goBack();
    await expect.poll(() => h1s(page)).toEqual(['Bills']);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('a new account’s empty tabs say what comes next, in English and Spanish', async () => {
    const { page } = browser;
    await signIn(page, fresh);
    await page.getByTestId('balance').waitFor();
    await expect
      .poll(() => page.getByTestId('no-usage').textContent())
      .toContain('after your meter is first read');
    expect(await page.getByTestId('no-bills').textContent()).toContain(
      'Your first bill shows here on its bill date',
    );
    await page.getByRole('button', { name: 'Payments', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('no-payments').textContent())
      .toContain('show here once we receive them');
    await browser.shot('portal-empty-payments');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Español' }).click();
    await expect
      .poll(() => page.getByTestId('no-payments').textContent())
      .toContain('No hay pagos en los últimos 24 meses.');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('on a phone every button, field and tab is at least 44 × 44 px', async () => {
    const { page } = phone;
    await signIn(page, billed);
    await page.getByTestId('balance').waitFor();
    for (const tab of ['Overview', 'Usage', 'Bills', 'Payments', 'Payment methods', 'Autopay', 'Settings']) {
      const button = page.getByRole('button', { name: tab, exact: true });
      if (!(await button.count())) continue;
      await button.click();
      await page.waitForLoadState('networkidle');
      expect(await smallTargets(page), tab).toEqual([]);
    }
    await page.getByRole('link', { name: 'Help', exact: true }).click();
    expect(await smallTargets(page), 'help').toEqual([]);
    await phone.shot('portal-phone-help');
    // the check itself finds small targets where there are some: on a desktop, text links stay text-sized
    await browser.page.goto(`${base}/portal#help`);
    await browser.page.getByTestId('contact').waitFor();
    expect((await smallTargets(browser.page)).length).toBeGreaterThan(0);
  });
});
