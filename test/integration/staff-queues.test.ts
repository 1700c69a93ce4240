// The staff work queues through the API on a real Temporal server: open disputes and service requests in one
// list by SLA (filtered, paged by cursor); a dispute resolved with an adjustment; a rejection that must say
// why; and the exceptions queue with what each held bill would total, its suspect read and that meter's reads,
// filtered by reason, cycle, age and assignee, and assigned (billing staff only, audited).
import { beforeAll, describe, expect, it } from 'vitest';
import { addRead, createPremise, createServicePoint } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { addDays } from '../../domain/period.js';
import { eventually, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let billing: string;
let csr: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  billing = await staffToken(app, sql, 'billing_admin');
  csr = await staffToken(app, sql, 'csr');
});

const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
};

/** A water account whose September (90 ccf after 10) is held for high usage. */
async function heldAccount() {
  const a = await waterAccount(sql, { dialCount: 4 });
  const reads: Record<string, string> = {};
  for (const [at, value] of [
    ['2026-07-01', '90'],
    ['2026-08-01', '100'],
    ['2026-09-01', '110'],
    ['2026-10-01', '200'],
  ] as const)
    reads[value] = (
      await addRead(sql, { meterId: a.meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' })
    ).id;
  const bill = (period: string) => call(billing, 'POST', `/accounts/${a.acct.id}/bills`, { period });
  expect((await bill('2026-08')).status).toBe(201);
  const held = await bill('2026-09');
  expect(held.status, JSON.stringify(held.body)).toBe(409);
  const [x] = await sql<{ id: string }[]>`select id from bill_exception where account_id = ${a.acct.id}`;
  return { ...a, exceptionId: x!.id, reads };
}

describe('the disputes and service requests queue', () => {
  it('lists open disputes and requests by SLA, filters by kind and status, pages by cursor, and is staff only', async () => {
    const a = await waterAccount(sql);
    const bill = await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-10',
      totalCents: 12_000,
      dueDate: addDays(TODAY, 10),
    });
    const disputed = await call(csr, 'POST', `/bills/${bill.billId}/disputes`, {
      reason: 'The customer was away in October',
    });
    expect(disputed.status).toBe(201);
    const starts: string[] = [];
    for (const days of [0, 30]) {
      const prem = await createPremise(sql, {
        addressLine1: `${days} Queue St`,
        city: 'Springfield',
        state: 'OR',
        postalCode: '97477',
      });
      await createServicePoint(sql, prem.id, 'water');
      const r = await call(csr, 'POST', '/service-requests/start-service', {
        customer: a.customer.id,
        details: { premise_id: prem.id, start_date: addDays(TODAY, days) },
      });
      expect(r.status).toBe(201);
      starts.push(r.body.id);
    }
    await eventually(async () => {
      const [n] = await sql<{ n: number }[]>`
        select count(*)::int as n from service_request where id = any(${starts}) and status = 'awaiting_approval'`;
      return n!.n === 2;
    });

    const all = await call(csr, 'GET', '/cases?limit=100');
    expect(all.status).toBe(200);
    const mine = all.body.data.filter((c: { id: string }) => [disputed.body.id, ...starts].includes(c.id));
    expect(mine.map((c: { id: string }) => c.id)).toEqual(
      // the start today is due first; the dispute within its 10-day SLA; the start in 30 days last
      [starts[0], disputed.body.id, starts[1]],
    );
    const dispute = mine[1];
    expect(dispute).toMatchObject({
      object: 'case',
      type: 'dispute',
      kind: 'dispute',
      accountNumber: a.acct.accountNumber,
      customerName: 'Grace Hopper',
      billId: bill.billId,
      disputedCents: 12_000,
      ageDays: 0,
    });
    expect(mine[0]).toMatchObject({
      type: 'service_request',
      kind: 'start_service',
      status: 'awaiting_approval',
      slaDueOn: TODAY,
      requiresApproval: true,
    });
    const slas = all.body.data.map((c: { slaDueOn: string }) => c.slaDueOn);
    expect(slas).toEqual([...slas].sort());

    const onlyDisputes = await call(csr, 'GET', '/cases?kind=dispute');
    expect(onlyDisputes.body.data.every((c: { type: string }) => c.type === 'dispute')).toBe(true);
    expect(onlyDisputes.body.data.map((c: { id: string }) => c.id)).toContain(disputed.body.id);
    const waiting = await call(csr, 'GET', '/cases?status=awaiting_approval');
    expect(waiting.body.data.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(starts));
    expect(waiting.body.data.every((c: { status: string }) => c.status === 'awaiting_approval')).toBe(true);

    // pages of one, by cursor, walk the same list in the same order
    const walked: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await call(csr, 'GET', `/cases?limit=1${after ? `&starting_after=${after}` : ''}`);
      expect(page.status).toBe(200);
      walked.push(...page.body.data.map((c: { id: string }) => c.id));
      if (!page.body.has_more) break;
      after = page.body.data[0].id;
    }
    expect(walked).toEqual(all.body.data.map((c: { id: string }) => c.id));

    // bad input names the field
    const badKind = await call(csr, 'GET', '/cases?kind=burglary');
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.param).toContain('kind');
    const badStatus = await call(csr, 'GET', '/cases?status=resolved');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.param).toContain('status');
    const badCursor = await call(csr, 'GET', '/cases?starting_after=disp_nothere0000000');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.param).toBe('starting_after');
    // customers do not see the queue
    const customer = await customerLogin(app, sql, [a.acct.id]);
    const r = await app.inject({ url: '/cases', headers: bearer(customer.token) });
    expect(r.statusCode).toBe(403);
  });

  it('resolves a dispute with an adjustment posted to the ledger (billing staff only), and it leaves the queue', async () => {
    const a = await waterAccount(sql);
    const bill = await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-10',
      totalCents: 9_000,
      dueDate: addDays(TODAY, 10),
    });
    const d = await call(csr, 'POST', `/bills/${bill.billId}/disputes`, { reason: 'Leak was fixed' });
    expect(d.status).toBe(201);
    const body = { resolution: 'adjusted', credit_cents: 2_500, note: 'half the leak' };
    expect((await call(csr, 'POST', `/disputes/${d.body.id}/resolve`, body)).status).toBe(403);
    const missing = await call(billing, 'POST', `/disputes/${d.body.id}/resolve`, {
      resolution: 'adjusted',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe('credit_cents');
    const ok = await call(billing, 'POST', `/disputes/${d.body.id}/resolve`, body);
    expect(ok.status).toBe(200);
    await eventually(async () => (await accountBalanceCents(sql, a.acct.id)) === 6_500);
    const [adj] =
      await sql`select kind, amount_cents::int as amount_cents from adjustment where account_id = ${a.acct.id}`;
    expect(adj).toMatchObject({ kind: 'credit', amountCents: -2_500 });
    await eventually(async () => {
      const q = await call(csr, 'GET', '/cases?kind=dispute&limit=100');
      return !q.body.data.some((c: { id: string }) => c.id === d.body.id);
    });
    // a page that started after it still goes on: staff close cases between pages
    const after = await call(csr, 'GET', `/cases?starting_after=${d.body.id}`);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.data.map((c: { id: string }) => c.id)).not.toContain(d.body.id);
  });

  it('a rejection must say why: 400 naming note, then rejected with the reason; a CSR may not decide', async () => {
    const a = await waterAccount(sql);
    const prem = await createPremise(sql, {
      addressLine1: '5 Reject Rd',
      city: 'Springfield',
      state: 'OR',
      postalCode: '97477',
    });
    await createServicePoint(sql, prem.id, 'water');
    const r = await call(csr, 'POST', '/service-requests/start-service', {
      customer: a.customer.id,
      details: { premise_id: prem.id, start_date: TODAY },
    });
    const id = r.body.id;
    await eventually(
      async () => (await call(csr, 'GET', `/service-requests/${id}`)).body.status === 'awaiting_approval',
    );
    expect((await call(csr, 'POST', `/service-requests/${id}/reject`, { note: 'no' })).status).toBe(403);
    const bare = await call(billing, 'POST', `/service-requests/${id}/reject`, {});
    expect(bare.status).toBe(400);
    expect(bare.body.error).toMatchObject({ code: 'parameter_missing', param: 'note' });
    const blank = await call(billing, 'POST', `/service-requests/${id}/reject`, { note: '   ' });
    expect(blank.status).toBe(400);
    const no = await call(billing, 'POST', `/service-requests/${id}/reject`, {
      note: 'premise already served',
    });
    expect(no.status).toBe(200);
    const done = await eventually(async () => {
      const x = await call(csr, 'GET', `/service-requests/${id}`);
      return x.body.status === 'rejected' ? x.body : null;
    });
    expect(done.result).toMatchObject({ note: 'premise already served' });
    const [audit] = await sql<{ detail: { note: string; decision: string } }[]>`
      select detail from audit_log where resource_type = 'service_request' and resource_id = ${id}
        and action like '%:decision' order by id desc limit 1`;
    expect(audit!.detail).toMatchObject({ decision: 'reject', note: 'premise already served' });
  });
});

describe('the exceptions queue', () => {
  it('shows what each held bill would be, its suspect read and that meter’s reads; filters by reason, cycle and age', async () => {
    const h = await heldAccount();
    const other = await heldAccount();
    await sql`update account set billing_cycle = '09' where id = ${other.acct.id}`;
    await sql`update bill_exception set created_at = now() - interval '3 days' where id = ${other.exceptionId}`;

    const q = await call(csr, 'GET', '/exceptions?limit=100');
    expect(q.status).toBe(200);
    const x = q.body.data.find((e: { id: string }) => e.id === h.exceptionId);
    expect(x).toMatchObject({
      period: '2026-09',
      billingCycle: '01',
      ageDays: 0,
      wouldBeCents: 34_420, // 18.40 + 90 ccf x 3.62: what approving it would bill
      assigneeId: null,
      slaDueOn: null,
    });
    expect(x.reasons.map((r: { code: string }) => r.code)).toContain('high_usage');
    expect(x.meters).toHaveLength(1);
    expect(x.meters[0]).toMatchObject({ serialNumber: h.meter.serialNumber, suspectReadId: h.reads['200'] });
    expect(x.meters[0].reads.map((r: { value: string }) => Number(r.value))).toEqual([200, 110, 100, 90]);

    const ids = async (query: string) => {
      const r = await call(csr, 'GET', `/exceptions?limit=100&${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.data.map((e: { id: string }) => e.id);
    };
    expect(await ids('reason=high_usage')).toEqual(
      expect.arrayContaining([h.exceptionId, other.exceptionId]),
    );
    expect(await ids('reason=missing_read')).toEqual([]);
    expect(await ids('cycle=09')).toEqual([other.exceptionId]);
    expect(await ids('min_age_days=2')).toEqual([other.exceptionId]);
    expect(await ids('min_age_days=0')).toEqual(expect.arrayContaining([h.exceptionId, other.exceptionId]));

    for (const [query, param] of [
      ['min_age_days=-1', 'min_age_days'],
      ['cycle=7', 'cycle'],
      ['reason=DROP%20TABLE', 'reason'],
    ] as const) {
      const bad = await call(csr, 'GET', `/exceptions?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.param).toContain(param);
    }
  });

  it('assigns a held bill to a staff user with an SLA date: billing staff only, audited, filterable', async () => {
    const h = await heldAccount();
    const [me] = await sql<{ id: string }[]>`
      select u.id from app_user u where u.kind = 'staff' and u.role = 'billing_admin' order by u.created_at limit 1`;
    const url = `/exceptions/${h.exceptionId}/assignment`;
    const body = { assignee_id: me!.id, sla_due_on: addDays(TODAY, 3) };
    expect((await call(csr, 'POST', url, body)).status).toBe(403);
    const ok = await call(billing, 'POST', url, body);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ assigneeId: me!.id, slaDueOn: addDays(TODAY, 3) });
    const [audit] = await sql<{ actorRole: string; detail: { assignment: unknown } }[]>`
      select actor_role, detail from audit_log where resource_type = 'bill_exception' and resource_id = ${h.exceptionId}
      order by id desc limit 1`;
    expect(audit).toMatchObject({ actorRole: 'billing_admin', detail: { assignment: body } });

    const listed = await call(csr, 'GET', `/exceptions?assignee=${me!.id}`);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([h.exceptionId]);
    expect(listed.body.data[0]).toMatchObject({ assigneeName: 'billing_admin', slaDueOn: addDays(TODAY, 3) });
    const unassigned = await call(csr, 'GET', '/exceptions?assignee=none&limit=100');
    expect(unassigned.body.data.map((e: { id: string }) => e.id)).not.toContain(h.exceptionId);

    const staff = await call(csr, 'GET', '/staff-users');
    expect(staff.body.data.map((u: { id: string }) => u.id)).toContain(me!.id);

    // bad input names the field; a customer login cannot be the assignee
    await customerLogin(app, sql, [h.acct.id]);
    const [c] = await sql<{ id: string }[]>`select id from app_user where kind = 'customer' limit 1`;
    for (const [payload, param] of [
      [{ assignee_id: c!.id }, 'assignee_id'],
      [{ assignee_id: 'user_nobody000000000' }, 'assignee_id'],
      [{ assignee_id: me!.id, sla_due_on: '2026-13-45' }, 'sla_due_on'],
      [{ sla_due_on: TODAY }, 'assignee_id'],
    ] as const) {
      const bad = await call(billing, 'POST', url, payload);
      expect(bad.status, JSON.stringify(payload)).toBe(400);
      expect(bad.body.error.param).toContain(param);
    }
    const unknown = await call(billing, 'POST', '/exceptions/exc_nothere00000000/assignment', body);
    expect(unknown.status).toBe(404);

    // once decided, it is no longer anyone's to work
    const cancelled = await call(billing, 'POST', `/exceptions/${h.exceptionId}/resolve`, {
      action: 'cancel',
    });
    expect(cancelled.status).toBe(200);
    await eventually(async () => {
      const [e] = await sql`select status from bill_exception where id = ${h.exceptionId}`;
      return e?.status === 'cancelled';
    });
    const late = await call(billing, 'POST', url, body);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('exception_not_open');
  });
});
