// Usage drill-down in Chromium against the real API: the customer goes from the monthly chart to the days of
// November (each with an estimated cost) and to the hours of Nov 1, the fall-back day in Chicago (25 rows),
// by keyboard-operable buttons; the overview shows an open leak episode; axe finds no WCAG A/AA violation.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { clockStartingAt } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { meteredAccount } from '../support/accounts.js';
import { type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { hourlyRows, insertIntervals } from '../support/intervals.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let browser: Browser;
let base: string;
const email = 'drill.customer@example.test';
const PASSWORD = 'pw-for-drill-test-1';

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const clock = clockStartingAt('2026-12-03T18:00:00.000Z', 'America/Chicago');
  const t = await startWorkers(sql, { clock });
  app = await testApp(sql, t, undefined, { clock });
  const a = await meteredAccount(sql, {
    service: 'water',
    unit: 'gal',
    tariff: simpleTariff('water', 'gal', '18.60', '0.01'),
    customerName: 'Drill Customer',
  });
  const from = '2026-10-01T05:00:00.000Z';
  const hours = (Date.parse('2026-12-03T06:00:00.000Z') - Date.parse(from)) / 3_600_000;
  await insertIntervals(
    sql,
    hourlyRows(a.meter.id, from, hours, () => '1.25'),
  );
  await sql`insert into leak_episode (id, meter_id, service_point_id, account_id, kind, status, started_at, last_seen_at, evidence)
    values (${newId('leak')}, ${a.meter.id}, ${a.servicePoint.id}, ${a.acct.id}, 'continuous', 'open',
            '2026-12-02T06:00:00Z', '2026-12-03T12:00:00Z',
            ${sql.json({ unit: 'gal', hours: 31, atLeast: false, lowestHourly: '1.25', night: null, nightLowest: null, nightNormal: null })})`;
  await createUser(sql, {
    email,
    displayName: 'Drill',
    password: PASSWORD,
    kind: 'customer',
    accountIds: [a.acct.id],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('usage drill-down', () => {
  it('overview shows the open leak; month → days (with costs) → hours of the fall-back day, by keyboard; axe is clean', async () => {
    const { page } = browser;
    await page.goto(`${base}/portal`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('leak-banner').textContent())
      .toContain('Possible leak since Dec 2, 2026: water ran every hour for 31 hours.');
    await page.getByRole('button', { name: 'Usage' }).click();
    const month = page.getByRole('button', { name: 'Days of Nov 2026' });
    await month.focus();
    await page.keyboard.press('Enter');
    const days = page.getByTestId('days-table');
    await expect.poll(() => days.locator('tbody tr').count()).toBe(30);
    const first = await days.locator('tbody tr').first().locator('td').allTextContents();
    // 25 hours x 1.25 gal = 31.25 gal: 31 cents of water and 62 cents of the month's charge
    expect(first).toEqual(['31.25', '$0.93']);
    expect(await page.getByTestId('usage-drill').textContent()).toContain('Costs are estimates');
    await days.getByRole('button', { name: 'Nov 1, 2026' }).focus();
    await page.keyboard.press('Enter');
    const hoursTable = page.getByTestId('hours-table');
    await expect.poll(() => hoursTable.locator('tbody tr').count()).toBe(25);
    const labels = await hoursTable.locator('tbody th').allTextContents();
    expect(labels.filter((l) => l === '01:00')).toHaveLength(2);
    expect(await accessibilityViolations(page)).toEqual([]);
    await browser.shot('usage-drill-hours');
    await page.getByRole('button', { name: 'Back to the days of Nov 2026' }).click();
    await expect.poll(() => page.getByTestId('days-table').locator('tbody tr').count()).toBe(30);
  });
});
