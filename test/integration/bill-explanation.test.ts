// GET /bills/:id/explanation on bills issued by the real billing workflow: the owner and staff get the
// hand-worked drivers against the last bill and the same month last year; another customer gets the same
// 404 as for the bill itself.
import { beforeAll, describe, expect, it } from 'vitest';
import { addRead } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { meteredAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { tieredWater } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let billing: string;
let accountId: string;
const bills: Record<string, string> = {};

const tiered = tieredWater;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  billing = await staffToken(app, sql, 'billing_admin');
  const a = await meteredAccount(sql, {
    service: 'water',
    unit: 'ccf',
    tariff: tiered,
    customerName: 'Rosa Delgado',
  });
  accountId = a.acct.id;
  // a read on the 1st closes the month before: Feb 2026 7 ccf, Mar 2026 12 ccf, and Mar 2025 9 ccf
  for (const [day, value] of [
    ['2025-03-01', '50'],
    ['2025-04-01', '59'],
    ['2026-02-01', '100'],
    ['2026-03-01', '107'],
    ['2026-04-01', '119'],
  ] as const)
    await addRead(sql, { meterId: a.meter.id, readAt: `${day}T07:00:00Z`, value, source: 'ami' });
  // last year's bill last, so the 2026 bills open on their own reads
  for (const period of ['2026-02', '2026-03', '2025-03']) {
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${accountId}/bills`,
      headers: bearer(billing),
      payload: { period },
    });
    expect(r.statusCode, r.body).toBe(201);
    bills[period] = r.json().id;
  }
});

const explain = (billId: string, headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: `/bills/${billId}/explanation`, headers });

describe('bill explanation', () => {
  it('gives the owner the change against last month and last year, split into the hand-worked drivers', async () => {
    const owner = await customerLogin(app, sql, [accountId]);
    const r = await explain(bills['2026-03']!, bearer(owner.token));
    expect(r.statusCode, r.body).toBe(200);
    const e = r.json();
    // Mar 2026: 10.00 + 10 x 2.00 + 2 x 5.00 = $40.00
    expect(e).toMatchObject({
      object: 'bill_explanation',
      billId: bills['2026-03'],
      totalCents: 4000,
      days: 31,
    });
    expect(
      e.segments[0].lines.map((l: { kind: string; amountCents: number }) => [l.kind, l.amountCents]),
    ).toEqual([
      ['fixed', 1000],
      ['usage', 2000],
      ['usage', 1000],
    ]);
    expect(e.segments[0].lines[2].tier).toEqual({ n: 2, from: '10', to: null });
    expect(e.segments[0].reads).toMatchObject({ startValue: '107', endValue: '119' });
    // Feb 2026 (28 days, 7 ccf): 10.00 + 14.00 = $24.00; change +1600:
    //   days 1400 x 3/28 = 150; usage 5 x 200 - 150 = 850; tier 3000 - 12 x 200 = 600
    expect(e.previous).toMatchObject({
      billId: bills['2026-02'],
      totalCents: 2400,
      days: 28,
      changeCents: 1600,
    });
    expect(e.previous.drivers.map((d: { kind: string; cents: number }) => [d.kind, d.cents])).toEqual([
      ['usage', 850],
      ['tier', 600],
      ['days', 150],
    ]);
    expect(e.previous.services[0].usage).toEqual({ this: '12', other: '7', change: '5' });
    // Mar 2025 (31 days, 9 ccf): 10.00 + 18.00 = $28.00; change +1200: usage 3 x 200 = 600, tier 600
    expect(e.lastYear).toMatchObject({ billId: bills['2025-03'], totalCents: 2800, changeCents: 1200 });
    expect(e.lastYear.drivers.map((d: { kind: string; cents: number }) => [d.kind, d.cents])).toEqual([
      ['usage', 600],
      ['tier', 600],
    ]);
  });

  it('the first bill has nothing to compare with; staff read it too', async () => {
    const csr = await staffToken(app, sql, 'csr');
    const r = await explain(bills['2025-03']!, bearer(csr));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ totalCents: 2800, previous: null, lastYear: null });
  });

  it('a cancelled bill is not the one compared with', async () => {
    await sql`update bill set status = 'cancelled' where id = ${bills['2026-02']!}`;
    try {
      const r = await explain(bills['2026-03']!, bearer(billing));
      // the bill before Mar 2026 that still stands is Mar 2025
      expect(r.json().previous).toMatchObject({ billId: bills['2025-03'], changeCents: 1200 });
    } finally {
      await sql`update bill set status = 'issued' where id = ${bills['2026-02']!}`;
    }
  });

  it("answers another customer, and a bill that does not exist, with the bill route's 404", async () => {
    const stranger = await customerLogin(app, sql, []);
    const theirs = await explain(bills['2026-03']!, bearer(stranger.token));
    const bill = await app.inject({
      method: 'GET',
      url: `/bills/${bills['2026-03']}`,
      headers: bearer(stranger.token),
    });
    expect(theirs.statusCode).toBe(404);
    expect(bill.statusCode).toBe(404);
    expect(theirs.json().error).toMatchObject({ code: 'resource_missing', param: 'id' });
    expect(theirs.body).not.toContain(accountId);
    const missing = await explain('bill_doesnotexist0000', bearer(billing));
    expect(missing.statusCode).toBe(404);
  });
});
