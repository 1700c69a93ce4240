// Staff search past its first page (GET /search?starting_after=): 27 accounts match one word; the pages
// follow the search's own order (account-number matches first, then name, account number), every hit once,
// and a cursor that is no hit of the search is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createCustomer } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let csr: string;
let expected: string[];
let outsider: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  csr = await staffToken(app, sql, 'csr');
  // 25 customers named "Quillfeather NN", made out of order, and two more of one name (ties on the name)
  const names = Array.from({ length: 25 }, (_, i) => `Quillfeather ${String(25 - i).padStart(2, '0')}`);
  names.push('Quillfeather 07', 'Quillfeather 07');
  const made: { id: string; name: string; number: string }[] = [];
  for (const name of names) {
    const c = await createCustomer(sql, { name });
    const a = await createAccount(sql, { customerId: c.id });
    made.push({ id: a.id, name, number: a.accountNumber });
  }
  made.sort((x, y) => (x.name === y.name ? (x.number < y.number ? -1 : 1) : x.name < y.name ? -1 : 1));
  expected = made.map((m) => m.id);
  const o = await createCustomer(sql, { name: 'Someone Else' });
  outsider = (await createAccount(sql, { customerId: o.id })).id;
});

const search = async (query: string) => {
  const r = await app.inject({ method: 'GET', url: `/search?${query}`, headers: bearer(csr) });
  return { status: r.statusCode, body: r.json() };
};

describe('GET /search pages past 20', () => {
  it('gives 20, then the rest after the last hit, each hit once in order', async () => {
    const first = await search('q=quillfeather');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(20);
    expect(first.body.has_more).toBe(true);
    const last = first.body.data.at(-1).id;
    const second = await search(`q=quillfeather&starting_after=${last}`);
    expect(second.status).toBe(200);
    expect(second.body.data).toHaveLength(7);
    expect(second.body.has_more).toBe(false);
    const ids = [...first.body.data, ...second.body.data].map((h: { id: string }) => h.id);
    expect(ids).toEqual(expected);
    // the last hit as a cursor: an empty page, not an error
    const end = await search(`q=quillfeather&starting_after=${ids.at(-1)}`);
    expect(end).toMatchObject({ status: 200, body: { data: [], has_more: false } });
  });

  it('pages of any size walk the same order, across the two customers of one name', async () => {
    for (const limit of [1, 6, 13]) {
      const seen: string[] = [];
      let after = '';
      for (let i = 0; i < 40; i++) {
        const r = await search(`q=quillfeather&limit=${limit}${after ? `&starting_after=${after}` : ''}`);
        seen.push(...r.body.data.map((h: { id: string }) => h.id));
        if (!r.body.has_more) break;
        after = r.body.data.at(-1).id;
      }
      expect(seen).toEqual(expected);
    }
  });

  it('refuses a cursor that is not a hit of this search', async () => {
    for (const cursor of [outsider, 'acct_nope']) {
      const r = await search(`q=quillfeather&starting_after=${cursor}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'parameter_invalid', param: 'starting_after' });
    }
  });
});
