// Hourly and daily usage from interval data (GET /accounts/:id/usage?granularity=…) in America/Chicago: the
// fall-back day has 25 hours and the spring-forward day 23, days are local, each account sees only its own
// tenure's hours, each day carries an estimated cost from the tariff in exact cents, and bad ranges are a
// 400 naming the field.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServiceAgreement,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { clockStartingAt } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { hourlyRows, insertIntervals } from '../support/intervals.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let staff: string;
let before: string; // the occupant until Oct 14
let after: string; // from Oct 15
let beforeLogin: string;
let afterLogin: string;

const get = (url: string, token: string) => app.inject({ url, headers: bearer(token) });

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const clock = clockStartingAt('2026-11-20T18:00:00.000Z', 'America/Chicago');
  const t = await startWorkers(sql, { clock });
  app = await testApp(sql, t, undefined, { clock });
  staff = await staffToken(app, sql, 'csr');
  const p = await createPremise(sql, {
    addressLine1: '9 Lake St',
    city: 'Evanston',
    state: 'IL',
    postalCode: '60201',
  });
  const sp = await createServicePoint(sql, p.id, 'water');
  const m = await createMeter(sql, {
    serialNumber: `IU-${newId('mtr').slice(-8)}`,
    kind: 'water',
    unit: 'gal',
  });
  await installMeter(sql, m.id, sp.id, '2026-01-01T00:00:00Z');
  const rs = newId('rs');
  await sql`insert into rate_schedule (id, code, name, service_type) values (${rs}, 'W-IU', 'Water', 'water')`;
  // $18.60 a month (62 cents a day in a 30-day month), 1 cent a gallon
  await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff)
    values (${newId('rv')}, ${rs}, '2026-01-01', ${sql.json(simpleTariff('water', 'gal', '18.60', '0.01') as never)})`;
  for (const [who, start, end] of [
    ['Before', '2026-01-01', '2026-10-14'],
    ['After', '2026-10-15', null],
  ] as const) {
    const c = await createCustomer(sql, { name: who });
    const a = await createAccount(sql, { customerId: c.id });
    await createServiceAgreement(sql, {
      accountId: a.id,
      servicePointId: sp.id,
      rateScheduleId: rs,
      startDate: start,
    });
    if (end) await sql`update service_agreement set end_date = ${end} where account_id = ${a.id}`;
    if (who === 'Before') before = a.id;
    else after = a.id;
  }
  beforeLogin = (await customerLogin(app, sql, [before])).token;
  afterLogin = (await customerLogin(app, sql, [after])).token;
  // 1.25 gal every hour from Oct 1 (local midnight, CDT) to Nov 20; and one delivered-only check: a received
  // channel row (1) must never count
  const from = '2026-10-01T05:00:00.000Z';
  const hours = (Date.parse('2026-11-20T06:00:00.000Z') - Date.parse(from)) / 3_600_000;
  await insertIntervals(
    sql,
    hourlyRows(m.id, from, hours, () => '1.25'),
  );
  await sql`update meter_interval set channel = 1, value = 100 where meter_id = ${m.id} and start_at = '2026-11-02T12:00:00Z'`;
}, 120_000);

describe('hourly and daily usage', () => {
  it('the fall-back day has 25 local hours (1 am twice) and the day after 24; no hour is lost or doubled', async () => {
    const r = await get(`/accounts/${after}/usage?granularity=hour&from=2026-11-01`, afterLogin);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      object: 'interval_usage',
      granularity: 'hour',
      from: '2026-11-01',
      to: '2026-11-01',
      timeZone: 'America/Chicago',
    });
    const [water] = body.services;
    expect(water.points).toHaveLength(25);
    expect(water.points.filter((p: { local: string }) => p.local === '2026-11-01T01:00')).toHaveLength(2);
    expect(water.points[0]).toEqual({
      start: '2026-11-01T05:00:00Z',
      local: '2026-11-01T00:00',
      quantity: '1.25',
    });
    expect(water.totals.quantity).toBe('31.25');
    const next = (await get(`/accounts/${after}/usage?granularity=hour&from=2026-11-02`, afterLogin)).json();
    // the received-channel hour holds no delivered usage: null, not 100
    expect(next.services[0].points).toHaveLength(24);
    expect(
      next.services[0].points.filter((p: { quantity: string | null }) => p.quantity === null),
    ).toHaveLength(1);
  });

  it('the spring-forward day has 23 hours', async () => {
    const r = (await get(`/accounts/${before}/usage?granularity=hour&from=2026-03-08`, staff)).json();
    expect(r.services[0].points).toHaveLength(23);
    expect(r.services[0].points.map((p: { local: string }) => p.local)).not.toContain('2026-03-08T02:00');
  });

  it('daily usage: local days with an estimated cost in cents from the tariff, the month totalled', async () => {
    const r = await get(`/accounts/${after}/usage?granularity=day&from=2026-11-01&to=2026-11-03`, afterLogin);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.costNote).toMatch(/Estimated/);
    // Nov 1: 25 hours x 1.25 = 31.25 gal -> 31 cents + 62 cents of the month's charge; Nov 2 lost one hour
    expect(body.services[0].points).toEqual([
      { start: '2026-11-01', local: '2026-11-01', quantity: '31.25', estimatedCents: 93 },
      { start: '2026-11-02', local: '2026-11-02', quantity: '28.75', estimatedCents: 91 },
      { start: '2026-11-03', local: '2026-11-03', quantity: '30', estimatedCents: 92 },
    ]);
    expect(body.services[0].totals).toEqual({ quantity: '90', estimatedCents: 276 });
  });

  it('tenure: each occupant sees only their own days, and nobody sees another account', async () => {
    const mine = (
      await get(`/accounts/${after}/usage?granularity=day&from=2026-10-01&to=2026-10-31`, afterLogin)
    ).json();
    const days = mine.services[0].points as { start: string; quantity: string | null }[];
    expect(days.filter((d) => d.quantity !== null).map((d) => d.start)[0]).toBe('2026-10-15');
    expect(days.find((d) => d.start === '2026-10-14')!.quantity).toBeNull();
    const theirs = (
      await get(`/accounts/${before}/usage?granularity=day&from=2026-10-01&to=2026-10-31`, beforeLogin)
    ).json();
    const old = theirs.services[0].points as { start: string; quantity: string | null }[];
    expect(
      old
        .filter((d) => d.quantity !== null)
        .map((d) => d.start)
        .at(-1),
    ).toBe('2026-10-14');
    expect(old.find((d) => d.start === '2026-10-15')!.quantity).toBeNull();
    // Oct 15's first hour is the new occupant's: local midnight CDT
    const first = (await get(`/accounts/${after}/usage?granularity=hour&from=2026-10-15`, afterLogin)).json();
    expect(first.services[0].points[0]).toMatchObject({ local: '2026-10-15T00:00', quantity: '1.25' });
    const cross = await get(`/accounts/${before}/usage?granularity=day`, afterLogin);
    expect([403, 404]).toContain(cross.statusCode);
  });

  it('bad ranges are a 400 naming the field; a month of hours is the most one request gets', async () => {
    const cases: [string, string][] = [
      ['granularity=hour&from=2026-10-01&to=2026-11-15', 'to'],
      ['granularity=day&from=2026-02-30', 'from'],
      ['granularity=day&from=2026-11-05&to=2026-11-01', 'to'],
      ['granularity=day&from=2025-01-01&to=2026-11-01', 'to'],
      ['from=2026-11-01', 'from'],
      ['granularity=week', 'granularity'],
    ];
    for (const [q, param] of cases) {
      const r = await get(`/accounts/${after}/usage?${q}`, afterLogin);
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.param, q).toContain(param);
    }
    const month = await get(
      `/accounts/${after}/usage?granularity=hour&from=2026-10-01&to=2026-10-31`,
      afterLogin,
    );
    expect(month.statusCode).toBe(200);
    // October 2026 in Chicago: 31 days of 24 hours (the change is Nov 1)
    expect(month.json().services[0].points).toHaveLength(744);
    // the monthly view still answers as before
    const monthly = await get(`/accounts/${after}/usage`, afterLogin);
    expect(monthly.json().object).toBe('usage');
  });
});
