// The staff console's Users screen in Chromium against the real API: an admin signs in, sees the staff list
// with role, status, TOTP state and last sign-in, invites a member, changes their role and deactivates them.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { type TestApp, testApp } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const t = await startWorkers(sql);
  app = await testApp(sql, t);
  await createUser(sql, {
    email: 'ada.admin@utility.test',
    displayName: 'Ada Admin',
    password: 'an admin passphrase 42',
    kind: 'staff',
    role: 'admin',
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('staff users screen', () => {
  it('an admin invites a member, changes their role and deactivates them', async () => {
    const page = browser.page;
    await page.goto(`${base}/staff`);
    await page.getByLabel('Email').fill('ada.admin@utility.test');
    await page.getByLabel('Password').fill('an admin passphrase 42');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Users' }).click();
    const ada = page.getByTestId('user-ada.admin@utility.test');
    await ada.waitFor();
    expect(await ada.textContent()).toContain('active');

    await page.getByLabel('Email').fill('new.csr@utility.test');
    await page.getByLabel('Name').fill('Nora New');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const nora = page.getByTestId('user-new.csr@utility.test');
    await nora.waitFor();
    expect(await nora.textContent()).toContain('invited');
    expect(await nora.textContent()).toContain('never');

    await page.getByLabel('Role of Nora New').selectOption('supervisor');
    await page.getByText('Nora New is now supervisor').waitFor();
    await nora.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Nora New was deactivated').waitFor();
    const [row] = await sql<{ role: string; status: string }[]>`
      select role, status from app_user where email = 'new.csr@utility.test'`;
    expect(row).toEqual({ role: 'supervisor', status: 'deactivated' });
  }, 60_000);
});
