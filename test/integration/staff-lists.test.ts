// Staff lists through the API: each pages with a cursor to the end without repeats, each filter holds on
// every row, and the figures match the bills and exceptions they summarise.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { newId } from '../../lib/ids.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let csr: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  csr = await staffToken(app, sql, 'csr');
  await seedDemo(sql, { accounts: 12, seed: 3, today: '2026-11-28', months: 4, billedMonths: 3, cycles: 3 });
});

const get = async (url: string, token = csr) => {
  const r = await app.inject({ method: 'GET', url, headers: bearer(token) });
  return { status: r.statusCode, body: r.json() };
};

/** Every row of a list, page by page with `limit`, following the cursor. */
async function all(
  url: string,
  limit: number,
  cursor: (x: Record<string, unknown>) => string = (x) => x.id as string,
) {
  const rows: Record<string, unknown>[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const sep = url.includes('?') ? '&' : '?';
    const r = await get(
      `${url}${sep}limit=${limit}${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    rows.push(...r.body.data);
    if (!r.body.has_more) return rows;
    after = cursor(r.body.data.at(-1));
  }
  throw new Error('never ended');
}

describe('staff lists', () => {
  it('pages each list to the end, every row once', async () => {
    const counts = (
      await sql<{ c: number; m: number; p: number }[]>`select
      (select count(*)::int from customer) as c, (select count(*)::int from meter) as m,
      (select count(*)::int from premise) as p`
    )[0]!;
    for (const [url, n] of [
      ['/customers', counts.c],
      ['/meters', counts.m],
      ['/premises', counts.p],
    ] as const) {
      const rows = await all(url, 5);
      expect(rows.length, url).toBe(n);
      expect(new Set(rows.map((r) => r.id)).size, url).toBe(n);
    }
  });

  it('lists bill runs with the figures of their bills and exceptions', async () => {
    const runs = await all('/bill-runs', 2);
    const expected = await sql<{ cycle: string; period: string; billed: number; cents: number }[]>`
      select a.billing_cycle as cycle, b.period, count(*)::int as billed, sum(b.total_cents)::int as cents
      from bill b join account a on a.id = b.account_id where b.status = 'issued'
      group by 1, 2 order by 2 desc, 1`;
    expect(runs.map((r) => [r.cycle, r.period, r.billed, r.billedCents])).toEqual(
      expected.map((e) => [e.cycle, e.period, e.billed, e.cents]),
    );
    expect(runs.length).toBe(9); // 3 cycles x 3 billed months
    const one = (await get('/bill-runs?cycle=02&period_from=2026-09')).body.data;
    expect(
      one.every((r: { cycle: string; period: string }) => r.cycle === '02' && r.period >= '2026-09'),
    ).toBe(true);
    expect(one.length).toBe(1);
  });

  it('lists billing cycles with active accounts, the last run and the schedule', async () => {
    await app.inject({
      method: 'PUT',
      url: '/billing-cycles/01/schedule',
      headers: bearer(await staffToken(app, sql, 'billing_admin')),
      payload: { dayOfMonth: 9, hour: 4 },
    });
    const cycles = (await get('/billing-cycles')).body.data;
    const active = await sql<{ cycle: string; n: number }[]>`
      select billing_cycle as cycle, count(*)::int as n from account where status = 'active' group by 1 order by 1`;
    expect(cycles.map((c: { cycle: string; activeAccounts: number }) => [c.cycle, c.activeAccounts])).toEqual(
      active.map((a) => [a.cycle, a.n]),
    );
    expect(cycles[0]).toMatchObject({
      lastPeriod: '2026-09',
      schedule: { paused: false, spec: { dayOfMonth: 9, hour: 4 } },
    });
    expect(new Date(cycles[0].schedule.nextRun).getUTCDate()).toBe(9);
    expect(cycles[1].schedule).toBeNull();
    const paged = await all('/billing-cycles', 1, (x) => x.cycle as string);
    expect(paged.map((c) => c.cycle)).toEqual(['01', '02', '03']);
  });

  it('filters customers, meters, premises and service orders', async () => {
    const [c] = await sql<{ name: string }[]>`select name from customer order by id limit 1`;
    const word = c!.name.split(' ').at(-1)!;
    const byName = (await get(`/customers?q=${encodeURIComponent(word)}`)).body.data;
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.every((x: { name: string }) => x.name.toLowerCase().includes(word.toLowerCase()))).toBe(
      true,
    );

    const meters = (await get('/meters?kind=water&installed=true')).body.data;
    expect(meters.length).toBeGreaterThan(0);
    for (const m of meters) {
      expect(m.kind).toBe('water');
      expect(m.installation.addressLine1).toBeTruthy();
      // the demo reads each meter on the 1st: the last is Nov 1
      expect(m.lastRead.readAt.slice(0, 10)).toBe('2026-11-01');
    }

    const [p] = await sql<{ postalCode: string }[]>`select postal_code from premise order by id limit 1`;
    const zip = (await get(`/premises?postal_code=${p!.postalCode}`)).body.data;
    expect(zip.length).toBeGreaterThan(0);
    expect(zip.every((x: { postalCode: string }) => x.postalCode === p!.postalCode)).toBe(true);

    const [acct] = await sql<{ id: string }[]>`select id from account order by id limit 1`;
    for (const [kind, status] of [
      ['reread', 'open'],
      ['disconnect', 'completed'],
      ['reconnect', 'open'],
    ])
      await sql`insert into service_order (id, account_id, kind, status, reason, idempotency_key)
        values (${newId('so')}, ${acct!.id}, ${kind!}, ${status!}, 'test', ${newId('so')})`;
    const open = await all('/service-orders?status=open', 1);
    expect(open.map((o) => o.kind)).toEqual(['reconnect', 'reread']); // newest first
    expect((await get('/service-orders?kind=disconnect')).body.data).toMatchObject([{ status: 'completed' }]);
  });

  it('is for staff only; a customer still searches addresses by words', async () => {
    const [acct] = await sql<{ id: string }[]>`select id from account order by id limit 1`;
    const customer = (await customerLogin(app, sql, [acct!.id])).token;
    for (const url of [
      '/bill-runs',
      '/billing-cycles',
      '/customers',
      '/meters',
      '/service-orders',
      '/rate-schedules',
    ])
      expect((await get(url, customer)).status, url).toBe(403);
    expect((await get('/premises', customer)).body.error).toMatchObject({ param: 'q' });
    expect((await get('/premises?q=xyzzy-none', customer)).body).toMatchObject({ data: [] });
  });
});
