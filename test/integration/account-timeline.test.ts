// The staff 360's timeline (GET /accounts/:id/timeline): an account's bills, payments, reads, notices,
// disputes, service requests, field orders and workflow steps in one list, newest first, on fixed, named
// instants; filtered by kind; paged by an entry id without repeating or skipping an entry (two entries on
// the same instant, two a few microseconds apart); staff only.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { confirmationNumber } from '../../domain/payment-receipt.js';
import { newId } from '../../lib/ids.js';
import { payAtCounter, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

// the account's history, each on a named instant
const SEP_BILL_DATE = '2026-09-30'; // bill 2026-09
const OCT_READ = '2026-10-30T08:00:00Z';
const OCT_BILL_DATE = '2026-10-31'; // bill 2026-10, placed at the start of its bill date (UTC here)
const NOV_2_NOTICE_A = '2026-11-02T09:00:00.000100Z';
const NOV_2_NOTICE_B = '2026-11-02T09:00:00.000700Z'; // 600 µs later: a millisecond cursor would skip A
const NOV_10_PAYMENT = '2026-11-10T15:00:00Z';
const NOV_12_DISPUTE = '2026-11-12T10:00:00Z';
const NOV_12_STEP = '2026-11-12T10:00:01Z';
const NOV_15_BOTH = '2026-11-15T12:00:00Z'; // a service request and a field order on the same instant

let sql: Sql;
let app: TestApp;
let csr: string;
let accountId: string;
let otherAccountId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  csr = await staffToken(app, sql, 'csr');
  const a = await waterAccount(sql);
  accountId = a.acct.id;
  const sep = await simpleBill(sql, {
    accountId,
    agreementId: a.agreementId,
    period: '2026-09',
    totalCents: 8_812,
    dueDate: '2026-10-21',
  });
  const oct = await simpleBill(sql, {
    accountId,
    agreementId: a.agreementId,
    period: '2026-10',
    totalCents: 14_175,
    dueDate: '2026-11-21',
  });
  ids.sepBill = sep.billId;
  ids.octBill = oct.billId;
  expect((await sql`select bill_date::text from bill where id = ${sep.billId}`)[0]!.billDate).toBe(
    SEP_BILL_DATE,
  );
  const pay = await payAtCounter(sql, accountId, 14_175);
  ids.payment = pay.id;
  await sql`update payment set received_at = ${NOV_10_PAYMENT} where id = ${pay.id}`;
  // the counter payment queued its receipt email now (the wall clock): this history's notices are the two below
  await sql`delete from notification where account_id = ${accountId} and alert = 'payment_received'`;
  ids.read = newId('read');
  await sql`insert into meter_read (id, meter_id, read_at, value, source)
    values (${ids.read}, ${a.meter.id}, ${OCT_READ}, 1234.5, 'ami')`;
  ids.noticeA = newId('ntf');
  ids.noticeB = newId('ntf');
  await sql`insert into notification (id, idempotency_key, account_id, alert, data, status, created_at) values
    (${ids.noticeA}, ${ids.noticeA}, ${accountId}, 'bill_ready', ${sql.json({ billId: oct.billId })}, 'processed', ${NOV_2_NOTICE_A}::text::timestamptz),
    (${ids.noticeB}, ${ids.noticeB}, ${accountId}, 'due_soon', '{}', 'pending', ${NOV_2_NOTICE_B}::text::timestamptz)`;
  // sent as text: a timestamptz parameter goes through a JS Date, which would drop the microseconds
  const stored = await sql<{ us: string }[]>`
    select to_char(created_at, 'US') as us from notification where id in (${ids.noticeA}, ${ids.noticeB}) order by id`;
  expect(stored.map((r) => r.us)).toEqual(['000100', '000700']);
  ids.dispute = newId('disp');
  await sql`insert into dispute (id, account_id, bill_id, reason, disputed_cents, status, opened_by, sla_due_at,
      workflow_id, created_at)
    values (${ids.dispute}, ${accountId}, ${oct.billId}, 'Meter misread', 5_000, 'investigating', 'staff',
      '2026-12-11T12:00:00Z', ${`dispute/${ids.dispute}`}, ${NOV_12_DISPUTE})`;
  const [step] = await sql<{ id: string }[]>`
    insert into case_event (idempotency_key, subject_type, subject_id, account_id, event, bill_id, created_at)
    values (${`t:${ids.dispute}`}, 'dispute', ${ids.dispute}, ${accountId}, 'opened', ${oct.billId}, ${NOV_12_STEP})
    returning id::text`;
  ids.step = `cev_${step!.id}`;
  ids.request = newId('sr');
  await sql`insert into service_request (id, account_id, kind, status, requested_by, workflow_id, created_at)
    values (${ids.request}, ${accountId}, 'reread', 'in_progress', 'staff', ${`sr/${ids.request}`}, ${NOV_15_BOTH})`;
  ids.order = newId('so');
  await sql`insert into service_order (id, account_id, kind, reason, idempotency_key, created_at)
    values (${ids.order}, ${accountId}, 'reread', 'dispute re-read', ${ids.order}, ${NOV_15_BOTH})`;
  // another account's history never shows
  const b = await waterAccount(sql);
  otherAccountId = b.acct.id;
  await simpleBill(sql, {
    accountId: b.acct.id,
    agreementId: b.agreementId,
    period: '2026-10',
    totalCents: 999,
    dueDate: '2026-11-21',
  });
  await payAtCounter(sql, b.acct.id, 999);
});

const get = (url: string, token = csr) =>
  app
    .inject({ method: 'GET', url, headers: bearer(token) })
    .then((r) => ({ status: r.statusCode, body: r.json() }));

type Entry = { id: string; kind: string; at: string; reference: string | null; amountCents: number | null };

/** Every entry, walking the cursor `limit` at a time. */
async function walk(query: string, limit: number) {
  const seen: Entry[] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const r = await get(
      `/accounts/${accountId}/timeline?limit=${limit}${query}${after ? `&starting_after=${after}` : ''}`,
    );
    expect(r.status).toBe(200);
    seen.push(...r.body.data);
    if (!r.body.has_more) return seen;
    after = r.body.data.at(-1).id;
  }
  throw new Error('did not end');
}

describe('GET /accounts/:id/timeline', () => {
  it('mixes every kind, newest first, and names what a rep reads out', async () => {
    const r = await get(`/accounts/${accountId}/timeline?limit=50`);
    expect(r.status).toBe(200);
    expect(r.body.has_more).toBe(false);
    const data: Entry[] = r.body.data;
    // the two on Nov 15 tie on time and fall back to id order, descending
    const nov15 = [ids.request!, ids.order!].sort().reverse();
    expect(data.map((e) => e.id)).toEqual([
      ...nov15,
      ids.step,
      ids.dispute,
      ids.payment,
      ids.noticeB,
      ids.noticeA,
      ids.octBill,
      ids.read,
      ids.sepBill,
    ]);
    expect(data.map((e) => e.kind)).toContain('workflow');
    expect(new Set(data.map((e) => e.kind)).size).toBe(8);
    const pay = data.find((e) => e.id === ids.payment)!;
    expect(pay).toMatchObject({
      kind: 'payment',
      at: '2026-11-10T15:00:00.000Z',
      amountCents: 14_175,
      status: 'succeeded',
      reference: confirmationNumber(ids.payment!),
    });
    expect(pay.reference).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(data.find((e) => e.id === ids.octBill)).toMatchObject({
      kind: 'bill',
      at: `${OCT_BILL_DATE}T00:00:00.000Z`,
      subject: '2026-10',
      amountCents: 14_175,
      status: 'issued',
      billId: ids.octBill,
    });
    expect(data.find((e) => e.id === ids.dispute)).toMatchObject({
      kind: 'dispute',
      status: 'investigating',
      amountCents: 5_000,
      dueOn: '2026-12-11',
      billId: ids.octBill,
      workflowId: `dispute/${ids.dispute}`,
    });
    expect(data.find((e) => e.id === ids.read)).toMatchObject({
      kind: 'read',
      subject: 'ami',
      detail: '1234.5 ccf',
    });
    expect(data.find((e) => e.id === ids.step)).toMatchObject({ subject: 'opened', subjectType: 'dispute' });
    // times strictly do not go up
    const ats = data.map((e) => Date.parse(e.at));
    expect(ats).toEqual([...ats].sort((x, y) => y - x));
  });

  it('filters by kind, and refuses a kind it does not know', async () => {
    const r = await get(`/accounts/${accountId}/timeline?kinds=payment,bill`);
    expect(r.body.data.map((e: Entry) => e.id)).toEqual([ids.payment, ids.octBill, ids.sepBill]);
    const msgs = await get(`/accounts/${accountId}/timeline?kinds=message`);
    expect(msgs.body.data.map((e: Entry) => e.id)).toEqual([ids.noticeB, ids.noticeA]);
    const bad = await get(`/accounts/${accountId}/timeline?kinds=bill,invoices`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'parameter_invalid', param: 'kinds' });
  });

  it('pages by cursor: every entry once, in order, across ties and microseconds', async () => {
    const all = (await get(`/accounts/${accountId}/timeline?limit=50`)).body.data.map((e: Entry) => e.id);
    for (const limit of [1, 2, 3, 4]) {
      expect((await walk('', limit)).map((e) => e.id)).toEqual(all);
    }
    // a page that ends on the first notice of Nov 2 still finds the one 600 µs earlier
    const pageEnd = await get(`/accounts/${accountId}/timeline?limit=1&starting_after=${ids.noticeB}`);
    expect(pageEnd.body.data.map((e: Entry) => e.id)).toEqual([ids.noticeA]);
    // a cursor with a filter: the kinds picked, after that entry
    const filtered = await walk('&kinds=bill,message', 1);
    expect(filtered.map((e) => e.id)).toEqual([ids.noticeB, ids.noticeA, ids.octBill, ids.sepBill]);
    const bad = await get(`/accounts/${accountId}/timeline?starting_after=bill_nope`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'parameter_invalid', param: 'starting_after' });
    // another account's entry is no cursor here
    const theirs = (await get(`/accounts/${otherAccountId}/timeline`)).body.data;
    // their bill, their payment and its receipt email
    expect(theirs.map((e: Entry) => e.kind).sort()).toEqual(['bill', 'message', 'payment']);
    expect((await get(`/accounts/${accountId}/timeline?starting_after=${theirs[0].id}`)).status).toBe(400);
  });

  it('is for staff: the account holder gets 403, an unknown account 404', async () => {
    const customer = await customerLogin(app, sql, [accountId]);
    const mine = await get(`/accounts/${accountId}/timeline`, customer.token);
    expect(mine.status).toBe(403);
    expect(mine.body.error.type).toBe('permission_error');
    const missing = await get('/accounts/acct_0000000000000/timeline');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_missing');
  });
});
