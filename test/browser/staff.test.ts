// The staff console in Chromium against the real API, workers and database: find an account by meter number,
// resolve a held bill from the exceptions queue and watch it issue on an open account page, run a bill run
// from the dashboard, and read the reports.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { DEMO_PASSWORD, seedDemo } from '../../db/demo/seed.js';
import { createUser } from '../../db/users.js';
import { confirmationNumber } from '../../domain/payment-receipt.js';
import { newId } from '../../lib/ids.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let browser: Browser;
let base: string;
let held: Awaited<ReturnType<typeof heldAccount>>;
let second: Awaited<ReturnType<typeof heldAccount>>;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const t = await startWorkers(sql);
  app = await testApp(sql, t);
  await seedDemo(sql, { accounts: 10, billedMonths: 23 });

  const token = await staffToken(app, sql, 'billing_admin');
  // more accounts of one name than a page of search shows
  for (let i = 1; i <= 25; i++) {
    const c = await createCustomer(sql, { name: `Pagewalker ${String(i).padStart(2, '0')}` });
    await createAccount(sql, { customerId: c.id });
  }
  held = await heldAccount('Held Hopper', 77, token);
  second = await heldAccount('Second Held', 78, token);

  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** An account whose September usage (90 ccf after 10) is held for staff. */
async function heldAccount(name: string, street: number, token: string) {
  const cust = await createCustomer(sql, { name });
  const acct = await createAccount(sql, { customerId: cust.id });
  const prem = await createPremise(sql, {
    addressLine1: `${street} Exception Way`,
    city: 'Riverton',
    state: 'OR',
    postalCode: '97477',
  });
  const sp = await createServicePoint(sql, prem.id, 'water');
  const serial = `WX${newId('mtr').slice(-6)}`;
  const meter = await createMeter(sql, { serialNumber: serial, kind: 'water', unit: 'ccf', dialCount: 4 });
  await installMeter(sql, meter.id, sp.id, '2020-01-01T00:00:00Z');
  const rsId = newId('rs');
  await sql`insert into rate_schedule (id, code, name, service_type) values (${rsId}, ${`W-${rsId.slice(-6)}`}, 'Water flat', 'water')`;
  await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff) values (${newId('rv')}, ${rsId}, '2020-01-01',
    ${sql.json(simpleTariff('water', 'ccf', '18.40', '3.62'))})`;
  await createServiceAgreement(sql, {
    accountId: acct.id,
    servicePointId: sp.id,
    rateScheduleId: rsId,
    startDate: '2020-01-01',
  });
  for (const [at, value] of [
    ['2026-08-01', '100'],
    ['2026-09-01', '110'],
    ['2026-10-01', '200'],
  ] as const) {
    await addRead(sql, { meterId: meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' });
  }
  const bill = (period: string) =>
    app.inject({
      method: 'POST',
      url: `/accounts/${acct.id}/bills`,
      headers: bearer(token),
      payload: { period },
    });
  expect((await bill('2026-08')).statusCode).toBe(201);
  const h = await bill('2026-09');
  expect(h.statusCode, h.body).toBe(409);
  expect(h.json().status).toBe('held');
  return { accountId: acct.id, accountNumber: acct.accountNumber, serial, meterId: meter.id };
}

describe('staff console in Chromium', () => {
  it('finds an account by its meter number and shows it on one screen', async () => {
    const { page } = browser;
    await page.goto(`${base}/staff`);
    await page.getByLabel('Email').fill('billing@cisflow.local');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Name, account number, address, meter number or phone').fill(held.serial);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator('[data-testid=search-results] tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('Held Hopper');
    expect(await row.locator('td').last().textContent()).toBe('meter');
    await page.getByRole('link', { name: held.accountNumber }).click();
    await page.getByRole('heading', { name: `Held Hopper · ${held.accountNumber}` }).waitFor();
    await page.getByTestId('timeline-entries').waitFor();
    const tabs = page.getByRole('navigation', { name: 'Account sections' });
    await tabs.getByRole('link', { name: 'Ledger' }).click();
    await expect.poll(() => page.locator('[data-testid=bills] tbody tr').count()).toBe(1); // August only
    await tabs.getByRole('link', { name: 'Cases and workflows' }).click();
    await expect.poll(() => page.locator('[data-testid=workflows] li').count()).toBeGreaterThan(0);
    // a workflow is named by what it drives, its id kept beside it for ops
    const august = page.locator('[data-testid=workflows] li', { hasText: 'Bill · ' }).first();
    await august.waitFor();
    expect(await august.locator('.wf-name').textContent()).toMatch(/^Bill · (Aug|Sep) 2026 · (issued|held)$/);
    expect(await august.locator('.wf-id').textContent()).toContain('Temporal UI: ');
    await browser.shot('staff-1-account-360');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows the portal logins linked to the account and removes one, audited', async () => {
    const { page } = browser;
    const email = 'linked.someone@example.test';
    const userId = await createUser(sql, {
      email,
      displayName: 'Linked Someone',
      password: 'pw-for-tests-1',
      kind: 'customer',
      accountIds: [held.accountId],
    });
    await page.reload();
    await page
      .getByRole('navigation', { name: 'Account sections' })
      .getByRole('link', { name: 'Details' })
      .click();
    const logins = page.getByTestId('linked-logins');
    await expect.poll(() => logins.textContent()).toContain(email);
    await logins.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByText('No portal logins.').count()).toBe(1);
    expect(
      await sql`select 1 from portal_account_access where account_id = ${held.accountId} and user_id = ${userId}`,
    ).toHaveLength(0);
    const [audit] = await sql<{ actorRole: string; resourceId: string }[]>`
      select actor_role, resource_id from audit_log where resource_type = 'portal_login' order by id desc limit 1`;
    expect(audit).toMatchObject({ actorRole: 'billing_admin', resourceId: userId });
    // the next test watches the ledger tab of this open page
    await page
      .getByRole('navigation', { name: 'Account sections' })
      .getByRole('link', { name: 'Ledger' })
      .click();
    await page.getByTestId('bills').waitFor();
  });

  it('resolves a held bill from the exceptions queue, and the bill appears on the open account page', async () => {
    const accountPage = browser.page; // still on the account, listening for its events
    const queue = await browser.context.newPage();
    await queue.goto(`${base}/staff#/exceptions`);
    const row = queue.locator(`[data-account="${held.accountNumber}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('2026-09');
    await browser.shot('staff-2-exceptions-queue', queue);
    expect(await accessibilityViolations(queue)).toEqual([]);
    await row.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => row.getByRole('status').textContent()).toContain('Approved');

    await expect
      .poll(
        async () =>
          (
            await sql`select status, total_cents::int as total_cents from bill where account_id = ${held.accountId} and period = '2026-09'`
          )[0],
        { timeout: 15_000 },
      )
      .toMatchObject({ status: 'issued', totalCents: 34420 }); // 18.40 + 90 ccf x 3.62
    // pushed to the account page that was already open: no reload
    await expect
      .poll(() => accountPage.locator('[data-testid=bills] tr[data-period="2026-09"]').count(), {
        timeout: 5_000,
      })
      .toBe(1);
    const [exc] = await sql`select status from bill_exception where account_id = ${held.accountId}`;
    expect(exc).toMatchObject({ status: 'resolved' });
    await browser.shot('staff-3-bill-issued-live', accountPage);

    // the other held bill: the 200 read was mistyped; correct it to 120 and the bill re-rates and issues
    const other = queue.locator(`[data-account="${second.accountNumber}"]`);
    await other.getByRole('button', { name: 'Adjust read' }).click();
    const form = other.getByTestId('adjust-read');
    const [bad] = await sql<
      { id: string }[]
    >`select id from meter_read where meter_id = ${second.meterId} and value = 200`;
    await form.getByLabel('Read to correct').selectOption(bad!.id);
    await form.getByLabel('Corrected register value').fill('120');
    await browser.shot('staff-3b-adjust-read', queue);
    await form.getByRole('button', { name: 'Correct and re-rate' }).click();
    await expect.poll(() => other.getByRole('status').textContent()).toContain('Read corrected');
    await expect
      .poll(
        async () =>
          (
            await sql`select status, total_cents::int as total_cents from bill where account_id = ${second.accountId} and period = '2026-09'`
          )[0],
        { timeout: 15_000 },
      )
      .toMatchObject({ status: 'issued', totalCents: 5460 }); // 18.40 + 10 ccf x 3.62
    await queue.close();
  });

  it('acts on the account from the 360: an adjustment (billing role), a dispute and a re-read, each shown at once', async () => {
    const { page } = browser;
    await page.goto(`${base}/staff#/account/${held.accountId}/cases`);
    await page.getByTestId('dunning').waitFor();
    await page.getByTestId('quick-actions').getByRole('button', { name: 'Post an adjustment' }).click();
    expect(await page.locator('#act').inputValue()).toBe('adjustment');
    const balance = async () =>
      Number(
        (
          await sql<{ b: string }[]>`select coalesce(sum(p.amount_cents), 0)::text as b from posting p
            join ledger_account la on la.id = p.ledger_account_id where la.account_id = ${held.accountId}`
        )[0]!.b,
      );
    const before = await balance();
    await page.locator('#act-kind').selectOption('credit');
    await page.locator('#act-amount').fill('5.00');
    await page.locator('#act-reason').fill('Goodwill credit for the high bill');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Adjustment posted').waitFor();
    await expect.poll(balance).toBe(before - 500);
    const c = before - 500;
    await expect
      .poll(() => page.getByTestId('balance').textContent())
      .toBe(`$${Math.floor(c / 100).toLocaleString('en-US')}.${String(c % 100).padStart(2, '0')}`);

    await page.locator('#act').selectOption('dispute');
    await page.locator('#act-bill').selectOption({ label: '2026-09' });
    await page.locator('#act-reason').fill('Customer says the pool was not filled');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Dispute opened').waitFor();
    await expect.poll(() => page.locator('[data-testid=disputes] tbody tr').count()).toBe(1);
    const [d] = await sql`select reason, opened_by from dispute where account_id = ${held.accountId}`;
    expect(d).toMatchObject({ reason: 'Customer says the pool was not filled' });
    await page.locator('#act').selectOption('reread');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Re-read requested').waitFor();
    await expect
      .poll(() => page.locator('[data-testid=service-requests] tr[data-kind=reread]').count())
      .toBe(1);
    const [audit] =
      await sql`select count(*)::int as n from audit_log where action = 'POST /accounts/:id/adjustments'`;
    expect(audit).toMatchObject({ n: 1 });
    await browser.shot('staff-4-actions');
  });

  it('says once that a run does not exist and stops asking', async () => {
    const { page } = browser;
    await page.goto(`${base}/staff#/bill-runs`);
    const asked: string[] = [];
    const count = (r: { url: () => string }) => {
      if (r.url().includes('/bill-runs/07/2019-01')) asked.push(r.url());
    };
    page.on('request', count);
    await page.getByLabel('Cycle', { exact: true }).fill('07');
    await page.getByLabel('Period (YYYY-MM)').fill('2019-01');
    await page.getByRole('button', { name: 'Watch' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('No bill run for cycle 07, period 2019-01 yet');
    await page.waitForTimeout(2500);
    page.off('request', count);
    expect(asked).toHaveLength(1);
    expect(await page.getByRole('alert').count()).toBe(1);
  });

  it('starts a bill run from the dashboard and shows its progress to the end', async () => {
    const { page } = browser;
    await page.goto(`${base}/staff#/bill-runs`);
    // the month after the last one billed: the preview names the last run and what it held
    const [last] = await sql<{ period: string; next: string }[]>`
      select max(period) as period, to_char((max(period) || '-01')::date + interval '1 month', 'YYYY-MM') as next
      from bill`;
    const [{ n: active, held: heldLast }] = (await sql`
      select (select count(*)::int from account where billing_cycle = '01' and status = 'active') as n,
        (select count(*)::int from bill_exception e join account a on a.id = e.account_id
          where a.billing_cycle = '01' and e.period = ${last!.period}) as held`) as unknown as [
      { n: number; held: number },
    ];
    await page.getByLabel('Cycle', { exact: true }).fill('01');
    await page.getByLabel('Period (YYYY-MM)').fill(last!.next);
    await page.getByRole('button', { name: 'Preview the run' }).click();
    const preview = page.getByTestId('run-preview');
    await preview.waitFor();
    expect(await preview.locator('p').first().textContent()).toBe(
      `${active.toLocaleString('en-US')} accounts, ${heldLast} held last time (${last!.period}).`,
    );
    // nothing starts before the confirmation
    const csr = await staffToken(app, sql, 'csr');
    const asked = await app.inject({
      method: 'GET',
      url: `/bill-runs/01/${last!.next}`,
      headers: bearer(csr),
    });
    expect(asked.statusCode).toBe(404);
    await browser.shot('staff-5a-bill-run-preview');
    expect(await accessibilityViolations(page)).toEqual([]);
    await preview.getByRole('button', { name: 'Confirm and start' }).click();
    const run = page.getByTestId('bill-run');
    await expect.poll(() => run.locator('h3').textContent(), { timeout: 30_000 }).toContain('finished');
    const [{ n }] =
      (await sql`select count(*)::int as n from account where billing_cycle = '01'`) as unknown as [
        { n: number },
      ];
    const total = run.locator('.kpi', { hasText: 'total' }).locator('strong');
    expect(Number(await total.textContent())).toBe(n);
    await browser.shot('staff-5-bill-run');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows the reports computed from the ledger', async () => {
    const { page } = browser;
    await page.goto(`${base}/staff#/reports`);
    await page.getByTestId('kpis').waitFor();
    const [p] = await sql<{ paperless: number; active: number }[]>`
      select count(*) filter (where paperless)::int as paperless, count(*)::int as active from account where status = 'active'`;
    const expected = ((p!.paperless * 100) / p!.active).toFixed(2);
    expect(await page.locator('.kpi', { hasText: 'Paperless' }).locator('strong').textContent()).toBe(
      `${expected}%`,
    );
    const [ar] = await sql<{ owing: string }[]>`
      select coalesce(sum(b), 0)::text as owing from (select sum(p.amount_cents) as b from posting p
        join ledger_account la on la.id = p.ledger_account_id where la.account_id is not null group by la.account_id) x where b > 0`;
    const cents = Number(ar!.owing);
    const total = await page
      .locator('[data-testid=ar-aging] tr', { hasText: 'Total receivable' })
      .locator('td')
      .textContent();
    expect(total).toBe(
      `$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`,
    );
    await browser.shot('staff-6-reports');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
  it('the 360: a header, a timeline filtered by kind, a payment found by its confirmation number, a bill explained in one click', async () => {
    const { page } = browser;
    // the demo account with the most payments
    const [acct] = await sql<{ id: string; bills: number }[]>`
      select a.id, (select count(*)::int from bill b where b.account_id = a.id) as bills
      from account a join payment p on p.account_id = a.id
      group by a.id order by count(*) desc, a.id limit 1`;
    const [pay] = await sql<{ id: string; amountCents: number }[]>`
      select id, amount_cents from payment where account_id = ${acct!.id} order by received_at desc, id desc limit 1`;
    await page.goto(`${base}/staff#/account/${acct!.id}`);
    const entries = page.locator('[data-testid=timeline-entries] > li');
    await expect.poll(() => entries.count()).toBe(20);
    // the header: balance, stage, flags and the actions a click away
    await page.getByTestId('balance').waitFor();
    await expect.poll(() => page.getByTestId('stage').textContent()).not.toBe('—');
    // the header's past-due figure is the past-due banner's own answer, to the cent
    const pd = await app.inject({
      method: 'GET',
      url: `/accounts/${acct!.id}/past-due`,
      headers: bearer(await staffToken(app, sql, 'csr')),
    });
    const c = Math.max(0, pd.json().pastDueCents as number);
    await expect
      .poll(() => page.getByTestId('head-past-due').textContent())
      .toBe(`$${Math.floor(c / 100).toLocaleString('en-US')}.${String(c % 100).padStart(2, '0')}`);
    expect(await page.getByTestId('flags').textContent()).toMatch(/paperless|paper bills/);
    expect(await page.getByTestId('quick-actions').getByRole('button').count()).toBe(4);
    // newest first
    const ats = await entries.evaluateAll((li) =>
      li.map((l) => l.querySelector('.tl-when')?.textContent ?? ''),
    );
    const times = ats.map((a) => Date.parse(a));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    await browser.shot('staff-360');
    expect(await accessibilityViolations(page)).toEqual([]);

    // payments only: "did this payment post?" is one glance at its confirmation number
    await page.getByRole('checkbox', { name: 'Payment' }).check();
    await expect
      .poll(async () =>
        (await entries.evaluateAll((li) => li.map((l) => l.getAttribute('data-kind')))).join(),
      )
      .toMatch(/^payment(,payment)*$/);
    const entry = page.locator(`[data-entry="${pay!.id}"]`);
    expect(await entry.getByTestId('confirmation').textContent()).toBe(
      `Confirmation ${confirmationNumber(pay!.id)}`,
    );
    expect(await entry.locator('.tl-status').textContent()).not.toBe('');

    // bills only, all of them past the first page, and one bill's explanation in one click
    await page.getByRole('checkbox', { name: 'Payment' }).uncheck();
    await page.getByRole('checkbox', { name: 'Bill' }).check();
    await expect
      .poll(async () =>
        (await entries.evaluateAll((li) => li.map((l) => l.getAttribute('data-kind')))).join(),
      )
      .toMatch(/^bill(,bill)*$/);
    expect(acct!.bills).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => entries.count()).toBe(acct!.bills);
    const ids = await entries.evaluateAll((li) => li.map((l) => l.getAttribute('data-entry')));
    expect(new Set(ids).size).toBe(acct!.bills);
    await entries
      .first()
      .getByRole('button', { name: /Why this amount\?/ })
      .click();
    const why = page.getByTestId('bill-explanation');
    await why.getByRole('heading', { level: 2 }).waitFor();
    await expect.poll(() => why.getByTestId('top-driver').textContent()).not.toBe('');
    await browser.shot('staff-360-explanation');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('pages search past 20 results', async () => {
    const { page } = browser;
    await page.goto(`${base}/staff#/search?q=pagewalker`);
    const rows = page.locator('[data-testid=search-results] tbody tr');
    await expect.poll(() => rows.count()).toBe(20);
    expect(await page.getByTestId('search-count').textContent()).toBe('20 accounts shown · more match');
    await page.getByRole('button', { name: 'Show more results' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    const names = await rows.evaluateAll((r) => r.map((x) => x.querySelectorAll('td')[1]?.textContent));
    expect(names).toEqual(
      Array.from({ length: 25 }, (_, i) => `Pagewalker ${String(i + 1).padStart(2, '0')}`),
    );
    expect(await page.getByRole('button', { name: 'Show more results' }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('fits a tablet (768×1024): the header and the action buttons wrap, nothing runs off the side', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 768, height: 1024 });
    const [acct] = await sql<{ id: string }[]>`
      select a.id from account a join payment p on p.account_id = a.id group by a.id order by count(*) desc, a.id limit 1`;
    const fits = () =>
      page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    for (const hash of [
      `#/account/${acct!.id}`,
      `#/account/${acct!.id}/ledger`,
      '#/bill-runs',
      '#/search?q=pagewalker',
    ]) {
      await page.goto(`${base}/staff${hash}`);
      await page.locator('main .card').first().waitFor();
      await page.waitForLoadState('networkidle');
      const { scroll, inner } = await fits();
      expect(scroll, hash).toBeLessThanOrEqual(inner);
    }
    await page.goto(`${base}/staff#/account/${acct!.id}`);
    await page.getByTestId('timeline-entries').waitFor();
    // the quick actions sit inside the header card
    const head = await page.locator('.account-head').boundingBox();
    const last = await page.getByTestId('quick-actions').getByRole('button').last().boundingBox();
    expect(last!.x + last!.width).toBeLessThanOrEqual(head!.x + head!.width);
    expect((await fits()).scroll).toBeLessThanOrEqual(768);
    await browser.shot('staff-360-tablet');
    expect(await accessibilityViolations(page)).toEqual([]);
    // in Spanish: the same header, tabs and timeline in the other language
    await page.evaluate(() => localStorage.setItem('cisflow.lang', 'es'));
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Actividad' }).waitFor();
    expect(
      await page
        .getByRole('navigation', { name: 'Secciones de la cuenta' })
        .getByRole('link')
        .allTextContents(),
    ).toEqual(['Actividad', 'Cuenta corriente', 'Consumo', 'Casos y flujos', 'Detalles']);
    await page.getByRole('checkbox', { name: 'Pago', exact: true }).check();
    await expect
      .poll(() => page.locator('[data-testid=confirmation]').first().textContent())
      .toMatch(/^Confirmación [0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect((await fits()).scroll).toBeLessThanOrEqual(768);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.evaluate(() => localStorage.setItem('cisflow.lang', 'en'));
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
