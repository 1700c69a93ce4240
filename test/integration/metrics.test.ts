// /metrics after a real bill run: bills issued and held, the exceptions queue's depth and age, the
// notification backlog and request latency by route, each checked against the database; and who may scrape.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let harness: Awaited<ReturnType<typeof startWorkers>>;
let billing: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  harness = await startWorkers(sql);
  app = await testApp(sql, harness);
  billing = await staffToken(app, sql, 'billing_admin');
  await seedDemo(sql, {
    accounts: 30,
    seed: 5,
    today: '2026-11-28',
    months: 13,
    billedMonths: 12,
    cycles: 1,
  });
  // one water read far above normal: that account's bill is held for review
  const [w] = await sql<{ readId: string }[]>`
    select r.id as read_id from service_agreement sa
    join meter_installation mi on mi.service_point_id = sa.service_point_id
    join meter_read r on r.meter_id = mi.meter_id and r.read_at::date = '2026-11-01'
    where sa.service_type = 'water' order by sa.account_id limit 1`;
  await sql`update meter_read set value = value + 400 where id = ${w!.readId}`;
});

/** `name{labels} value` lines → value, for one series (labels as written by prom-client, in order). */
function series(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const scrape = async (o: { remoteAddress?: string; authorization?: string } = {}) =>
  app.inject({
    method: 'GET',
    url: '/metrics',
    ...(o.remoteAddress ? { remoteAddress: o.remoteAddress } : {}),
    headers: o.authorization ? { authorization: o.authorization } : {},
  });

describe('GET /metrics', () => {
  it('reports a bill run’s bills, the held bill waiting, the notification backlog and route latency', async () => {
    const before = (await scrape()).body;
    const issuedBefore = series(before, 'cisflow_bills_total', 'outcome="issued"') ?? 0;
    const started = await app.inject({
      method: 'POST',
      url: '/bill-runs',
      headers: bearer(billing),
      payload: { cycle: '01', period: '2026-10', pageSize: 10 },
    });
    expect(started.statusCode, started.body).toBe(202);
    let run = started.json();
    for (let i = 0; run.running && i < 150; i++) {
      await new Promise((r) => setTimeout(r, 200));
      run = (
        await app.inject({ method: 'GET', url: '/bill-runs/01/2026-10', headers: bearer(billing) })
      ).json();
    }
    expect(run.progress).toMatchObject({ status: 'completed', total: 30, failed: 0 });
    // the held bill reaches the queue by its own workflow: wait for it
    for (let i = 0; i < 50; i++) {
      const [{ n }] = (await sql`select count(*)::int as n from bill_exception where status = 'open'`) as [
        { n: number },
      ];
      if (n > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    // the dispatcher turns pending notices into workflows as they come: stop it, so the backlog holds still
    // between the scrape and the count it is checked against
    await harness.dispatcher.stop();
    const r = await scrape();
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    const m = r.body;
    const [db] = await sql<{ bills: number; open: number; pending: number }[]>`
      select (select count(*)::int from bill where period = '2026-10') as bills,
             (select count(*)::int from bill_exception where status in ('open', 'escalated')) as open,
             (select count(*)::int from notification where status = 'pending') as pending`;
    expect(series(m, 'cisflow_bills_total', 'outcome="issued"')! - issuedBefore).toBe(run.progress.billed);
    expect(run.progress.billed).toBe(db!.bills);
    expect(series(m, 'cisflow_bills_total', 'outcome="held"')).toBeGreaterThanOrEqual(run.progress.held);
    expect(run.progress.held).toBeGreaterThan(0);
    expect(series(m, 'cisflow_exceptions_open')).toBe(db!.open);
    expect(db!.open).toBeGreaterThan(0);
    expect(series(m, 'cisflow_exceptions_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(series(m, 'cisflow_notifications_pending')).toBe(db!.pending);
    // latency by route pattern (never the raw URL with its ids), with the status
    expect(
      series(
        m,
        'cisflow_http_request_seconds_count',
        'method="GET",route="/bill-runs/:cycle/:period",status="200"',
      ),
    ).toBeGreaterThan(0);
    expect(m).not.toContain('route="/bill-runs/01/2026-10"');
    // the pages' phases and the activities, from the worker side of this process
    expect(series(m, 'cisflow_billing_phase_seconds_count', 'phase="store"')).toBeGreaterThan(0);
  });

  it('is served to this machine or to the token holder, and to no one else', async () => {
    expect((await scrape({ remoteAddress: '10.1.2.3' })).statusCode).toBe(404);
    // a proxy in front makes every caller look local: a forwarded request is not this machine
    const proxied = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(404);
    const token = 'm'.repeat(40);
    const guarded = await testApp(sql, harness, undefined, { metricsToken: token });
    try {
      const get = (o: { remoteAddress?: string; authorization?: string }) =>
        guarded.inject({
          method: 'GET',
          url: '/metrics',
          ...(o.remoteAddress ? { remoteAddress: o.remoteAddress } : {}),
          headers: o.authorization ? { authorization: o.authorization } : {},
        });
      // with a token set, it is needed even on this machine, and it opens the door from elsewhere
      expect((await get({})).statusCode).toBe(404);
      expect(
        (await get({ remoteAddress: '10.1.2.3', authorization: `Bearer ${'x'.repeat(40)}` })).statusCode,
      ).toBe(404);
      const ok = await get({ remoteAddress: '10.1.2.3', authorization: `Bearer ${token}` });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('cisflow_exceptions_open');
    } finally {
      await guarded.close();
    }
  });
});
