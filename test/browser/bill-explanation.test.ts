// "Why is this bill different?" in Chromium: a customer opens the explanation of a bill the billing workflow
// issued, and sees the hand-worked top driver first, the comparison table and each line explained.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRead } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { meteredAccount } from '../support/accounts.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { tieredWater } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let browser: Browser;
let base: string;
let accountId: string;
const email = 'explain.customer@example.test';
const password = 'pw-for-explain-1';

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  const billing = await staffToken(app, sql, 'billing_admin');
  const a = await meteredAccount(sql, {
    service: 'water',
    unit: 'ccf',
    customerName: 'Rosa Delgado',
    tariff: tieredWater,
  });
  accountId = a.acct.id;
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
  await createUser(sql, { email, displayName: 'Rosa', password, kind: 'customer', accountIds: [a.acct.id] });
  await createUser(sql, {
    email: 'csr.explain@utility.test',
    displayName: 'CSR',
    password,
    kind: 'staff',
    role: 'csr',
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('bill explanation in the portal', () => {
  it('opens from the bill and puts the largest driver first', async () => {
    const { page } = browser;
    await page.goto(`${base}/portal`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Bills', exact: true }).click();
    await page.locator('tr[data-period="2026-03"]').getByTestId('explain-bill').click();
    await page.getByRole('heading', { level: 1, name: /Why this bill is different/ }).waitFor();
    // Mar $40.00 against Feb $24.00: up $16.00; usage +850c, tier +600c, days +150c (hand-worked in the
    // integration test)
    await expect
      .poll(() => page.getByTestId('top-driver').textContent())
      .toBe('Up $16.00 from Feb 2026 Mostly: +5 ccf of Water used.');
    expect(await page.getByTestId('drivers').locator('li').allTextContents()).toEqual([
      '+5 ccf of Water used: +$8.50',
      '+2 ccf in tier 2: +$6.00',
      '3 more days: +$1.50',
    ]);
    expect(await page.getByTestId('lines-water').textContent()).toContain('tier 2: above 10');
    await page.getByText('How this was calculated').first().click();
    await browser.shot('bill-explanation');
    expect(await accessibilityViolations(page)).toEqual([]);
    // the same figures in Spanish, worded by the portal
    await page.getByRole('button', { name: 'Español' }).click();
    await expect.poll(() => page.getByTestId('top-driver').textContent()).toContain('Subió');
    expect(await page.getByTestId('drivers').locator('li').first().textContent()).toMatch(
      /^\+5 ccf de Agua consumidos: \+/,
    );
    expect(await page.getByTestId('lines-water').textContent()).toContain('tramo 2: más de 10');
  });

  it('the staff 360 explains a bill in one click with the same component', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'English' }).click();
    await browser.context.clearCookies(); // the customer's session ends; a CSR signs in
    await page.goto(`${base}/staff`);
    await page.getByLabel('Email').fill('csr.explain@utility.test');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Search' }).waitFor();
    await page.goto(`${base}/staff#/account/${accountId}/ledger`); // the bills are on the 360's Ledger tab
    await page.locator('tr[data-period="2026-03"]').getByTestId('explain-bill').click();
    await page.getByRole('heading', { level: 2, name: /Why this bill is different/ }).waitFor();
    await expect
      .poll(() => page.getByTestId('top-driver').textContent())
      .toBe('Up $16.00 from Feb 2026 Mostly: +5 ccf of Water used.');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
