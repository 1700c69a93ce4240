// The architecture end to end through the API: set up an account, post reads, bill it on Temporal,
// see the ledger balance — plus the security and error rules every endpoint follows.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let csr: string;
let billing: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const t = await startWorkers(sql);
  app = await testApp(sql, t);
  csr = await staffToken(app, sql, 'csr');
  billing = await staffToken(app, sql, 'billing_admin');
});

async function post(token: string, url: string, payload: unknown, headers: Record<string, string> = {}) {
  const r = await app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    headers: { ...bearer(token), ...headers },
  });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
}

async function setUpAccount() {
  const cust = await post(csr, '/customers', {
    name: 'Grace Hopper',
    email: 'grace@example.test',
    phone: '+15035550100',
  });
  expect(cust.status).toBe(201);
  const acct = await post(csr, '/accounts', { customerId: cust.body.id, billingCycle: '07' });
  expect(acct.body.accountNumber).toMatch(/^\d{10}$/);
  const prem = await post(csr, '/premises', {
    addressLine1: '12 Elm St',
    city: 'Eugene',
    state: 'OR',
    postalCode: '97401',
    route: 'R07',
  });
  const sp = await post(csr, `/premises/${prem.body.id}/service-points`, { serviceType: 'water' });
  const meter = await post(csr, '/meters', {
    serialNumber: `WM-${Date.now()}-${Math.random()}`.slice(0, 30),
    kind: 'water',
    unit: 'ccf',
    dialCount: 6,
  });
  expect(
    (
      await post(csr, `/meters/${meter.body.id}/installations`, {
        servicePointId: sp.body.id,
        installedAt: '2024-01-01T00:00:00Z',
      })
    ).status,
  ).toBe(201);
  const rs = await post(billing, '/rate-schedules', {
    code: `WTR-${Math.floor(Math.random() * 1e6)}`,
    name: 'Residential water',
    serviceType: 'water',
    effectiveFrom: '2024-01-01',
    tariff: simpleTariff('water', 'ccf', '21.15', '4.07'),
  });
  expect(rs.status).toBe(201);
  const sa = await post(csr, '/service-agreements', {
    accountId: acct.body.id,
    servicePointId: sp.body.id,
    rateScheduleId: rs.body.id,
    startDate: '2024-01-01',
  });
  expect(sa.status).toBe(201);
  return { accountId: acct.body.id as string, meterId: meter.body.id as string };
}

describe('end-to-end slice through the API', () => {
  it('bills an account from two reads on Temporal and shows the ledger balance', async () => {
    const { accountId, meterId } = await setUpAccount();
    expect(
      (
        await post(csr, `/meters/${meterId}/reads`, {
          readAt: '2026-09-01T07:30:00Z',
          value: '1204.00',
          source: 'ami',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await post(csr, `/meters/${meterId}/reads`, {
          readAt: '2026-10-01T07:30:00Z',
          value: '1217.37',
          source: 'ami',
        })
      ).status,
    ).toBe(201);

    const bill = await post(billing, `/accounts/${accountId}/bills`, { period: '2026-09' });
    // 13.37 ccf x 4.07 = 54.4159 -> $54.42 (half-up); + $21.15 = $75.57
    expect(bill.status).toBe(201);
    expect(bill.body.totalCents).toBe(7557);
    expect(bill.body.segments[0].lines.map((l: { amountCents: number }) => l.amountCents)).toEqual([
      2115, 5442,
    ]);
    expect(bill.body.segments[0].lines[1].rateVersionId).toMatch(/^rv_/);
    expect(bill.body.segments[0].lines[1].trace).toMatchObject({
      proration: { days: 30, periodDays: 30 },
      reads: { startValue: '1204', endValue: '1217.37' },
    });

    const again = await post(billing, `/accounts/${accountId}/bills`, { period: '2026-09' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(bill.body.id);

    const view = await app.inject({ method: 'GET', url: `/accounts/${accountId}`, headers: bearer(csr) });
    expect(view.json()).toMatchObject({
      object: 'account',
      balanceCents: 7557,
      bills: [{ id: bill.body.id, totalCents: 7557 }],
    });

    const wf = await app.inject({
      method: 'GET',
      url: `/accounts/${accountId}/workflows`,
      headers: bearer(csr),
    });
    // visibility is eventually consistent on the dev server; the workflow id is deterministic either way
    expect(wf.statusCode).toBe(200);
    expect(bill.body.workflowId).toMatch(/^billing-cycle\/\d{10}\/2026-09$/);
  });

  it('holds a bill with no closing read and says why', async () => {
    const { accountId, meterId } = await setUpAccount();
    await post(csr, `/meters/${meterId}/reads`, {
      readAt: '2026-09-01T07:30:00Z',
      value: '10',
      source: 'amr',
    });
    const r = await post(billing, `/accounts/${accountId}/bills`, { period: '2026-09' });
    expect(r.status).toBe(409);
    expect(r.body.reasons[0].code).toBe('missing_read');
    expect(r.body.workflowUrl).toContain('/workflows/billing-cycle%2F');
  });
});

describe('security', () => {
  it('lets a customer see their own account and nothing else', async () => {
    const mine = await setUpAccount();
    const other = await setUpAccount();
    const c = await customerLogin(app, sql, [mine.accountId]);
    expect(
      (await app.inject({ method: 'GET', url: `/accounts/${mine.accountId}`, headers: bearer(c.token) }))
        .statusCode,
    ).toBe(200);
    const denied = await app.inject({
      method: 'GET',
      url: `/accounts/${other.accountId}`,
      headers: bearer(c.token),
    });
    expect(denied.statusCode).toBe(404);
    expect(denied.json().error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
    // staff-only routes
    expect((await app.inject({ method: 'GET', url: '/accounts', headers: bearer(c.token) })).statusCode).toBe(
      403,
    );
    expect((await post(c.token, '/customers', { name: 'Mallory' })).status).toBe(403);
  });

  it('requires sign-in, and a CSRF token for cookie-authenticated changes', async () => {
    const r = await app.inject({ method: 'GET', url: '/accounts' });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.type).toBe('authentication_error');
    const c = await customerLogin(app, sql, []);
    const noCsrf = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: c.cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('csrf_token_invalid');
    const ok = await app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf },
    });
    expect(ok.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/me', headers: { cookie: c.cookie } })).statusCode).toBe(
      401,
    );
  });

  it('role-checks staff actions and audits both the allowed and the refused', async () => {
    const { accountId } = await setUpAccount();
    const refused = await post(csr, `/accounts/${accountId}/bills`, { period: '2026-09' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('role_not_permitted');
    const audit =
      await sql`select action, actor_role, detail from audit_log where actor_role = 'csr' order by id`;
    expect(audit.some((a) => a.action === 'POST /customers' && a.detail.status === 201)).toBe(true);
    expect(audit.some((a) => a.action === 'POST /accounts/:id/bills' && a.detail.status === 403)).toBe(true);
    await expect(sql`update audit_log set action = 'x'`).rejects.toThrow(/append-only/);
  });

  it('rejects a wrong password without saying which part was wrong', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'nobody@example.test', password: 'x' },
    });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('invalid_credentials');
  });
});

describe('errors and idempotency', () => {
  it('answers malformed and invalid bodies with a typed 400 naming the field', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/customers',
      headers: { ...bearer(csr), 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const missing = await post(csr, '/customers', { email: 'x@example.test' });
    expect(missing.body.error).toMatchObject({ code: 'parameter_missing', param: 'name' });
    const wrong = await post(csr, '/meters', { serialNumber: 'A1', kind: 'water', unit: 'furlongs' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.param).toBe('unit');
    const read = await post(csr, '/meters/mtr_doesnotexist00/reads', {
      readAt: '2026-01-01T00:00:00Z',
      value: '1',
      source: 'ami',
    });
    expect(read.status).toBe(404);
    expect(read.body.error.param).toBe('id');
  });

  it('replays the first response for a repeated Idempotency-Key and refuses a reused key', async () => {
    const key = `idem-${Math.random()}`;
    const a = await post(csr, '/customers', { name: 'Once Only' }, { 'idempotency-key': key });
    const b = await post(csr, '/customers', { name: 'Once Only' }, { 'idempotency-key': key });
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['idempotent-replayed']).toBe('true');
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from customer where name = 'Once Only'`;
    const n = row?.n;
    expect(n).toBe(1);
    const c = await post(csr, '/customers', { name: 'Someone Else' }, { 'idempotency-key': key });
    expect(c.body.error.code).toBe('idempotency_key_reused');
  });

  it('reports liveness and readiness', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ready', postgres: { ok: true }, temporal: { ok: true } });
  });

  it('serves the OpenAPI document with every API route in it', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const p of [
      '/accounts/{id}',
      '/accounts/{id}/bills',
      '/meters/{id}/reads',
      '/auth/login',
      '/readyz',
    ])
      expect(doc.paths).toHaveProperty([p]);
  });
});
