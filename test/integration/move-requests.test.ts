// What the portal's move wizard asks of the API: the dates a stop, start or transfer may take (the same
// bounds createServiceRequest refuses outside of), a premise found by its address, and the requests it
// sends. Fixed dates: the test's TODAY through the API, and a month end (Dec 31) and a leap day directly.
import { beforeAll, describe, expect, it } from 'vitest';
import { addRead, createPremise, createServicePoint } from '../../db/accounts.js';
import { issueBill, loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { searchPremises } from '../../db/premises.js';
import { moveDateRules } from '../../db/service-requests.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { addDays, monthlyPeriod } from '../../domain/period.js';
import { waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, type TestApp, testApp } from '../support/api.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
});

/** A water account billed through the given month's end. */
async function billedThrough(month: string) {
  const a = await waterAccount(sql);
  const period = monthlyPeriod(month);
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
  return a;
}

describe('move dates', () => {
  it('a stop or transfer starts the day after the last bill, a start today; nothing past a year ahead', async () => {
    // billed through Jan 31, 2027 while today is Dec 31, 2026 (a month end): a stop may not undo that bill
    const ahead = await billedThrough('2027-01');
    expect(await moveDateRules(sql, ahead.acct.id, '2026-12-31')).toEqual({
      today: '2026-12-31',
      earliestStart: '2026-12-31',
      earliestStop: '2027-02-01',
      latest: '2028-01-01',
    });
    // billed through Nov 30: on Dec 31 the earliest stop is today; on Feb 29, 2028 a year ahead is Mar 1, 2029
    const behind = await billedThrough('2026-11');
    expect(await moveDateRules(sql, behind.acct.id, '2026-12-31')).toMatchObject({
      earliestStop: '2026-12-31',
      latest: '2028-01-01',
    });
    expect((await moveDateRules(sql, behind.acct.id, '2028-02-29')).latest).toBe('2029-03-01');
  });

  it("answers the account holder with the utility's today and no one else", async () => {
    const a = await billedThrough('2026-11');
    const owner = await customerLogin(app, sql, [a.acct.id]);
    const stranger = await customerLogin(app, sql, []);
    const r = await app.inject({ url: `/accounts/${a.acct.id}/move-dates`, headers: bearer(owner.token) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual(await moveDateRules(sql, a.acct.id, TODAY));
    expect(r.json().today).toBe(TODAY);
    const other = await app.inject({
      url: `/accounts/${a.acct.id}/move-dates`,
      headers: bearer(stranger.token),
    });
    expect(other.statusCode).toBe(404);
    // the API refuses the day before the earliest stop, naming the field, and takes the earliest
    const ask = (stop_date: string) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${a.acct.id}/service-requests`,
        headers: bearer(owner.token),
        payload: { kind: 'stop_service', details: { stop_date } },
      });
    const early = await ask(addDays(r.json().earliestStop, -1));
    expect(early.statusCode).toBe(400);
    expect(early.json().error).toMatchObject({ code: 'parameter_invalid', param: 'details.stop_date' });
    const late = await ask(addDays(r.json().latest, 1));
    expect(late.json().error).toMatchObject({ param: 'details.stop_date' });
  });
});

describe('finding the new address', () => {
  it('finds a premise by street words or ZIP, shows the address only, and refuses a too-short search', async () => {
    const p = await createPremise(sql, {
      addressLine1: '77 Juniper Way',
      addressLine2: 'Unit 4',
      city: 'Bend',
      state: 'OR',
      postalCode: '97703',
    });
    await createServicePoint(sql, p.id, 'water');
    await createPremise(sql, {
      addressLine1: '78 Juniper Way',
      city: 'Salem',
      state: 'OR',
      postalCode: '97301',
    });
    expect((await searchPremises(sql, 'juniper bend')).map((x) => x.id)).toEqual([p.id]);
    expect((await searchPremises(sql, '97703')).map((x) => x.id)).toEqual([p.id]);
    expect(await searchPremises(sql, '100%_')).toEqual([]);

    const a = await waterAccount(sql);
    const customer = await customerLogin(app, sql, [a.acct.id]);
    const r = await app.inject({ url: '/premises?q=Juniper%20Way', headers: bearer(customer.token) });
    expect(r.statusCode).toBe(200);
    expect(r.json().data.map((x: { addressLine1: string }) => x.addressLine1)).toEqual([
      '77 Juniper Way',
      '78 Juniper Way',
    ]);
    expect(Object.keys(r.json().data[0]).sort()).toEqual(
      ['addressLine1', 'addressLine2', 'city', 'id', 'object', 'postalCode', 'state'].sort(),
    );
    const short = await app.inject({ url: '/premises?q=Ju', headers: bearer(customer.token) });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.param).toContain('q');
    expect((await app.inject({ url: '/premises?q=Juniper' })).statusCode).toBe(401);

    // start at the address found: waits for staff approval; a start in the past is refused. (A portal
    // sign-up names the login's customer; this test's login is given it here.)
    await sql`update app_user set customer_id = ${a.customer.id}
      where id in (select user_id from portal_account_access where account_id = ${a.acct.id})`;
    const past = await app.inject({
      method: 'POST',
      url: '/service-requests/start-service',
      headers: bearer(customer.token),
      payload: { details: { premise_id: p.id, start_date: addDays(TODAY, -1) } },
    });
    expect(past.json().error).toMatchObject({ code: 'parameter_invalid', param: 'details.start_date' });
    const start = await app.inject({
      method: 'POST',
      url: '/service-requests/start-service',
      headers: bearer(customer.token),
      payload: { details: { premise_id: p.id, start_date: TODAY } },
    });
    expect(start.statusCode).toBe(201);
    expect(start.json()).toMatchObject({ kind: 'start_service', requiresApproval: true });
  });
});
