import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let billing: string;
let csr: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  billing = await staffToken(app, sql, 'billing_admin');
  csr = await staffToken(app, sql, 'csr');
});

const native = (price: string) => ({
  schema: 'cisflow.tariff/1',
  name: 'Proposed water',
  service: 'water',
  unit: 'ccf',
  components: [
    { type: 'fixed', name: 'Base', amount: '20.00' },
    { type: 'volumetric', name: 'Water', tiers: [{ from: '0', price }] },
  ],
});

describe('POST /rates/preview', () => {
  it('returns the lines and total from the bill-run engine', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/rates/preview',
      headers: bearer(csr),
      payload: { tariff: native('4.00'), usage: { from: '2026-10-01', to: '2026-10-31', usage: '10.5' } },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      totalCents: 6200,
      lines: [{ amountCents: 2000 }, { amountCents: 4200, quantity: '10.5' }],
    });
  });

  it('names the field at fault', async () => {
    const bad = native('four');
    const r = await app.inject({
      method: 'POST',
      url: '/rates/preview',
      headers: bearer(csr),
      payload: { tariff: bad, usage: { from: '2026-10-01', to: '2026-10-31', usage: '1' } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({
      code: 'tariff_invalid',
      param: 'tariff.components[1].tiers[0].price',
    });
    const r2 = await app.inject({
      method: 'POST',
      url: '/rates/preview',
      headers: bearer(csr),
      payload: { tariff: native('4'), usage: { usage: '1' } },
    });
    expect(r2.json().error).toMatchObject({ param: 'from' });
  });
});

describe('POST /accounts/:id/what-if', () => {
  it('re-rates the last 12 water bills under a proposed tariff, bill by bill', async () => {
    await seedDemo(sql, { accounts: 3, seed: 11, today: '2026-11-28' });
    const [acct] = await sql<{ id: string }[]>`select id from account order by account_number limit 1`;
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${acct!.id}/what-if`,
      headers: bearer(billing),
      payload: { tariff: native('5.00') },
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.bills).toHaveLength(12);
    for (const b of body.bills) {
      // 20.00 + usage x 5.00, rounded half-up
      const usageCents = Math.round(Number(b.usage) * 500);
      expect(b.proposedCents).toBe(2000 + usageCents);
      expect(b.differenceCents).toBe(b.proposedCents - b.currentCents);
    }
    expect(body.differenceCents).toBe(body.proposedCents - body.currentCents);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/accounts/${acct!.id}/what-if`,
          headers: bearer(csr),
          payload: { tariff: native('5') },
        })
      ).statusCode,
    ).toBe(403);
  });
});
