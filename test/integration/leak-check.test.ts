// The daily leak check on generated data with known leaks (test/support/intervals.ts): 200 homes of hourly
// water use in America/Chicago, some with a planted continuous leak, some with a night-only leak, some
// watering the garden at 4 am. Every planted leak is found and no normal home is; an episode alerts once,
// a closed one followed by a new leak alerts again; episodes follow tenure; the API shows them to the
// account's owner and staff only; the Temporal Schedule runs the check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeakCheckActivities } from '../../activities/leak-check.js';
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
import { setSubscriptions } from '../../db/subscriptions.js';
import { localDate } from '../../domain/period.js';
import { clockStartingAt } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { ensureLeakCheckSchedule } from '../../workers/schedules.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { generateHomes, hourlyRows, insertIntervals } from '../support/intervals.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

const TZ = 'America/Chicago';
// the check runs at 6 am Chicago on Thursday Dec 3, 2026; the data are the 40 days before
const AS_OF = '2026-12-03T12:00:00.000Z';
const HOURS = 40 * 24;
const FROM = new Date(Date.parse(AS_OF) - HOURS * 3_600_000).toISOString();
const LATER = '2026-12-04T20:00:00.000Z';
// the lifecycle test's own checks: the leak fixed (a dry day and night), then leaking again for 30 hours
const FIXED = '2026-12-04T14:00:00.000Z';
const AGAIN = '2026-12-05T20:00:00.000Z';
const clock = clockStartingAt(AS_OF, TZ);
const CONTINUOUS = 12;
const NIGHT = 8;

let sql: Sql;
let app: TestApp;
let t: TemporalHarness;
let staff: string;
const homes: { accountId: string; customerId: string; meterId: string; kind: string }[] = [];
let rsId: string;

async function home(o: { start?: string } = {}) {
  const c = await createCustomer(sql, { name: `Leak Home ${homes.length}` });
  const a = await createAccount(sql, { customerId: c.id });
  const p = await createPremise(sql, {
    addressLine1: `${homes.length} Prairie Ave`,
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
  });
  const sp = await createServicePoint(sql, p.id, 'water');
  const m = await createMeter(sql, {
    serialNumber: `LK-${newId('mtr').slice(-10)}`,
    kind: 'water',
    unit: 'gal',
  });
  await installMeter(sql, m.id, sp.id, '2026-01-01T00:00:00Z');
  await createServiceAgreement(sql, {
    accountId: a.id,
    servicePointId: sp.id,
    rateScheduleId: rsId,
    startDate: o.start ?? '2026-01-01',
  });
  return {
    accountId: a.id as string,
    customerId: c.id as string,
    meterId: m.id as string,
    spId: sp.id as string,
  };
}

const check = (asOf: string) => createLeakCheckActivities(sql, clock).checkLeaks({ asOf });
const episodes = (accountId: string) =>
  sql<
    {
      id: string;
      kind: string;
      status: string;
      startedAt: Date;
      evidence: Record<string, unknown>;
      notificationId: string | null;
    }[]
  >`
    select id, kind, status, started_at, evidence, notification_id from leak_episode where account_id = ${accountId} order by created_at`;
const notices = (accountId: string) =>
  sql<{ id: string; data: Record<string, unknown> }[]>`
    select id, data from notification where account_id = ${accountId} and alert = 'leak_suspected' order by created_at`;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql, { clock });
  app = await testApp(sql, t, undefined, { clock });
  staff = await staffToken(app, sql, 'csr');
  rsId = newId('rs');
  await sql`insert into rate_schedule (id, code, name, service_type) values (${rsId}, 'W-LEAK', 'Water', 'water')`;
  const generated = generateHomes({
    homes: 200,
    fromIso: FROM,
    hours: HOURS,
    timeZone: TZ,
    seed: 20261203,
    continuous: CONTINUOUS,
    night: NIGHT,
  });
  const rows = [];
  for (const g of generated) {
    const h = await home();
    homes.push({ ...h, kind: g.kind });
    rows.push(...hourlyRows(h.meterId, FROM, HOURS, (i) => g.gallons[i]!));
  }
  await insertIntervals(sql, rows);
}, 120_000);

afterAll(async () => {
  await t.env.client.schedule
    .getHandle('leak-check-test')
    .delete()
    .catch(() => {});
});

describe('leak check', () => {
  it('the Temporal Schedule runs it: every planted leak is found, of its kind, and no normal home', async () => {
    const taskQueue = `${t.taskQueuePrefix}billing`;
    expect(
      await ensureLeakCheckSchedule(t.env.client, {
        taskQueue,
        interval: '1 day',
        scheduleId: 'leak-check-test',
      }),
    ).toBe('created');
    expect(
      await ensureLeakCheckSchedule(t.env.client, {
        taskQueue,
        interval: '1 day',
        scheduleId: 'leak-check-test',
      }),
    ).toBe('exists');
    await t.env.client.schedule.getHandle('leak-check-test').trigger();
    const deadline = Date.now() + 60_000;
    let found: { accountId: string; kind: string }[] = [];
    while (Date.now() < deadline) {
      found = await sql`select account_id, kind from leak_episode where status = 'open'`;
      if (found.length >= CONTINUOUS + NIGHT) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const byAccount = new Map(found.map((f) => [f.accountId, f.kind]));
    for (const h of homes) {
      if (h.kind === 'continuous')
        expect(byAccount.get(h.accountId), `home ${h.accountId}`).toBe('continuous');
      else if (h.kind === 'night')
        expect(byAccount.get(h.accountId), `home ${h.accountId}`).toBe('night_flow');
      else expect(byAccount.has(h.accountId), `normal home ${h.accountId} (${h.kind})`).toBe(false);
    }
    expect(homes.filter((h) => h.kind === 'irrigation').length).toBeGreaterThan(10);
    expect(found).toHaveLength(CONTINUOUS + NIGHT);
    // one notice per episode, with the figures
    const first = homes.find((h) => h.kind === 'continuous')!;
    const [e] = await episodes(first.accountId);
    expect(e!.evidence).toMatchObject({ unit: 'gal', hours: expect.any(Number) });
    expect(e!.evidence.hours as number).toBeGreaterThanOrEqual(31);
    expect(Date.parse(AS_OF) - e!.startedAt.getTime()).toBe((e!.evidence.hours as number) * 3_600_000);
    const [n, ...more] = await notices(first.accountId);
    expect(more).toEqual([]);
    expect(n!.id).toBe(e!.notificationId);
    expect(n!.data).toMatchObject({
      kind: 'continuous',
      hours: e!.evidence.hours,
      since: localDate(e!.startedAt.getTime(), TZ),
    });
    const night = homes.find((h) => h.kind === 'night')!;
    const [ne] = await episodes(night.accountId);
    expect(ne!.evidence).toMatchObject({ night: '2026-12-03', nightNormal: '0' });
    expect(Number(ne!.evidence.nightLowest)).toBeGreaterThanOrEqual(3);
  });

  it('a continuing leak does not alert again; stopped, it closes; a new leak opens a new episode and alerts again', async () => {
    const h = homes.find((x) => x.kind === 'continuous')!;
    const started = Date.now();
    const again = await check(AS_OF);
    console.log(`leak check over ${homes.length} homes x ${HOURS} hours: ${Date.now() - started} ms`);
    expect(again.opened).toBe(0);
    expect(again.continued).toBe(CONTINUOUS + NIGHT);
    expect(await notices(h.accountId)).toHaveLength(1);
    // the toilet is fixed at 6 am: a day of dry hours, and a dry night, close the episode
    await insertIntervals(
      sql,
      hourlyRows(h.meterId, AS_OF, 26, () => '0'),
    );
    const fixed = await check(FIXED);
    expect(fixed.closed).toBe(1);
    expect((await episodes(h.accountId)).map((e) => e.status)).toEqual(['closed']);
    // it leaks again, for 30 hours
    await insertIntervals(
      sql,
      hourlyRows(h.meterId, FIXED, 30, () => '1.5'),
    );
    const later = await check(AGAIN);
    expect(later.opened).toBe(1);
    const list = await episodes(h.accountId);
    expect(list.map((e) => [e.status, e.kind])).toEqual([
      ['closed', 'continuous'],
      ['open', 'continuous'],
    ]);
    expect(list[1]!.evidence).toMatchObject({ hours: 30, atLeast: false, lowestHourly: '1.5' });
    expect(await notices(h.accountId)).toHaveLength(2);
  });

  it('the notice goes through messaging: in the customer language, and not to a customer who opted out', async () => {
    const a = await home();
    const b = await home();
    let n = 0;
    for (const x of [a, b]) {
      n++;
      await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
        values (${`cc_leak${n}`}, ${x.customerId}, 'email', ${`leak${n}@example.test`}, now())`;
      await insertIntervals(
        sql,
        hourlyRows(x.meterId, '2026-12-03T08:00:00.000Z', 36, () => '2'),
      );
    }
    await sql`update customer set language = 'es' where id = ${a.customerId}`;
    await setSubscriptions(sql, b.customerId, { leak_suspected: 'none' });
    await check(LATER);
    const wait = async (accountId: string) => {
      for (let i = 0; i < 60; i++) {
        const [r] = await sql<{ status: string; id: string }[]>`
          select status, id from notification where account_id = ${accountId} and alert = 'leak_suspected'`;
        if (r && r.status !== 'pending') return r;
        await new Promise((res) => setTimeout(res, 500));
      }
      throw new Error('notice not processed');
    };
    const na = await wait(a.accountId);
    const [mail] = await sql<{ subject: string; body: string }[]>`
      select subject, body from outbound_message where notification_id = ${na.id} and channel = 'email'`;
    expect(mail!.subject).toBe('Posible fuga de agua en su casa');
    expect(mail!.body).toContain('el agua corrió todas las horas durante al menos 36 horas');
    const nb = await wait(b.accountId);
    expect(await sql`select 1 from outbound_message where notification_id = ${nb.id}`).toHaveLength(0);
  });

  it('tenure: an episode is the account that had the meter; a move-out closes it; a new occupant is judged on their own hours', async () => {
    const before = await home({ start: '2026-01-01' });
    // a steady 2 gal/h since Nov 25: the old occupant's leak, which goes on after they move out
    await insertIntervals(
      sql,
      hourlyRows(before.meterId, '2026-11-25T00:00:00.000Z', 9 * 24 + 20, () => '2'),
    );
    await check(AS_OF);
    expect((await episodes(before.accountId)).map((e) => e.status)).toEqual(['open']);
    // they moved out on Dec 1; the new occupant starts on Dec 2
    await sql`update service_agreement set end_date = '2026-12-01' where account_id = ${before.accountId}`;
    const c = await createCustomer(sql, { name: 'New Occupant' });
    const after = await createAccount(sql, { customerId: c.id });
    await createServiceAgreement(sql, {
      accountId: after.id,
      servicePointId: before.spId,
      rateScheduleId: rsId,
      startDate: '2026-12-02',
    });
    await check(LATER);
    expect((await episodes(before.accountId)).map((e) => e.status)).toEqual(['closed']);
    const [mine, ...rest] = await episodes(after.id);
    expect(rest).toEqual([]);
    // Dec 2 00:00 Chicago is 06:00Z: their run is counted from their first hour, 62 hours to the check
    expect(mine!.evidence).toMatchObject({ hours: 62, atLeast: true, nightNormal: null });
    expect(mine!.startedAt.toISOString()).toBe('2026-12-02T06:00:00.000Z');
    expect(await notices(after.id)).toHaveLength(1);

    // the API: each account sees its own episodes only
    const newcomer = await customerLogin(app, sql, [after.id]);
    const r = await app.inject({
      url: `/accounts/${after.id}/leak-episodes`,
      headers: bearer(newcomer.token),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().data).toEqual([
      expect.objectContaining({
        object: 'leak_episode',
        kind: 'continuous',
        status: 'open',
        since: '2026-12-02',
      }),
    ]);
    const other = await app.inject({
      url: `/accounts/${before.accountId}/leak-episodes`,
      headers: bearer(newcomer.token),
    });
    expect([403, 404]).toContain(other.statusCode);
    const old = await app.inject({
      url: `/accounts/${before.accountId}/leak-episodes`,
      headers: bearer(staff),
    });
    expect(old.json().data.map((e: { status: string }) => e.status)).toEqual(['closed']);
    const none = await app.inject({ url: `/accounts/acct_nosuch/leak-episodes`, headers: bearer(staff) });
    expect(none.statusCode).toBe(404);
  });

  it('night flow needs the occupant’s own baseline: the same nights at a home taken over five days ago are not judged yet', async () => {
    const newcomer = await home({ start: '2026-11-28' });
    const resident = await home({ start: '2026-01-01' });
    // 5 gal/h through the small hours of the last four nights (dry before), a dry hour at noon every day
    const leakFrom = Date.parse('2026-11-29T06:00:00.000Z');
    const use = (_i: number, at: string) => {
      const local = (new Date(at).getUTCHours() + 18) % 24; // CST
      if (local < 6) return Date.parse(at) >= leakFrom ? '5' : '0';
      return local === 12 ? '0' : '3';
    };
    for (const h of [newcomer, resident]) await insertIntervals(sql, hourlyRows(h.meterId, FROM, HOURS, use));
    await check(AS_OF);
    expect(await episodes(newcomer.accountId)).toEqual([]);
    expect(
      (await episodes(resident.accountId)).map((e) => [
        e.kind,
        e.evidence.nightLowest,
        e.evidence.nightNormal,
      ]),
    ).toEqual([['night_flow', '5', '0']]);
  });
});
