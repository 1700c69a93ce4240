// Rate-change impact through the API and the rate-impact workflow: a small utility worked by hand, the
// report's revenue change by rate class, median, 90th percentile and largest increases equal to the cent.
import { beforeAll, describe, expect, it } from 'vitest';
import { issueBills } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { addMonths, monthlyPeriod } from '../../domain/period.js';
import { eventually, waterAccount } from '../support/accounts.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let billing: string;
let supervisor: string;
let csr: string;

// The schedule today: $10.00 a month and $2.00 a ccf. Proposed from next month on: $12.00 a month, the
// first 10 ccf at $1.50 and above 10 at $3.00.
const current = simpleTariff('water', 'ccf', '10.00', '2.00');
const proposed = {
  ...simpleTariff('water', 'ccf', '12.00', '1.50'),
  components: [
    { type: 'fixed', name: 'Water customer charge', amount: '12.00' },
    {
      type: 'volumetric',
      name: 'Water usage',
      tiers: [
        { from: '0', price: '1.50' },
        { from: '10', price: '3.00' },
      ],
    },
  ],
};

// The 12 months rated are the 12 calendar months before today's (TODAY 2026-12-01: 2025-12 to 2026-11).
const lastMonth = addMonths(TODAY.slice(0, 7), -1);
const window = Array.from({ length: 12 }, (_, i) => addMonths(lastMonth, i - 11));

// Each account's ccf in each of the 12 months, and by hand (each line rounded half-up to the cent):
// A residential, 8.333 ccf a month:
//   current  10.00 + 8.333 x 2.00 = 16.666 -> 16.67 = 26.67 a month, 320.04 a year
//   proposed 12.00 + 8.333 x 1.50 = 12.4995 -> 12.50 = 24.50 a month, 294.00 a year   change -26.04
// B residential, 12 ccf a month:
//   current  10.00 + 24.00 = 34.00, 408.00 a year
//   proposed 12.00 + 10 x 1.50 + 2 x 3.00 = 33.00, 396.00 a year                       change -12.00
// C commercial, 30 ccf a month:
//   current  10.00 + 60.00 = 70.00, 840.00 a year
//   proposed 12.00 + 15.00 + 20 x 3.00 = 87.00, 1,044.00 a year                        change +204.00
// D commercial, 0 and 20 ccf in turn (six months each):
//   current  6 x 10.00 + 6 x (10.00 + 40.00) = 360.00
//   proposed 6 x 12.00 + 6 x (12.00 + 15.00 + 30.00) = 72.00 + 342.00 = 414.00        change +54.00
// By class: residential 728.04 -> 690.00 (-38.04); commercial 1,200.00 -> 1,458.00 (+258.00);
// total 1,928.04 -> 2,148.00 (+219.96).
// Changes sorted: -26.04, -12.00, +54.00, +204.00. Nearest rank of 4: median rank ceil(2) = 2 -> -12.00;
// p90 rank ceil(3.6) = 4 -> +204.00. Largest increases: C +204.00, then D +54.00.
const usage: Record<string, { customerClass: string; ccf: (i: number) => string }> = {
  A: { customerClass: 'residential', ccf: () => '8.333' },
  B: { customerClass: 'residential', ccf: () => '12' },
  C: { customerClass: 'commercial', ccf: () => '30' },
  D: { customerClass: 'commercial', ccf: (i) => (i % 2 ? '20' : '0') },
};

let scheduleId: string;
let futureVersion: string;
const accounts: Record<string, { id: string; number: string }> = {};

/** A bill of `ccf` for the period on the agreement (its total is what the billed month says; not re-used). */
const bill = (accountId: string, agreementId: string, period: string, ccf: string) => {
  const p = monthlyPeriod(period);
  return {
    accountId,
    period: p,
    billDate: p.end,
    dueDate: p.end,
    workflowId: 'test',
    segments: [
      {
        serviceAgreementId: agreementId,
        serviceType: 'water',
        startReadId: null,
        endReadId: null,
        consumption: ccf,
        unit: 'ccf',
        totalCents: 100,
        taxCents: 0,
        lines: [
          {
            description: 'Water charges',
            quantity: null,
            unit: null,
            unitPrice: null,
            amountCents: 100,
            rateVersionId: null as never,
            trace: { test: true },
          },
        ],
      },
    ],
  };
};

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  billing = await staffToken(app, sql, 'billing_admin');
  supervisor = await staffToken(app, sql, 'supervisor');
  csr = await staffToken(app, sql, 'csr');
  const made: Awaited<ReturnType<typeof waterAccount>>[] = [];
  for (const [name, u] of Object.entries(usage)) {
    const a = await waterAccount(sql, { customerClass: u.customerClass });
    made.push(a);
    accounts[name] = { id: a.acct.id, number: a.acct.accountNumber };
  }
  // one schedule for all of them, priced by the current tariff (each test account came with its own)
  scheduleId = made[0]!.rateScheduleId;
  await sql`update rate_version set tariff = ${sql.json(current as never)} where rate_schedule_id = ${scheduleId}`;
  await sql`update service_agreement set rate_schedule_id = ${scheduleId}
    where id in ${sql(made.map((a) => a.agreementId))}`;
  const bills = Object.keys(usage).flatMap((name, k) =>
    window.map((period, i) => bill(made[k]!.acct.id, made[k]!.agreementId, period, usage[name]!.ccf(i))),
  );
  // outside the window: A's month before it, 100 ccf, which would change A's figures if it were counted
  bills.push(bill(made[0]!.acct.id, made[0]!.agreementId, addMonths(window[0]!, -1), '100'));
  // E's agreement is closed: not an active account on the schedule, though billed in the window
  const e = await waterAccount(sql, { customerClass: 'residential' });
  await sql`update service_agreement set rate_schedule_id = ${scheduleId}, status = 'closed', end_date = ${`${lastMonth}-28`}
    where id = ${e.agreementId}`;
  bills.push(...window.map((period) => bill(e.acct.id, e.agreementId, period, '500')));
  await issueBills(sql, bills);
});

const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
};

const finished = (id: string) =>
  eventually(async () => {
    const r = await call(billing, 'GET', `/rate-impact-reports/${id}`);
    return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : null;
  }, 60_000);

const HAND_WORKED = {
  accounts: 4,
  service: 'water',
  total: { currentCents: 192804, proposedCents: 214800, changeCents: 21996 },
  byClass: [
    {
      customerClass: 'commercial',
      service: 'water',
      accounts: 2,
      currentCents: 120000,
      proposedCents: 145800,
      changeCents: 25800,
    },
    {
      customerClass: 'residential',
      service: 'water',
      accounts: 2,
      currentCents: 72804,
      proposedCents: 69000,
      changeCents: -3804,
    },
  ],
};

describe('a rate-change impact report', () => {
  it('refuses a proposed tariff that does not parse, naming the field, and staff without the role', async () => {
    const url = `/rate-schedules/${scheduleId}/impact-reports`;
    const bad = simpleTariff('water', 'ccf', '12.00', 'one fifty');
    const r = await call(billing, 'POST', url, { tariff: bad });
    expect(r).toMatchObject({
      status: 400,
      body: { error: { code: 'tariff_invalid', param: 'tariff.components[1].tiers[0].price' } },
    });
    expect((await call(csr, 'POST', url, { tariff: proposed })).status).toBe(403);
    const gas = await call(billing, 'POST', url, { tariff: simpleTariff('gas', 'therm', '1', '1') });
    expect(gas).toMatchObject({ status: 400, body: { error: { param: 'tariff.service' } } });
    const both = await call(billing, 'POST', url, { tariff: proposed, versionId: 'rv_x' });
    expect(both).toMatchObject({ status: 400, body: { error: { param: 'versionId' } } });
    const [inEffect] = await sql<
      { id: string }[]
    >`select id from rate_version where rate_schedule_id = ${scheduleId}`;
    const old = await call(billing, 'POST', url, { versionId: inEffect!.id });
    expect(old).toMatchObject({ status: 400, body: { error: { param: 'versionId' } } });
    expect(
      (await call(billing, 'POST', '/rate-schedules/rs_nope/impact-reports', { tariff: proposed })).status,
    ).toBe(404);
    const [{ n }] = (await sql`select count(*)::int as n from rate_impact_report`) as unknown as [
      { n: number },
    ];
    expect(n).toBe(0);
  });

  it('rates a version not yet in effect against the current one, by the hand-worked figures', async () => {
    const v = await call(billing, 'POST', `/rate-schedules/${scheduleId}/versions`, {
      effectiveFrom: addMonths(TODAY.slice(0, 7), 1) + '-01',
      tariff: proposed,
    });
    expect(v.status).toBe(201);
    futureVersion = v.body.id;
    // pages of 3 accounts: the four are rated in two pages
    const started = await call(billing, 'POST', `/rate-schedules/${scheduleId}/impact-reports`, {
      versionId: futureVersion,
      pageSize: 3,
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      object: 'rate_impact_report',
      proposedVersionId: futureVersion,
      months: { from: window[0], to: lastMonth },
    });
    const [audit] = await sql<{ resourceId: string }[]>`
      select resource_id from audit_log where action = 'POST /rate-schedules/:id/impact-reports'
        and detail->>'status' = '202'`;
    expect(audit!.resourceId).toBe(started.body.id);

    const done = await finished(started.body.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ accounts: 4, rated: 4, failed: 0 });
    expect(done.figures).toMatchObject(HAND_WORKED);
    expect(done.figures.billChange).toMatchObject({
      medianCents: -1200,
      p90Cents: 20400,
      minCents: -2604,
      maxCents: 20400,
      increased: 2,
      decreased: 2,
      unchanged: 0,
    });
    expect(
      done.figures.largestIncreases.map(
        (x: { accountNumber: string; changeCents: number; currentCents: number }) => [
          x.accountNumber,
          x.currentCents,
          x.changeCents,
        ],
      ),
    ).toEqual([
      [accounts.C!.number, 84000, 20400],
      [accounts.D!.number, 36000, 5400],
    ]);
    const rows = await sql<
      { accountId: string; months: number; currentCents: number; proposedCents: number }[]
    >`
      select account_id, months, current_cents, proposed_cents from rate_impact_account
      where report_id = ${started.body.id} order by account_id`;
    expect(rows.find((r) => r.accountId === accounts.A!.id)).toMatchObject({
      months: 12,
      currentCents: 32004,
      proposedCents: 29400,
    });
  });

  it('rates a tariff document the same way, and lets supervisors read it but not csrs', async () => {
    const started = await call(supervisor, 'POST', `/rate-schedules/${scheduleId}/impact-reports`, {
      tariff: proposed,
    });
    expect(started.status).toBe(202);
    expect(started.body.proposedVersionId).toBeNull();
    const done = await finished(started.body.id);
    expect(done.figures).toMatchObject(HAND_WORKED);
    expect(done.figures.billChange).toMatchObject({ medianCents: -1200, p90Cents: 20400 });
    expect((await call(csr, 'GET', `/rate-impact-reports/${started.body.id}`)).status).toBe(403);
    expect((await call(billing, 'GET', '/rate-impact-reports/rir_nope')).status).toBe(404);
  });
});
