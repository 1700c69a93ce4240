// Rate changes through the API: adopt a version on a date (validated, role-checked, audited), list and diff
// versions, see who is on a schedule, and a bill spanning the date prorated by hand-worked figures.
import { beforeAll, describe, expect, it } from 'vitest';
import { addRead } from '../../db/accounts.js';
import { issueBill, loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { monthlyPeriod } from '../../domain/period.js';
import { waterAccount } from '../support/accounts.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let billing: string;
let supervisor: string;
let csr: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  billing = await staffToken(app, sql, 'billing_admin');
  supervisor = await staffToken(app, sql, 'supervisor');
  csr = await staffToken(app, sql, 'csr');
});

const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
};

describe('a new rate version on a date', () => {
  // Grace's water: $18.40 a month and $3.62 a ccf since 2020; from Oct 17 2026, $21.70 and $4.03.
  // October has 31 days: Oct 1-16 (16 days) on the old version, Oct 17-31 (15 days) on the new.
  // She uses 31 ccf (1000 -> 1031), shared by days: 16 ccf old, 15 ccf new.
  //   customer charge  18.40 x 16/31 =  9.4968 ->  $9.50   |  21.70 x 15/31 = 10.50 -> $10.50
  //   usage            16 x 3.62     = 57.92               |  15 x 4.03     = 60.45
  //   total 9.50 + 57.92 + 10.50 + 60.45 = $138.37
  let grace: Awaited<ReturnType<typeof waterAccount>>;
  let newVersion: string;

  beforeAll(async () => {
    grace = await waterAccount(sql);
    await addRead(sql, {
      meterId: grace.meter.id,
      readAt: '2026-10-01T08:00:00Z',
      value: '1000',
      source: 'ami',
    });
    await addRead(sql, {
      meterId: grace.meter.id,
      readAt: '2026-11-01T08:00:00Z',
      value: '1031',
      source: 'ami',
    });
  });

  it('refuses a tariff that does not parse, naming the field, and staff without the role', async () => {
    const url = `/rate-schedules/${grace.rateScheduleId}/versions`;
    const bad = simpleTariff('water', 'ccf', '21.70', 'four');
    const r = await call(billing, 'POST', url, { effectiveFrom: '2026-10-17', tariff: bad });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'tariff_invalid',
      param: 'tariff.components[1].tiers[0].price',
    });
    const gas = await call(billing, 'POST', url, {
      effectiveFrom: '2026-10-17',
      tariff: simpleTariff('gas', 'therm', '1', '1'),
    });
    expect(gas).toMatchObject({ status: 400, body: { error: { param: 'tariff.service' } } });
    const good = { effectiveFrom: '2026-10-17', tariff: simpleTariff('water', 'ccf', '21.70', '4.03') };
    expect((await call(csr, 'POST', url, good)).status).toBe(403);
    expect((await call(supervisor, 'POST', url, good)).status).toBe(403);
    expect((await call(billing, 'POST', '/rate-schedules/rs_nope/versions', good)).status).toBe(404);
  });

  it('adds the version, audited, and refuses one not after it', async () => {
    const url = `/rate-schedules/${grace.rateScheduleId}/versions`;
    const r = await call(billing, 'POST', url, {
      effectiveFrom: '2026-10-17',
      tariff: simpleTariff('water', 'ccf', '21.70', '4.03'),
    });
    expect(r.status).toBe(201);
    newVersion = r.body.id;
    expect(r.body).toMatchObject({ object: 'rate_version', effectiveFrom: '2026-10-17' });
    const [audit] = await sql<{ resourceId: string; detail: Record<string, unknown> }[]>`
      select resource_id, detail from audit_log where action = 'POST /rate-schedules/:id/versions'
        and detail->>'status' = '201'`;
    expect(audit).toMatchObject({ resourceId: newVersion, detail: { effectiveFrom: '2026-10-17' } });
    for (const date of ['2026-10-17', '2026-10-10']) {
      const again = await call(billing, 'POST', url, {
        effectiveFrom: date,
        tariff: simpleTariff('water', 'ccf', '30', '5'),
      });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({
        code: 'rate_version_not_after_latest',
        param: 'effectiveFrom',
      });
    }
  });

  it('lists the versions with their spans and diffs them', async () => {
    const v = await call(csr, 'GET', `/rate-schedules/${grace.rateScheduleId}/versions`);
    expect(
      v.body.data.map((x: { effectiveFrom: string; effectiveTo: string | null }) => [
        x.effectiveFrom,
        x.effectiveTo,
      ]),
    ).toEqual([
      ['2020-01-01', '2026-10-16'],
      ['2026-10-17', null],
    ]);
    const d = await call(csr, 'GET', `/rate-schedules/${grace.rateScheduleId}/versions/diff`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ to: { id: newVersion }, added: [], removed: [], fields: [] });
    expect(d.body.changed).toEqual([
      { component: 'Water customer charge', changes: [{ path: 'amount', from: '18.40', to: '21.70' }] },
      { component: 'Water usage', changes: [{ path: 'tiers[0].price', from: '3.62', to: '4.03' }] },
    ]);
    const missing = await call(csr, 'GET', `/rate-schedules/${grace.rateScheduleId}/versions/diff?from=rv_x`);
    expect(missing).toMatchObject({ status: 404, body: { error: { param: 'from' } } });
  });

  it('prorates the October bill across the date, by the hand-worked figures', async () => {
    const period = monthlyPeriod('2026-10');
    const facts = (await loadBillingInputs(sql, grace.acct.id, period))!;
    const { segments, holds } = calculateBill({ ...facts, validation: undefined }, period);
    expect(holds).toEqual([]);
    const lines = segments[0]!.lines.map((l) => [l.rateVersionId === newVersion, l.quantity, l.amountCents]);
    expect(lines.map((l) => l[2])).toEqual([950, 5792, 1050, 6045]);
    expect(lines.map((l) => l[0])).toEqual([false, false, true, true]);
    expect(segments[0]!.totalCents).toBe(13837);

    // once October is billed, a version dated inside it is a rebill, not a rate change
    await issueBill(sql, {
      accountId: grace.acct.id,
      period,
      billDate: '2026-11-02',
      dueDate: '2026-11-22',
      workflowId: 'test',
      segments,
    });
    const inBilled = await call(billing, 'POST', `/rate-schedules/${grace.rateScheduleId}/versions`, {
      effectiveFrom: '2026-10-31',
      tariff: simpleTariff('water', 'ccf', '30', '5'),
    });
    expect(inBilled).toMatchObject({
      status: 409,
      body: { error: { code: 'rate_version_overlaps_billed', param: 'effectiveFrom' } },
    });
  });

  it('lists schedules, filtered and paged, and the accounts on one', async () => {
    const other = await waterAccount(sql);
    const page1 = await call(csr, 'GET', '/rate-schedules?limit=1&service_type=water');
    expect(page1.body).toMatchObject({ has_more: true, data: [{ id: grace.rateScheduleId, versions: 2 }] });
    expect(page1.body.data[0]).toMatchObject({ latestEffectiveFrom: '2026-10-17', activeAgreements: 1 });
    const page2 = await call(
      csr,
      'GET',
      `/rate-schedules?limit=1&service_type=water&starting_after=${grace.rateScheduleId}`,
    );
    expect(page2.body.data[0].id).toBe(other.rateScheduleId);
    expect((await call(csr, 'GET', '/rate-schedules?service_type=gas')).body.data).toEqual([]);
    const on = await call(csr, 'GET', `/rate-schedules/${grace.rateScheduleId}/agreements`);
    expect(on.body.data).toEqual([
      expect.objectContaining({
        id: grace.agreementId,
        accountNumber: grace.acct.accountNumber,
        status: 'active',
      }),
    ]);
  });
});

describe('a rate version effective mid-period, through the bill run', () => {
  // The same hand-worked October as above, billed by POST /bill-runs on a cycle of its own ('07'):
  // 9.50 + 57.92 on the old version (Oct 1-16), 10.50 + 60.45 on the new (Oct 17-31) = $138.37.
  it('prorates the stored bill across the date', async () => {
    const ada = await waterAccount(sql);
    await sql`update account set billing_cycle = '07' where id = ${ada.acct.id}`;
    for (const [readAt, value] of [
      ['2026-10-01T08:00:00Z', '2000'],
      ['2026-11-01T08:00:00Z', '2031'],
    ] as const)
      await addRead(sql, { meterId: ada.meter.id, readAt, value, source: 'ami' });
    const v = await call(billing, 'POST', `/rate-schedules/${ada.rateScheduleId}/versions`, {
      effectiveFrom: '2026-10-17',
      tariff: simpleTariff('water', 'ccf', '21.70', '4.03'),
    });
    expect(v.status).toBe(201);
    const run = await call(billing, 'POST', '/bill-runs', { cycle: '07', period: '2026-10' });
    expect(run.status).toBe(202);
    let progress = run.body;
    for (let i = 0; progress.running && i < 150; i++) {
      await new Promise((r) => setTimeout(r, 200));
      progress = (await call(csr, 'GET', '/bill-runs/07/2026-10')).body;
    }
    expect(progress.progress).toMatchObject({ status: 'completed', total: 1, billed: 1, held: 0 });
    const lines = await sql<{ amountCents: number; rateVersionId: string; totalCents: number }[]>`
      select l.amount_cents, l.rate_version_id, b.total_cents from bill b
      join bill_segment s on s.bill_id = b.id join bill_line l on l.bill_segment_id = s.id
      where b.account_id = ${ada.acct.id} and b.period = '2026-10' and b.status = 'issued' order by l.seq`;
    expect(lines.map((l) => l.amountCents)).toEqual([950, 5792, 1050, 6045]);
    expect(lines.map((l) => l.rateVersionId === v.body.id)).toEqual([false, false, true, true]);
    expect(lines[0]!.totalCents).toBe(13837);
  });
});
