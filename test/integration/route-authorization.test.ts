// Authorization over every route the API has, enumerated as the app is built (so a route added tomorrow is
// covered without touching this file): a signed-in customer who names another customer's account, bill or
// payment gets 403/404 everywhere; staff-only routes answer a customer 403; routes for billing staff or
// supervisors answer a CSR 403; and no public route serves account data.
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Access } from '../../api/plugins/auth.js';
import {
  addRead,
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { newId } from '../../lib/ids.js';
import { bearer, customerLogin, staffToken, type TestApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
const routes: { method: string; url: string; access: Access }[] = [];

interface Owned {
  accountId: string;
  accountNumber: string;
  customerId: string;
  premiseId: string;
  meterId: string;
  billId: string;
  paymentId: string;
}

async function customerWithEverything(name: string): Promise<Owned> {
  const c = await createCustomer(sql, { name });
  const a = await createAccount(sql, { customerId: c.id });
  const p = await createPremise(sql, {
    addressLine1: `1 ${name} St`,
    city: 'Riverton',
    state: 'OR',
    postalCode: '97401',
  });
  const sp = await createServicePoint(sql, p.id, 'water');
  const m = await createMeter(sql, {
    serialNumber: `W${newId('mtr').slice(-8)}`,
    kind: 'water',
    unit: 'ccf',
  });
  await installMeter(sql, m.id, sp.id, '2020-01-01T00:00:00Z');
  await addRead(sql, { meterId: m.id, readAt: '2026-09-01T08:00:00Z', value: '10', source: 'ami' });
  const billId = newId('bill');
  await sql`insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents)
    values (${billId}, ${a.id}, '2026-09', '2026-09-01', '2026-09-30', 'issued', '2026-10-03', '2026-10-24', 4200)`;
  const paymentId = newId('pay');
  await sql`insert into payment (id, account_id, amount_cents, method, status, received_at, provider)
    values (${paymentId}, ${a.id}, 4200, 'card', 'pending', now(), 'outbox')`;
  return {
    accountId: a.id,
    accountNumber: a.accountNumber,
    customerId: c.id,
    premiseId: p.id,
    meterId: m.id,
    billId,
    paymentId,
  };
}

let mine: Owned;
let theirs: Owned;
let customer: { cookie: string; csrf: string };
let csr: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const t = await startWorkers(sql);
  app = await buildApp(
    {
      stripe: null,
      stripeWebhookSecret: null,
      sql,
      temporal: { client: t.env.client, namespace: t.namespace, taskQueuePrefix: t.taskQueuePrefix },
      publicUrl: 'http://127.0.0.1:3000',
      providerModes: { payments: 'outbox', sms: 'outbox', email: 'outbox' },
    },
    {
      onRoute: (r: RouteOptions) => {
        for (const method of [r.method].flat()) {
          if (method === 'HEAD' || r.url.startsWith('/docs')) continue;
          routes.push({ method, url: r.url, access: (r.config as { access: Access }).access });
        }
      },
    },
  );
  await app.ready();
  mine = await customerWithEverything('Mine');
  theirs = await customerWithEverything('Theirs');
  customer = await customerLogin(app, sql, [mine.accountId]);
  csr = await staffToken(app, sql, 'csr');
});

afterAll(() => app?.close());

/** Fills a route's path parameters with the given customer's ids, by what the path says the id is. */
function fill(url: string, o: Owned): string {
  const byResource: Record<string, string> = {
    accounts: o.accountId,
    bills: o.billId,
    payments: o.paymentId,
    meters: o.meterId,
    premises: o.premiseId,
    customers: o.customerId,
  };
  const other: Record<string, string> = { cycle: '01', period: '2026-09', action: 'pause', file: 'x.js' };
  const parts = url.split('/');
  return parts
    .map((seg, i) => {
      if (!seg.startsWith(':')) return seg;
      const name = seg.slice(1);
      return other[name] ?? byResource[parts[i - 1] ?? ''] ?? o.accountId;
    })
    .join('/');
}

/** A body that names the other customer's things, for routes that take the account from the body. */
const bodyFor = (o: Owned) => ({
  accountId: o.accountId,
  accountNumber: o.accountNumber,
  billId: o.billId,
  paymentId: o.paymentId,
  amountCents: 100,
  method: 'card',
  reason: 'probe',
  description: 'probe',
});

const asCustomer = (method: string, url: string, payload?: unknown) =>
  app.inject({
    method: method as never,
    url,
    headers: { cookie: customer.cookie, 'x-csrf-token': customer.csrf },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe('authorization on every route', () => {
  it('found the routes as the app was built', () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) expect(r.access, `${r.method} ${r.url}`).toBeTruthy();
    // the ones this test has to get right
    for (const must of ['GET /accounts/:id', 'POST /accounts/:id/payments', 'GET /bills/:id', 'GET /search'])
      expect(routes.map((r) => `${r.method} ${r.url}`)).toContain(must);
  });

  it("a customer reaches none of another customer's resources, on any route", async () => {
    const checked: string[] = [];
    for (const r of routes) {
      if ('public' in r.access) continue;
      const hasParams = r.url.includes(':');
      if (r.access.customer === 'self' && !hasParams) continue; // their own session: /me, /auth/logout
      const url = fill(r.url, theirs);
      const res = await asCustomer(
        r.method,
        url,
        r.method === 'GET' || r.method === 'DELETE' ? undefined : bodyFor(theirs),
      );
      const what = `${r.method} ${r.url} as another account's customer -> ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (!r.access.customer) {
        expect(res.statusCode, what).toBe(403);
        expect(res.json().error.code, what).toBe('staff_only');
      } else {
        expect([403, 404], what).toContain(res.statusCode);
      }
      // a refusal names only what the caller sent: asked for their bill, it never says whose account it is on
      const sent = `${url} ${r.method === 'GET' || r.method === 'DELETE' ? '' : JSON.stringify(bodyFor(theirs))}`;
      for (const id of [theirs.accountId, theirs.accountNumber, theirs.customerId])
        if (!sent.includes(id)) expect(res.body, what).not.toContain(id);
      checked.push(`${r.method} ${r.url}`);
    }
    console.log(`${checked.length} of ${routes.length} routes checked against another customer's ids`);
    expect(checked.length).toBeGreaterThan(25);
    // nothing changed hands on the way
    const [n] = await sql`select count(*)::int as n from payment where account_id = ${theirs.accountId}`;
    expect(n).toMatchObject({ n: 1 });
  });

  it("another customer's bill and a bill that does not exist get the same 404, naming only the bill", async () => {
    const theirsBill = await asCustomer('GET', `/bills/${theirs.billId}`);
    const missing = await asCustomer('GET', '/bills/bill_doesnotexist0000');
    expect(theirsBill.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    const shape = (r: typeof missing) => {
      const { request_id: _, ...e } = r.json().error;
      return e;
    };
    expect(shape(theirsBill)).toEqual({
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such bill: '${theirs.billId}'`,
      param: 'id',
    });
    expect(shape(missing)).toEqual({
      ...shape(theirsBill),
      message: "No such bill: 'bill_doesnotexist0000'",
    });
    expect(theirsBill.body).not.toContain(theirs.accountId);
  });

  it('the same customer does reach their own account through the same routes', async () => {
    for (const path of [
      'GET /accounts/:id',
      'GET /accounts/:id/usage',
      'GET /accounts/:id/autopay',
      'GET /bills/:id',
      'GET /payments/:id',
    ]) {
      const [method, url] = path.split(' ') as [string, string];
      const res = await asCustomer(method, fill(url, mine));
      expect(res.statusCode, `${path}: ${res.body.slice(0, 200)}`).toBe(200);
    }
  });

  it('routes for billing staff, supervisors or admins refuse a CSR, and the refusal is audited', async () => {
    let refused = 0;
    for (const r of routes) {
      if ('public' in r.access || r.access.staff.includes('csr')) continue;
      const res = await app.inject({
        method: r.method as never,
        url: fill(r.url, theirs),
        headers: bearer(csr),
        ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: bodyFor(theirs) }),
      });
      expect(res.statusCode, `${r.method} ${r.url} as csr -> ${res.body.slice(0, 200)}`).toBe(403);
      expect(res.json().error.code).toBe('role_not_permitted');
      refused++;
    }
    expect(refused).toBeGreaterThan(5);
    const [a] =
      await sql`select count(*)::int as n from audit_log where actor_role = 'csr' and detail->>'status' = '403'`;
    expect(a).toMatchObject({ n: refused });
  });

  it('no public route serves account, bill, payment or staff data', () => {
    const open = routes.filter((r) => 'public' in r.access).map((r) => `${r.method} ${r.url}`);
    for (const r of open)
      expect(r, 'a public route under an account-data resource').not.toMatch(
        / \/(accounts|bills|payments|customers|premises|meters|exceptions|reports|search|disputes|service-requests)\b/,
      );
    expect(open).toEqual(expect.arrayContaining(['POST /auth/login', 'POST /auth/signup', 'GET /portal']));
  });
});
