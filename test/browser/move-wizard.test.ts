// The portal's move wizard in Chromium against the real API, workers and database, on a phone and on a
// desktop: choose a transfer, a date (a past one is refused on the page, with the utility's today), find
// the new address, check the summary, send, and see the request waiting for approval; then the
// service-request panel tells a stop from a seasonal pause, in English and in Spanish. axe finds nothing.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRead, createPremise, createServicePoint } from '../../db/accounts.js';
import { issueBill, loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { addDays, monthlyPeriod } from '../../domain/period.js';
import { waterAccount } from '../support/accounts.js';
import { type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, launchBrowser } from '../support/browser.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let base: string;
const PASSWORD = 'pw-for-tests-1';

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  const to = await createPremise(sql, {
    addressLine1: '77 Juniper Way',
    city: 'Bend',
    state: 'OR',
    postalCode: '97703',
  });
  await createServicePoint(sql, to.id, 'water');
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  await app?.close();
});

/** A customer login for a water account billed through last month. */
async function mover(tag: string) {
  const a = await waterAccount(sql);
  const period = monthlyPeriod(addDays(`${TODAY.slice(0, 7)}-01`, -1).slice(0, 7));
  await addRead(sql, {
    meterId: a.meter.id,
    readAt: `${period.start}T08:00:00Z`,
    value: '10',
    source: 'ami',
  });
  await addRead(sql, {
    meterId: a.meter.id,
    readAt: `${addDays(period.end, 1)}T08:00:00Z`,
    value: '20',
    source: 'ami',
  });
  const facts = (await loadBillingInputs(sql, a.acct.id, period))!;
  const { segments } = calculateBill({ ...facts, validation: undefined }, period);
  await issueBill(sql, {
    accountId: a.acct.id,
    period,
    billDate: addDays(period.end, 1),
    dueDate: addDays(period.end, 21),
    workflowId: 'test',
    segments,
  });
  const email = `mover.${tag}@example.test`;
  await createUser(sql, {
    email,
    displayName: 'Mover',
    password: PASSWORD,
    kind: 'customer',
    customerId: a.customer.id,
    accountIds: [a.acct.id],
  });
  return { ...a, email };
}

const VIEWPORTS = [
  { name: 'phone', viewport: { width: 390, height: 844 } },
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
] as const;

describe('move wizard in Chromium', () => {
  for (const v of VIEWPORTS)
    it(`a customer transfers service to a new address (${v.name})`, async () => {
      const m = await mover(v.name);
      const browser = await launchBrowser({ viewport: v.viewport });
      try {
        const { page } = browser;
        await page.goto(`${base}/portal`);
        await page.getByLabel('Email').fill(m.email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Settings' }).click();
        const wizard = page.locator('#move-wizard');
        await expect.poll(() => wizard.getByTestId('move-step').textContent()).toContain('Step 1 of 4');
        // stop and transfer say what each does
        await expect
          .poll(() => wizard.textContent())
          .toContain('we read the meter, send a final bill and close the account');
        await wizard.getByLabel(/Transfer service to a new address/).check();
        await wizard.getByRole('button', { name: 'Next' }).click();

        // a day in the past is refused on the page, naming the utility's today; nothing is sent
        await wizard.getByLabel('Moving date').fill(addDays(TODAY, -1));
        await wizard.getByRole('button', { name: 'Next' }).click();
        await expect.poll(() => wizard.getByRole('alert').textContent()).toContain('That date has passed');
        const moveDate = addDays(TODAY, 14);
        await wizard.getByLabel('Moving date').fill(moveDate);
        await wizard.getByRole('button', { name: 'Next' }).click();

        await wizard.getByLabel('Street, city or ZIP of the new address').fill('nowhere street');
        await wizard.getByRole('button', { name: 'Search' }).click();
        await expect.poll(() => wizard.getByTestId('move-no-hits').isVisible()).toBe(true);
        await wizard.getByLabel('Street, city or ZIP of the new address').fill('juniper');
        await wizard.getByRole('button', { name: 'Search' }).click();
        await wizard.getByLabel('77 Juniper Way, Bend, OR 97703').check();
        await wizard.getByRole('button', { name: 'Next' }).click();

        const summary = wizard.getByTestId('move-summary');
        await expect.poll(() => summary.textContent()).toContain('77 Juniper Way, Bend, OR 97703');
        expect(await summary.textContent()).toContain('12 Elm St');
        expect(await accessibilityViolations(page)).toEqual([]);
        await browser.shot(`move-wizard-confirm-${v.name}`);
        // touch targets on a phone: every button in the wizard at least 44 px tall
        if (v.name === 'phone')
          for (const h of await wizard
            .getByRole('button')
            .evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().height)))
            expect(h).toBeGreaterThanOrEqual(44);
        await wizard.getByRole('button', { name: 'Send the request' }).click();

        await expect
          .poll(() => wizard.getByTestId('move-status').getAttribute('data-status'), { timeout: 20_000 })
          .toBe('awaiting_approval');
        expect(await wizard.getByTestId('move-status').textContent()).toContain('waiting for approval');
        const [row] = await sql<{ kind: string; details: Record<string, string> }[]>`
          select kind, details from service_request where account_id = ${m.acct.id}`;
        expect(row).toMatchObject({ kind: 'transfer', details: { move_date: moveDate } });
        expect(await accessibilityViolations(page)).toEqual([]);
        await browser.shot(`move-wizard-status-${v.name}`);
      } finally {
        await browser.close();
      }
    });

  it('a stop and a seasonal pause read apart, in English and in Spanish', async () => {
    const m = await mover('words');
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.goto(`${base}/portal`);
      await page.getByLabel('Email').fill(m.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Settings' }).click();
      // stopping is the move wizard's alone; the request form offers the pause and points to the wizard
      const kind = page.locator('#sr-kind');
      const help = page.getByTestId('sr-kind-help');
      const wizard = page.locator('#move-wizard');
      const stopChoice = wizard.locator('label.choice', { has: page.locator('input[value=stop_service]') });
      expect(await kind.locator('option[value=stop_service]').count()).toBe(0);
      expect((await stopChoice.textContent())?.trim()).toBe(
        'Stop service — Service ends on the date you choose: we read the meter, send a final bill and close the account.',
      );
      expect(await page.getByTestId('sr-stop-pointer').textContent()).toContain(
        'Stopping service or moving?',
      );
      await kind.selectOption('seasonal_suspend');
      expect(await kind.locator('option:checked').textContent()).toBe('Pause service for the season');
      expect(await help.textContent()).toContain('fixed monthly charges may continue');

      await page.getByRole('button', { name: 'Español' }).click();
      expect(await stopChoice.textContent()).toContain('Dar de baja el servicio — ');
      expect(await stopChoice.textContent()).toContain('factura final');
      await kind.selectOption('seasonal_suspend');
      expect(await kind.locator('option:checked').textContent()).toBe('Pausar el servicio por temporada');
      expect(await help.textContent()).toContain('los cargos fijos mensuales pueden seguir');
      expect(await page.getByTestId('sr-stop-pointer').textContent()).toContain('¿Se muda?');
      expect(await page.locator('#move-wizard h2').textContent()).toContain('¿Se muda?');
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
