// The utility's settings in one place (issue 20): the environment's until an admin saves; a save is checked
// field by field, audited with before and after, and read by the portal's config, the next bill PDF and messages.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { planNotification } from '../../db/messaging.js';
import { queueNotification } from '../../db/notifications.js';
import { DEFAULT_MESSAGING_POLICY } from '../../domain/messages/policy.js';
import { DEMO_UTILITY } from '../../lib/config.js';
import { newId } from '../../lib/ids.js';
import { simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { pdfText } from '../support/pdf.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let admin: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  admin = await staffToken(app, sql, 'admin');
});

const patch = (payload: object, token = admin) =>
  app.inject({ method: 'PATCH', url: '/settings/utility', headers: bearer(token), payload });
const config = async () => (await app.inject({ url: '/portal/config.json' })).json().utility;

const CEDAR = {
  name: 'Cedar Valley Water',
  phone: '(503) 555-0142',
  remitTo: ['Cedar Valley Water', 'PO Box 77', 'Cedar, OR 97000'],
  address: ['12 Mill Street', 'Cedar, OR 97000'],
  lateFeeText: 'A late fee of 1.5% applies to balances unpaid 10 days after the due date.',
  timeZone: 'America/Los_Angeles',
  brandColor: '#1F6F3A',
};

describe('utility settings', () => {
  it("are the environment's until the first save", async () => {
    const r = await app.inject({ url: '/settings/utility', headers: bearer(admin) });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ version: 0, name: DEMO_UTILITY.name, remitTo: DEMO_UTILITY.remitTo });
    expect((await config()).name).toBe(DEMO_UTILITY.name);
  });

  it('refuse bad input with a 400 naming the field, and save nothing', async () => {
    const cases: [object, string][] = [
      [{ brandColor: '#ffff00' }, 'brandColor'],
      [{ brandColor: 'green' }, 'brandColor'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ website: 'ftp://files.example.org' }, 'website'],
      [{ remitTo: [] }, 'remitTo'],
      [{ name: 'x'.repeat(121) }, 'name'],
      [{ logo: Buffer.from('not an image at all').toString('base64') }, 'logo'],
    ];
    for (const [body, field] of cases) {
      const r = await patch(body);
      expect(r.statusCode, `${JSON.stringify(body)}: ${r.body}`).toBe(400);
      expect(r.json().error.param).toBe(field);
    }
    expect((await app.inject({ url: '/settings/utility', headers: bearer(admin) })).json().version).toBe(0);
  });

  it('are for admins to change: a CSR and a supervisor get 403', async () => {
    for (const role of ['csr', 'supervisor'] as const) {
      const r = await patch({ name: 'Nope' }, await staffToken(app, sql, role));
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('role_not_permitted');
    }
  });

  it('once saved, change the portal config and the next bill PDF, audited with before and after', async () => {
    const w = await waterAccount(sql);
    const bill = await simpleBill(sql, {
      accountId: w.acct.id,
      agreementId: w.agreementId,
      period: '2026-10',
      totalCents: 4_210,
      dueDate: '2026-11-24',
    });
    const r = await patch(CEDAR);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ version: 1, name: CEDAR.name, brandColor: '#1f6f3a' });

    expect(await config()).toMatchObject({
      name: CEDAR.name,
      phone: CEDAR.phone,
      remitTo: CEDAR.remitTo,
      address: CEDAR.address,
      timeZone: CEDAR.timeZone,
      brandColor: '#1f6f3a',
    });

    const billId = bill.billId;
    const pdf = await app.inject({ url: `/bills/${billId}/document`, headers: bearer(admin) });
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain(CEDAR.name);
    expect(text).toContain(CEDAR.lateFeeText);
    expect(text).toContain('PO Box 77');
    expect(text).not.toContain(DEMO_UTILITY.name);

    const audit = await app.inject({
      url: '/audit-events?resourceType=utility_settings',
      headers: bearer(admin),
    });
    const [e] = audit.json().data;
    expect(e).toMatchObject({ action: 'PATCH /settings/utility', status: 200 });
    expect(e.detail.before).toMatchObject({ version: 0, name: DEMO_UTILITY.name });
    expect(e.detail.after).toMatchObject({ version: 1, name: CEDAR.name, lateFeeText: CEDAR.lateFeeText });
  });

  it('sign messages with the saved name and phone', async () => {
    const w = await waterAccount(sql);
    await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
      values (${`cc_${newId('msg')}`}, ${w.customer.id}, 'email', ${`m.${newId('msg')}@example.test`}, now())`;
    const id = await queueNotification(sql, {
      accountId: w.acct.id,
      alert: 'payment_received',
      key: `settings-test/${newId('ntf')}`,
      data: { amountCents: 1_000, receivedOn: '2026-12-01' },
    });
    const plan = await planNotification(sql, id!, {
      publicUrl: 'http://127.0.0.1:3000',
      providers: { email: 'outbox', sms: 'outbox' },
      quietHours: DEFAULT_MESSAGING_POLICY.quietHours,
      utility: DEMO_UTILITY,
    });
    const email = plan.messages.find((m) => m.channel === 'email');
    expect(email).toBeDefined();
    const [m] = await sql<{ body: string }[]>`select body from outbound_message where id = ${email!.id}`;
    expect(m!.body).toContain(`${CEDAR.name} · ${CEDAR.phone}`);
  });

  it('take a new logo, served to the portal, and refuse a save over a version that moved with 409', async () => {
    const png = readFileSync(new URL('../../portal/brand/demo-logo.png', import.meta.url));
    const r = await patch({ logo: png.toString('base64'), version: 1 });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().logoUrl).toBe('/portal/logo?v=2');
    const logo = await app.inject({ url: (await config()).logoUrl });
    expect(logo.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(logo.rawPayload, png)).toBe(0);
    const stale = await patch({ phone: null, version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: 'settings_changed', param: 'version' });
  });
});
