// The staff work queues in Chromium against the real API, workers and database: resolve a dispute with an
// adjustment (confirmed, posted to the ledger), approve one service request and reject another with a reason,
// then filter the exceptions queue, read a held bill's would-be total and suspect read, assign it, and cancel
// one only after confirming. axe finds no WCAG 2.1 A/AA violation; on a tablet nothing overflows.
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRead, createPremise, createServicePoint } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { createUser } from '../../db/users.js';
import { addDays } from '../../domain/period.js';
import { eventually, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { accessibilityViolations, type Browser, launchBrowser } from '../support/browser.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let browser: Browser;
let base: string;
let token: string;
const EMAIL = 'queues.admin@utility.test';
const PASSWORD = 'correct horse battery staple';
let adminId: string;
let disputed: { id: string; accountId: string };
let rebilled: { id: string; accountId: string; billId: string; readId: string };
let requests: string[];
let held: Awaited<ReturnType<typeof heldAccount>>;
let aged: Awaited<ReturnType<typeof heldAccount>>;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  token = await staffToken(app, sql, 'billing_admin');
  const csr = await staffToken(app, sql, 'csr');
  adminId = await createUser(sql, {
    email: EMAIL,
    displayName: 'Queue Admin',
    password: PASSWORD,
    kind: 'staff',
    role: 'billing_admin',
  });

  // a dispute on a $90.00 bill
  const a = await waterAccount(sql);
  const bill = await simpleBill(sql, {
    accountId: a.acct.id,
    agreementId: a.agreementId,
    period: '2026-10',
    totalCents: 9_000,
    dueDate: addDays(TODAY, 10),
  });
  const d = await app.inject({
    method: 'POST',
    url: `/bills/${bill.billId}/disputes`,
    headers: bearer(csr),
    payload: { reason: 'The toilet leak was fixed on Oct 3' },
  });
  expect(d.statusCode, d.body).toBe(201);
  disputed = { id: d.json().id, accountId: a.acct.id };

  // a dispute on a bill rated from reads (30 ccf): the closing read was 10 ccf over
  const r = await waterAccount(sql, { dialCount: 4 });
  await addRead(sql, { meterId: r.meter.id, readAt: '2026-08-01T08:00:00Z', value: '100', source: 'ami' });
  const over = await addRead(sql, {
    meterId: r.meter.id,
    readAt: '2026-09-01T08:00:00Z',
    value: '130',
    source: 'ami',
  });
  const issued = await app.inject({
    method: 'POST',
    url: `/accounts/${r.acct.id}/bills`,
    headers: bearer(token),
    payload: { period: '2026-08' },
  });
  expect(issued.statusCode, issued.body).toBe(201);
  const [rb] = await sql<{ id: string; totalCents: number }[]>`
    select id, total_cents::int as total_cents from bill where account_id = ${r.acct.id} and status = 'issued'`;
  expect(rb!.totalCents).toBe(12_700); // 18.40 + 30 ccf x 3.62
  const rd = await app.inject({
    method: 'POST',
    url: `/bills/${rb!.id}/disputes`,
    headers: bearer(csr),
    payload: { reason: 'The meter was misread on Sep 1' },
  });
  expect(rd.statusCode, rd.body).toBe(201);
  rebilled = { id: rd.json().id, accountId: r.acct.id, billId: rb!.id, readId: over.id };

  // three starts of service waiting for approval
  requests = [];
  for (const street of [3, 4, 30]) {
    const prem = await createPremise(sql, {
      addressLine1: `${street} Approval Ave`,
      city: 'Springfield',
      state: 'OR',
      postalCode: '97477',
    });
    await createServicePoint(sql, prem.id, 'water');
    const r = await app.inject({
      method: 'POST',
      url: '/service-requests/start-service',
      headers: bearer(csr),
      payload: {
        customer: a.customer.id,
        details: { premise_id: prem.id, start_date: addDays(TODAY, street) },
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    requests.push(r.json().id);
  }
  await eventually(async () => {
    const [n] = await sql<{ n: number }[]>`
      select count(*)::int as n from service_request where id = any(${requests}) and status = 'awaiting_approval'`;
    return n!.n === 3;
  });

  held = await heldAccount();
  aged = await heldAccount();
  await sql`update account set billing_cycle = '09' where id = ${aged.acct.id}`;
  await sql`update bill_exception set created_at = now() - interval '4 days' where id = ${aged.exceptionId}`;

  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A water account whose September (90 ccf after 10) is held for high usage. */
async function heldAccount() {
  const a = await waterAccount(sql, { dialCount: 4 });
  for (const [at, value] of [
    ['2026-08-01', '100'],
    ['2026-09-01', '110'],
    ['2026-10-01', '200'],
  ] as const)
    await addRead(sql, { meterId: a.meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' });
  const bill = (period: string) =>
    app.inject({
      method: 'POST',
      url: `/accounts/${a.acct.id}/bills`,
      headers: bearer(token),
      payload: { period },
    });
  expect((await bill('2026-08')).statusCode).toBe(201);
  expect((await bill('2026-09')).statusCode).toBe(409);
  const [x] = await sql<{ id: string }[]>`select id from bill_exception where account_id = ${a.acct.id}`;
  return { ...a, exceptionId: x!.id };
}

async function signIn(page: Page) {
  await page.goto(`${base}/staff`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Disputes & requests' }).waitFor();
}

describe('the staff work queues in Chromium', () => {
  it('resolves a dispute with an adjustment, after confirming, and the credit is on the ledger', async () => {
    const { page } = browser;
    await signIn(page);
    await page.getByRole('link', { name: 'Disputes & requests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Disputes and service requests' }).waitFor();
    const rows = page.locator('[data-testid=cases] > tbody > tr');
    await expect.poll(() => rows.count()).toBe(5);
    await browser.shot('staff-queues-1-cases');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Kind').selectOption('dispute');
    await expect.poll(() => rows.count()).toBe(2);
    const row = page.locator(`[data-case="${disputed.id}"]`);
    expect(await row.textContent()).toContain('$90.00 disputed on the 2026-10 bill');
    await row.getByRole('button', { name: 'Resolve' }).click();
    await row.getByLabel('Adjust: credit an amount').check();
    // a bad amount is refused in the form, naming what to give
    await row.getByLabel('Adjustment amount in dollars').fill('abc');
    await row.getByRole('button', { name: 'Resolve dispute' }).click();
    await row.getByText('Give the adjustment amount in dollars and cents').waitFor();
    await row.getByLabel('Adjustment amount in dollars').fill('25.00');
    await row.getByLabel('Note').fill('Half of the leak month');
    await row.getByRole('button', { name: 'Resolve dispute' }).click();
    const ask = row.getByRole('alertdialog');
    expect(await ask.textContent()).toContain('Credit $25.00 to the account');
    expect(await accountBalanceCents(sql, disputed.accountId)).toBe(9_000); // nothing until confirmed
    await browser.shot('staff-queues-2-confirm-adjustment');
    expect(await accessibilityViolations(page)).toEqual([]);
    await ask.getByRole('button', { name: 'Yes, go ahead' }).click();
    await expect.poll(() => row.getByRole('status').textContent()).toBe('Dispute resolved: adjusted');
    await eventually(async () => (await accountBalanceCents(sql, disputed.accountId)) === 6_500);
    const [adj] =
      await sql`select kind, amount_cents::int as amount_cents from adjustment where account_id = ${disputed.accountId}`;
    expect(adj).toMatchObject({ kind: 'credit', amountCents: -2_500 });
    const [audit] = await sql<{ actorUserId: string }[]>`
      select actor_user_id from audit_log where resource_type = 'dispute' and resource_id = ${disputed.id}
        and action = 'POST /disputes/:id/resolve'`;
    expect(audit).toMatchObject({ actorUserId: adminId });
  });

  it('names the dispute’s workflow on the 360 by its case, state and SLA date, not its id', async () => {
    const { page } = browser;
    const [d] = await sql<{ status: string; workflowId: string; slaOn: string }[]>`
      select status, workflow_id, (sla_due_at at time zone 'UTC')::date::text as sla_on from dispute
      where id = ${disputed.id}`;
    await page.goto(`${base}/staff#/account/${disputed.accountId}`);
    const tabs = page.getByRole('navigation', { name: 'Account sections' });
    await tabs.getByRole('link', { name: 'Cases and workflows' }).click();
    const flow = page.locator(`[data-testid=workflows] li[data-workflow="${d!.workflowId}"]`);
    await flow.waitFor();
    const sla = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric' }).format(
      new Date(`${d!.slaOn}T12:00:00Z`),
    );
    expect(await flow.locator('.wf-name').textContent()).toBe(
      `Dispute · ${d!.status.replaceAll('_', ' ')} · SLA ${sla}`,
    );
    expect(await flow.locator('.wf-id').textContent()).toContain(d!.workflowId);
    // back to the queue, where the next steps work
    await page.getByRole('link', { name: 'Disputes & requests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Disputes and service requests' }).waitFor();
    await page.getByLabel('Kind').selectOption('dispute');
  });

  it('rebills a dispute from a corrected read: the bill is cancelled and re-rated', async () => {
    const { page } = browser;
    const row = page.locator(`[data-case="${rebilled.id}"]`);
    await row.getByRole('button', { name: 'Resolve' }).click();
    await row.getByLabel('Rebill: cancel the bill and re-rate it').check();
    await row.getByLabel('Read to correct').selectOption(rebilled.readId);
    await row.getByLabel('Corrected register value').fill('12x');
    await row.getByRole('button', { name: 'Resolve dispute' }).click();
    await row.getByText('Give the corrected register value as a number').waitFor();
    await row.getByLabel('Corrected register value').fill('120');
    await row.getByRole('button', { name: 'Resolve dispute' }).click();
    await row.getByRole('alertdialog').getByRole('button', { name: 'Yes, go ahead' }).click();
    await expect.poll(() => row.getByRole('status').textContent()).toBe('Dispute resolved: rebilled');
    const bills = () =>
      sql<{ id: string; status: string; totalCents: number }[]>`
        select id, status, total_cents::int as total_cents from bill where account_id = ${rebilled.accountId}
        order by revision`;
    await eventually(async () => (await bills()).length === 2);
    expect((await bills()).map((b) => [b.status, b.totalCents])).toEqual([
      ['cancelled', 12_700],
      ['issued', 9_080], // 18.40 + 20 ccf x 3.62
    ]);
    expect(await accountBalanceCents(sql, rebilled.accountId)).toBe(9_080);
  });

  it('approves one service request and rejects another with a reason', async () => {
    const { page } = browser;
    await page.getByLabel('Kind').selectOption('start_service');
    await page.getByLabel('Status').selectOption('awaiting_approval');
    const rows = page.locator('[data-testid=cases] > tbody > tr');
    await expect.poll(() => rows.count()).toBe(3);
    // the nearest SLA first: the start in 3 days, then 4, then 30
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-case')))).toEqual(requests);

    const first = page.locator(`[data-case="${requests[0]}"]`);
    await first.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => first.getByRole('status').textContent()).toBe('Approved: the work is starting');

    const second = page.locator(`[data-case="${requests[1]}"]`);
    await second.getByRole('button', { name: 'Reject' }).click();
    await second.getByLabel('Reason for rejecting').fill('The premise is already served');
    await second.getByRole('button', { name: 'Reject request' }).click();
    await second.getByRole('alertdialog').getByRole('button', { name: 'Yes, go ahead' }).click();
    await expect.poll(() => second.getByRole('status').textContent()).toBe('Rejected');

    const status = (id: string) =>
      sql<
        { status: string; result: { note?: string } | null }[]
      >`select status, result from service_request where id = ${id}`;
    // approved: the work waits for its start date, in progress
    await eventually(async () => (await status(requests[0]!))[0]?.status === 'in_progress');
    await eventually(async () => (await status(requests[1]!))[0]?.status === 'rejected');
    expect((await status(requests[1]!))[0]!.result).toMatchObject({ note: 'The premise is already served' });
    await browser.shot('staff-queues-3-requests-decided');
  });

  it('filters the exceptions queue and shows each held bill’s would-be total and suspect read', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Exceptions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Exceptions queue: held bills' }).waitFor();
    const rows = page.locator('[data-testid=exceptions] > tbody > tr');
    await expect.poll(() => rows.count()).toBe(2);
    const row = page.locator(`[data-exception="${held.exceptionId}"]`);
    expect(await row.getByTestId('would-bill').textContent()).toBe('$344.20'); // 18.40 + 90 ccf x 3.62
    const suspect = row.locator('[data-testid=read-history] tr[data-suspect]');
    expect(await suspect.count()).toBe(1);
    expect(await suspect.textContent()).toContain('200');
    expect(await suspect.textContent()).toContain('suspect read');
    expect(await row.locator('[data-testid=read-history] tbody tr').count()).toBe(3);
    // Approve is not the primary colour: it looks like the other secondary actions
    expect(await row.getByRole('button', { name: 'Approve' }).getAttribute('class')).toBe('secondary');
    await browser.shot('staff-queues-4-exceptions');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Billing cycle (two digits)').fill('09');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-exception')).toBe(aged.exceptionId);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByLabel('Held at least (days)').fill('3');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-exception')).toBe(aged.exceptionId);
    await page.getByLabel('Held at least (days)').fill('');
    await page.getByLabel('Reason').selectOption('high_usage');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('assigns a held bill to a staff user with an SLA date, audited, and filters by assignee', async () => {
    const { page } = browser;
    const row = page.locator(`[data-exception="${held.exceptionId}"]`);
    await row.getByRole('button', { name: 'Assign' }).click();
    await row.getByLabel('Assign to').selectOption(adminId);
    await row.getByLabel('Decide by (SLA date)').fill(addDays(TODAY, 2));
    await row.getByRole('button', { name: 'Save assignment' }).click();
    await expect.poll(() => row.getByTestId('assignment').textContent()).toContain('Assigned to Queue Admin');
    const [e] =
      await sql`select assignee_id, sla_due_on::text from bill_exception where id = ${held.exceptionId}`;
    expect(e).toMatchObject({ assigneeId: adminId, slaDueOn: addDays(TODAY, 2) });
    const [audit] = await sql<{ actorUserId: string }[]>`
      select actor_user_id from audit_log where resource_type = 'bill_exception' and resource_id = ${held.exceptionId}
        and action = 'POST /exceptions/:id/assignment'`;
    expect(audit).toMatchObject({ actorUserId: adminId });

    const rows = page.locator('[data-testid=exceptions] > tbody > tr');
    await page.getByLabel('Assigned to', { exact: true }).selectOption(adminId);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBe(2);
  });

  it('cancels a held bill only after confirming', async () => {
    const { page } = browser;
    const row = page.locator(`[data-exception="${aged.exceptionId}"]`);
    await row.getByRole('button', { name: 'Cancel bill' }).click();
    const ask = row.getByRole('alertdialog');
    expect(await ask.textContent()).toContain(
      `Cancel the 2026-09 bill for account ${aged.acct.accountNumber}?`,
    );
    await ask.getByRole('button', { name: 'Keep it held' }).click();
    expect(await row.getByRole('alertdialog').count()).toBe(0);
    const status = async () =>
      (await sql<{ status: string }[]>`select status from bill_exception where id = ${aged.exceptionId}`)[0]!
        .status;
    expect(await status()).toBe('open');

    await row.getByRole('button', { name: 'Cancel bill' }).click();
    await row.getByRole('alertdialog').getByRole('button', { name: 'Yes, cancel the bill' }).click();
    await expect.poll(() => row.getByRole('status').textContent()).toBe('Cancelled');
    await eventually(async () => (await status()) === 'cancelled');
    const bills = await sql`select 1 from bill where account_id = ${aged.acct.id} and period = '2026-09'`;
    expect(bills).toHaveLength(0);
  });

  it('fits a tablet: the header and the queues’ actions do not overflow the page', async () => {
    const tablet = await launchBrowser({ viewport: { width: 768, height: 1024 } });
    try {
      const { page } = tablet;
      await signIn(page);
      const overflow = () =>
        page.evaluate(() => {
          const header = document.querySelector('header')!;
          const buttons = [...document.querySelectorAll('header button, header a, main button')].filter(
            (b) => {
              const r = b.getBoundingClientRect();
              return r.width > 0 && r.right > window.innerWidth + 1;
            },
          );
          const tables = [...document.querySelectorAll('.table-scroll')].filter(
            (t) => t.scrollWidth > t.clientWidth + 1,
          );
          return {
            page: document.documentElement.scrollWidth > window.innerWidth,
            header: header.scrollWidth > header.clientWidth,
            buttons: buttons.map((b) => b.textContent),
            tables: tables.length,
          };
        });
      for (const [hash, heading] of [
        ['#/cases', 'Disputes and service requests'],
        ['#/exceptions', 'Exceptions queue: held bills'],
      ] as const) {
        await page.goto(`${base}/staff${hash}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.locator('table tbody tr').first().waitFor();
        expect(await overflow(), hash).toEqual({ page: false, header: false, buttons: [], tables: 0 });
        expect(await accessibilityViolations(page), hash).toEqual([]);
      }
      await tablet.shot('staff-queues-5-tablet-exceptions');

      // in Spanish: the same screens in the other language
      await page.evaluate(() => localStorage.setItem('cisflow.lang', 'es'));
      await page.reload();
      await page
        .getByRole('heading', { level: 1, name: 'Cola de excepciones: facturas retenidas' })
        .waitFor();
      await page.getByRole('button', { name: 'Aprobar' }).first().waitFor();
      expect(await page.locator('[data-testid=exceptions] > thead').textContent()).toContain('Se facturaría');
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.goto(`${base}/staff#/cases`);
      await page.getByRole('heading', { level: 1, name: 'Disputas y solicitudes de servicio' }).waitFor();
      await page.locator('[data-testid=cases] > tbody > tr').first().waitFor();
      expect(await page.getByTestId('cases').textContent()).toContain('pendiente de aprobación');
      await tablet.shot('staff-queues-6-tablet-cases-es');
    } finally {
      await tablet.close();
    }
  });
});
