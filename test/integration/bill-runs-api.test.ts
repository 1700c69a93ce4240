// Staff run and watch bill runs, schedule them, and work the exceptions queue, all through the API.
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
let spikedAccount: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  billing = await staffToken(app, sql, 'billing_admin');
  csr = await staffToken(app, sql, 'csr');
  await seedDemo(sql, {
    accounts: 30,
    seed: 5,
    today: '2026-11-28',
    months: 13,
    billedMonths: 12,
    cycles: 1,
  });
  const [w] = await sql<{ accountId: string; readId: string }[]>`
    select sa.account_id, r.id as read_id from service_agreement sa
    join meter_installation mi on mi.service_point_id = sa.service_point_id
    join meter_read r on r.meter_id = mi.meter_id and r.read_at::date = '2026-11-01'
    where sa.service_type = 'water' order by sa.account_id limit 1`;
  spikedAccount = w!.accountId;
  await sql`update meter_read set value = value + 400 where id = ${w!.readId}`;
});

const call = async (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
  const r = await app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
};

// what the cycle's bills and held bills say about a period, counted straight from the tables
const counts = async (period: string) => {
  const [c] = await sql<{ billed: number; held: number; live: number }[]>`
    select (select count(*)::int from bill where period = ${period} and status = 'issued') as billed,
      (select count(*)::int from bill_exception where period = ${period}) as held,
      (select count(*)::int from bill where period = ${period} and status <> 'cancelled') as live`;
  return c!;
};

describe('bill runs through the API', () => {
  it('previews a run before it starts: the accounts it pages through and how the last run went', async () => {
    const [seeded] = await sql<{ period: string }[]>`select max(period) as period from bill`;
    expect(seeded!.period < '2026-10').toBe(true);
    const last = await counts(seeded!.period);
    const before = await call(csr, 'GET', '/bill-runs/01/2026-10/preview');
    expect(before).toMatchObject({
      status: 200,
      body: {
        object: 'bill_run_preview',
        cycle: '01',
        period: '2026-10',
        accounts: 30,
        alreadyBilled: 0,
        lastRun: { period: seeded!.period, billed: last.billed, held: last.held },
      },
    });
    expect(last.billed).toBe(30);
    // a cycle no account is on: nothing to bill, no last run
    expect((await call(csr, 'GET', '/bill-runs/09/2026-10/preview')).body).toMatchObject({
      accounts: 0,
      alreadyBilled: 0,
      lastRun: null,
    });
    expect((await call(csr, 'GET', '/bill-runs/1/2026-10/preview')).status).toBe(400);
    // read-only: nothing was started or billed
    expect((await call(csr, 'GET', '/bill-runs/01/2026-10')).status).toBe(404);
    expect((await counts('2026-10')).live).toBe(0);
  });

  it('runs a cycle, reports progress, and puts the unusual bill in the exceptions queue for staff', async () => {
    expect((await call(csr, 'POST', '/bill-runs', { cycle: '01', period: '2026-10' })).status).toBe(403);
    const started = await call(billing, 'POST', '/bill-runs', {
      cycle: '01',
      period: '2026-10',
      pageSize: 10,
    });
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toBe('bill-run/01/2026-10');
    expect(started.body.url).toContain('/workflows/bill-run%2F01%2F2026-10');
    let run = started.body;
    for (let i = 0; run.running && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200));
      run = (await call(csr, 'GET', '/bill-runs/01/2026-10')).body;
    }
    expect(run.progress).toMatchObject({ status: 'completed', total: 30, failed: 0 });
    expect(run.progress.billed + run.progress.held).toBe(30);

    let queue = (await call(csr, 'GET', '/exceptions')).body;
    for (
      let i = 0;
      !queue.data.some((e: { accountId: string }) => e.accountId === spikedAccount) && i < 50;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 200));
      queue = (await call(csr, 'GET', '/exceptions')).body;
    }
    const exc = queue.data.find((e: { accountId: string }) => e.accountId === spikedAccount);
    expect(exc).toMatchObject({
      object: 'bill_exception',
      period: '2026-10',
      status: 'open',
      reasons: expect.arrayContaining([expect.objectContaining({ code: 'high_usage' })]),
    });

    expect((await call(csr, 'POST', `/exceptions/${exc.id}/resolve`, { action: 'approve' })).status).toBe(
      403,
    );
    expect(
      (await call(billing, 'POST', `/exceptions/${exc.id}/resolve`, { action: 'adjust_read' })).body.error,
    ).toMatchObject({ code: 'parameter_missing', param: 'readId' });
    const ok = await call(billing, 'POST', `/exceptions/${exc.id}/resolve`, {
      action: 'approve',
      note: 'new pool, confirmed',
    });
    expect(ok).toMatchObject({ status: 200, body: { accepted: true, action: 'approve' } });
    let billed: readonly unknown[] = [];
    for (let i = 0; !billed.length && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      billed = await sql`select id from bill where account_id = ${spikedAccount} and period = '2026-10'`;
    }
    expect(billed).toHaveLength(1);
    expect((await call(billing, 'POST', `/exceptions/${exc.id}/resolve`, { action: 'cancel' })).status).toBe(
      409,
    );
    const [audit] =
      await sql`select detail from audit_log where action = 'POST /exceptions/:id/resolve' and detail->>'status' = '200'`;
    expect(audit!.detail).toMatchObject({ action: 'approve', note: 'new pool, confirmed' });
  });

  it('previews a re-run: every account already billed, and the held bills of the run it repeats', async () => {
    const now = await counts('2026-10');
    expect(now.held).toBeGreaterThanOrEqual(1); // the spiked account's bill was held
    const p = (await call(csr, 'GET', '/bill-runs/01/2026-10/preview')).body;
    expect(p).toMatchObject({
      accounts: 30,
      alreadyBilled: now.live,
      lastRun: { period: '2026-10', billed: now.billed, held: now.held },
    });
  });

  it('schedules a cycle monthly, and pauses, resumes and triggers it', async () => {
    expect((await call(billing, 'GET', '/billing-cycles/01/schedule')).status).toBe(404);
    const s = await call(billing, 'PUT', '/billing-cycles/01/schedule', { dayOfMonth: 7, hour: 3 });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ scheduleId: 'bill-run-schedule/01', paused: false });
    expect(new Date(s.body.nextRuns[0]).getUTCDate()).toBe(7);
    expect(new Date(s.body.nextRuns[0]).getUTCHours()).toBe(3);
    expect(
      (await call(billing, 'POST', '/billing-cycles/01/schedule/pause', { note: 'rate change pending' })).body
        .paused,
    ).toBe(true);
    const un = await call(billing, 'POST', '/billing-cycles/01/schedule/unpause');
    expect(un.body.paused, JSON.stringify(un.body)).toBe(false);
    await call(billing, 'POST', '/billing-cycles/01/schedule/trigger');
    let d = (await call(csr, 'GET', '/billing-cycles/01/schedule')).body;
    for (let i = 0; !d.recentRuns.length && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      d = (await call(csr, 'GET', '/billing-cycles/01/schedule')).body;
    }
    expect(d.recentRuns[0]).toMatch(/^bill-run\/01\/scheduled/);
    expect((await call(billing, 'POST', '/billing-cycles/01/schedule/backfill', {})).body.error.param).toBe(
      'from',
    );
  });
});
