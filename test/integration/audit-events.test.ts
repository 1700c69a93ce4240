// The audit log is readable: a supervisor or admin lists staff actions and refusals by actor, action,
// resource, account, status and time, a page at a time or as one CSV file; CSRs and customers cannot read it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventPages } from '../../db/audit.js';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let admin: string;
let csr: string;
let csrId: string;
let customerId: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  admin = await staffToken(app, sql, 'admin');
  csr = await staffToken(app, sql, 'csr');
  csrId = (await app.inject({ method: 'GET', url: '/me', headers: bearer(csr) })).json().id;
  // one allowed change and one refused request by the CSR
  const created = await app.inject({
    method: 'POST',
    url: '/customers',
    headers: bearer(csr),
    payload: { name: 'Ada Lovelace' },
  });
  expect(created.statusCode).toBe(201);
  customerId = created.json().id;
  const refused = await app.inject({
    method: 'PUT',
    url: '/billing-cycles/01/schedule',
    headers: bearer(csr),
    payload: { dayOfMonth: 5 },
  });
  expect(refused.statusCode).toBe(403);
});
afterAll(() => app?.close());

const list = (query: string, token = admin) =>
  app.inject({ method: 'GET', url: `/audit-events${query}`, headers: bearer(token) });

describe('GET /audit-events', () => {
  it("lists a CSR's allowed change and refused request, newest first", async () => {
    const r = await list(`?actor=${csrId}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toEqual([
      expect.objectContaining({
        object: 'audit_event',
        actor: expect.objectContaining({ id: csrId, role: 'csr' }),
        action: 'PUT /billing-cycles/:cycle/schedule',
        status: 403,
      }),
      expect.objectContaining({
        action: 'POST /customers',
        resource: { type: 'customer', id: customerId },
        status: 201,
      }),
    ]);
    expect(r.json().has_more).toBe(false);
  });

  it('filters by status, action, resource and time', async () => {
    const refusals = (await list(`?actor=${csrId}&status=403`)).json().data;
    expect(refusals.map((e: { action: string }) => e.action)).toEqual([
      'PUT /billing-cycles/:cycle/schedule',
    ]);
    const byAction = (await list(`?action=${encodeURIComponent('POST /customers')}`)).json().data;
    expect(byAction.map((e: { resource: { id: string } }) => e.resource.id)).toContain(customerId);
    expect(byAction.every((e: { action: string }) => e.action === 'POST /customers')).toBe(true);
    const byResource = (await list(`?resourceType=customer&resourceId=${customerId}`)).json().data;
    expect(byResource).toHaveLength(1);
    // the log is written with the database clock; a window that ends before it started finds nothing
    const [row] = await sql<{ first: Date }[]>`select min(at) as first from audit_log`;
    const first = row!.first;
    const before = new Date(first.getTime() - 1000).toISOString();
    expect((await list(`?actor=${csrId}&to=${before}`)).json().data).toEqual([]);
    expect((await list(`?actor=${csrId}&from=${before}`)).json().data).toHaveLength(2);
    const bad = await list('?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.param).toBe('from');
  });

  it('pages with limit, starting_after and has_more', async () => {
    const first = (await list(`?actor=${csrId}&limit=1`)).json();
    expect(first.data).toHaveLength(1);
    expect(first.has_more).toBe(true);
    const second = (await list(`?actor=${csrId}&limit=1&starting_after=${first.data[0].id}`)).json();
    expect(second.data).toHaveLength(1);
    expect(second.data[0].id).not.toBe(first.data[0].id);
    expect(second.data[0].action).toBe('POST /customers');
    expect(second.has_more).toBe(false);
  });

  it('is for supervisors and admins: a CSR and a customer get 403, anonymous 401', async () => {
    const supervisor = await staffToken(app, sql, 'supervisor');
    expect((await list('', supervisor)).statusCode).toBe(200);
    const asCsr = await list('', csr);
    expect(asCsr.statusCode).toBe(403);
    expect(asCsr.json().error.code).toBe('role_not_permitted');
    const customer = await customerLogin(app, sql, []);
    const asCustomer = await list('', customer.token);
    expect(asCustomer.statusCode).toBe(403);
    expect(asCustomer.json().error.code).toBe('staff_only');
    expect((await app.inject({ method: 'GET', url: '/audit-events' })).statusCode).toBe(401);
    // the CSR's attempt to read the log is itself in the log
    const tried = (await list(`?actor=${csrId}&action=${encodeURIComponent('GET /audit-events')}`)).json();
    expect(tried.data).toEqual([expect.objectContaining({ status: 403 })]);
  });
});

describe('audit export and an account trail', () => {
  /** A billing admin whose email starts like a formula, and an adjustment by them on a new account. */
  async function adjusted() {
    const email = `=1+1.${process.pid}.${Date.now()}@utility.test`;
    const actorId = await createUser(sql, {
      email,
      displayName: 'Formula',
      password: 'correct horse battery',
      kind: 'staff',
      role: 'billing_admin',
    });
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: 'correct horse battery' },
    });
    expect(login.statusCode, login.body).toBe(200);
    const w = await waterAccount(sql);
    const adj = await app.inject({
      method: 'POST',
      url: `/accounts/${w.acct.id}/adjustments`,
      headers: bearer(login.json().token),
      payload: { kind: 'credit', amount_cents: 500, reason: '@SUM(A1) goodwill' },
    });
    expect(adj.statusCode, adj.body).toBe(201);
    return { email, actorId, accountId: w.acct.id as string, adjustmentId: adj.json().id as string };
  }

  it('filters to one account: requests on its paths, whatever resource they made', async () => {
    const a = await adjusted();
    const other = await adjusted();
    const trail = (await list(`?account=${a.accountId}`)).json().data;
    expect(trail).toEqual([
      expect.objectContaining({
        action: 'POST /accounts/:id/adjustments',
        resource: { type: 'adjustment', id: a.adjustmentId },
        status: 201,
      }),
    ]);
    expect(trail.map((e: { resource: { id: string } }) => e.resource.id)).not.toContain(other.adjustmentId);
  });

  it('exports the same filters as CSV, every cell that looks like a formula made text', async () => {
    const a = await adjusted();
    const r = await app.inject({
      method: 'GET',
      url: `/audit-events.csv?actor=${a.actorId}`,
      headers: bearer(admin),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toContain('audit-events.csv');
    const lines = r.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor_id,actor_email,actor_role,action,resource_type,resource_id,status,request_id,detail',
    );
    expect(lines).toHaveLength(2);
    const cells = lines[1]!.split(',');
    expect(cells[2]).toBe(a.actorId);
    expect(cells[3]).toBe(`'${a.email}`);
    expect(cells.slice(4, 9)).toEqual([
      'billing_admin',
      'POST /accounts/:id/adjustments',
      'adjustment',
      a.adjustmentId,
      '201',
    ]);
    expect(lines[1]).toContain('@SUM(A1) goodwill');

    // the JSON list with ?format=csv and with Accept: text/csv is the same file
    const viaFormat = await list(`?actor=${a.actorId}&format=csv`);
    const viaAccept = await app.inject({
      method: 'GET',
      url: `/audit-events?actor=${a.actorId}`,
      headers: { ...bearer(admin), accept: 'text/csv' },
    });
    expect(viaFormat.body).toBe(r.body);
    expect(viaAccept.body).toBe(r.body);
  });

  it('exports every page, not just the first, in id order newest first', async () => {
    const rows = await sql<{ n: number }[]>`select count(*)::int as n from audit_log`;
    const csv = await list('?format=csv');
    const ids = csv.body
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => Number(l.split(',')[0]));
    expect(ids).toHaveLength(rows[0]!.n);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    // read in small pages, the export walks them all, each once
    const paged: number[] = [];
    let pages = 0;
    for await (const page of auditEventPages(sql, {}, 2)) {
      pages++;
      paged.push(...page.map((e) => Number(e.id)));
    }
    expect(pages).toBe(Math.ceil(ids.length / 2));
    expect(paged).toEqual(ids);
  });

  it('is refused to a CSR with 403', async () => {
    const r = await app.inject({ method: 'GET', url: '/audit-events.csv', headers: bearer(csr) });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('role_not_permitted');
  });
});
