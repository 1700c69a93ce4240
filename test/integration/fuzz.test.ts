// OpenAPI-driven fuzzing: every operation in the API's own OpenAPI document, sent malformed path ids,
// queries and bodies (wrong types, huge numbers, NUL bytes, deep nesting, long strings, bad dates, unknown
// ids) anonymously, as a customer and as an admin. Seeded, so a failure replays; bounded in requests and
// time. Any 5xx fails the test with the route and the payload that caused it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { seededRandom } from '../../lib/random.js';
import { waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
/** Mutations per operation and identity; with ~130 operations and 3 identities this is several thousand. */
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 20);
const TIME_BUDGET_MS = 75_000;
const REQUEST_TIMEOUT_MS = 10_000;

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  pattern?: string;
};
type Operation = {
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
};

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
};

/** Values a careless client or an attacker sends in place of a proper one. */
const HOSTILE: (() => unknown)[] = [
  () => 'a\u0000b',
  () => '\u0000',
  () => 'x'.repeat(10_000),
  () => -1,
  () => 0,
  () => 1e308,
  () => 2 ** 63,
  () => -2_147_483_649,
  () => 1.5,
  () => 'NaN',
  () => '1e400',
  () => true,
  () => null,
  () => [],
  () => ({}),
  () => [1, 'two', null],
  () => ({ $gt: '' }),
  () => nested(200),
  () => '2026-02-30',
  () => '9999-12-31',
  () => '0000-00-00T25:61:61Z',
  () => '1900-01-01',
  () => '2026-13',
  () => 'Not/A_Zone',
  () => "'; drop table account; --",
  () => '../../etc/passwd',
  () => '<script>alert(1)</script>',
  () => '\ud800',
  () => '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  () => 'acct_ZZZZZZZZZZZZZZZZ',
  () => 'bill_0000000000000000',
  () => ' ',
  () => '',
];

/** A plausible value for a schema, so that one hostile field can get past the others. */
function plausible(s: Schema | undefined, rnd: () => number, depth = 0): unknown {
  if (!s || depth > 4) return 'x';
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[Math.floor(rnd() * s.enum.length)];
  if (s.anyOf?.length) return plausible(s.anyOf[Math.floor(rnd() * s.anyOf.length)], rnd, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, 1) + Math.floor(rnd() * 100);
    case 'boolean':
      return rnd() < 0.5;
    case 'array':
      return [plausible(s.items, rnd, depth + 1)];
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) o[k] = plausible(v, rnd, depth + 1);
      return o;
    }
    default:
      if (s.format === 'date') return '2026-10-01';
      if (s.format === 'date-time') return '2026-10-01T00:00:00Z';
      if (s.pattern?.includes('\\d{4}-')) return '2026-10';
      return 'fuzz';
  }
}

const pick = <T>(xs: T[], rnd: () => number) => xs[Math.floor(rnd() * xs.length)]!;
const asQueryValue = (v: unknown) =>
  typeof v === 'string' ? v : Array.isArray(v) ? v.map(String) : JSON.stringify(v);

/** A lone surrogate has no UTF-8 form: send the bytes a broken client would (an invalid sequence). */
const encodePathSegment = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80';
  }
};

interface Case {
  method: string;
  url: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

/** One malformed request for an operation: a hostile path id, query value, body field or whole body. */
function mutate(
  method: string,
  path: string,
  op: Operation,
  rnd: () => number,
  known: Record<string, string>,
): Case {
  const params = op.parameters ?? [];
  const jsonBody = op.requestBody?.content?.['application/json']?.schema;
  const textBody = op.requestBody?.content && !jsonBody;
  const targets = ['path', 'query', 'body', 'whole'].filter(
    (t) =>
      (t === 'path' && params.some((p) => p.in === 'path')) ||
      (t === 'query' && params.some((p) => p.in === 'query')) ||
      ((t === 'body' || t === 'whole') && method !== 'GET' && method !== 'DELETE'),
  );
  const target = targets.length ? pick(targets, rnd) : 'path';
  // path ids: a real one where there is one (so deeper code runs), unless this case attacks that id
  const values: Record<string, string> = {};
  for (const m of path.matchAll(/([\w-]+)\/\{(\w+)\}/g))
    values[m[2]!] = known[m[1]!] ?? known[m[2]!] ?? 'fuzz_0000000000';
  if (target === 'path') {
    const p = pick(
      params.filter((x) => x.in === 'path'),
      rnd,
    );
    if (p) values[p.name] = String(asQueryValue(pick(HOSTILE, rnd)())).slice(0, 4000);
  }
  let url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodePathSegment(values[name] ?? known[name] ?? 'fuzz_0000000000'),
  );
  const query = new URLSearchParams();
  for (const p of params.filter((x) => x.in === 'query'))
    if (rnd() < 0.5) query.set(p.name, String(asQueryValue(plausible(p.schema, rnd))));
  if (target === 'query') {
    const p = pick(
      params.filter((x) => x.in === 'query'),
      rnd,
    );
    const v = asQueryValue(pick(HOSTILE, rnd)());
    query.delete(p.name);
    for (const x of [v].flat()) query.append(p.name, String(x).slice(0, 4000));
  }
  const qs = query.toString();
  if (qs) url += `?${qs}`;
  const c: Case = { method, url };
  if (method === 'GET' || method === 'DELETE') return c;
  if (textBody && target !== 'body') {
    c.contentType = pick(Object.keys(op.requestBody!.content!), rnd);
    c.rawBody = pick(['meter,readAt,value\nM1,2026-13-01,x\n', 'a\u0000b', '<x>', '', 'é'.repeat(5000)], rnd);
    return c;
  }
  if (target === 'whole') {
    if (rnd() < 0.15) {
      // 5,000 deep: written as text, as JSON.stringify itself would run out of stack
      c.rawBody = `${'{"a":['.repeat(2_500)}1${']}'.repeat(2_500)}`;
      c.contentType = 'application/json';
      return c;
    }
    c.body = pick(
      [
        () => [],
        () => 'a string',
        () => 12,
        () => ({ ['k\u0000']: 1 }),
        () => ({ __proto__: { admin: true }, constructor: { prototype: {} } }),
        () => Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i])),
      ],
      rnd,
    )();
    if (rnd() < 0.2) {
      c.rawBody = pick(['{"a":', '{"a":1}}', '\u0000', '[[[[[[[[', '{"a":"\\u0000"}'], rnd);
      c.contentType = 'application/json';
    }
    return c;
  }
  const base = (plausible(jsonBody, rnd) ?? {}) as Record<string, unknown>;
  if (target === 'body' && base && typeof base === 'object' && !Array.isArray(base)) {
    const keys = Object.keys(base);
    const k = keys.length && rnd() < 0.85 ? pick(keys, rnd) : `unknown_${Math.floor(rnd() * 9)}`;
    base[k] = pick(HOSTILE, rnd)();
  }
  c.body = base;
  return c;
}

let sql: Sql;
let app: TestApp;
const known: Record<string, string> = {};
let identities: { name: string; headers: Record<string, string> }[];

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const t = await startWorkers(sql);
  app = await testApp(sql, t);
  const w = await waterAccount(sql);
  const customer = await customerLogin(app, sql, [w.acct.id]);
  const admin = await staffToken(app, sql, 'admin');
  Object.assign(known, {
    accounts: w.acct.id,
    customers: w.customer.id,
    premises: w.premise.id,
    'service-points': w.servicePoint.id,
    meters: w.meter.id,
    agreements: w.agreementId,
    cycle: '01',
    period: '2026-09',
  });
  identities = [
    { name: 'anonymous', headers: {} },
    { name: 'customer', headers: bearer(customer.token) },
    { name: 'admin', headers: bearer(admin) },
  ];
});

afterAll(() => app?.close());

describe('fuzzing every operation in the OpenAPI document', () => {
  it('answers malformed input with a 4xx (never a 5xx), within its budget', async () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, Operation>> };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(([m, op]) => ({ method: m.toUpperCase(), path, op })),
    );
    expect(ops.length).toBeGreaterThan(60);
    const rnd = seededRandom(SEED);
    const histogram: Record<string, number> = {};
    const failures: string[] = [];
    const started = Date.now();
    let sent = 0;
    let skipped = 0;
    outer: for (const { method, path, op } of ops) {
      // a live event stream never ends by itself (its OpenAPI entry names no content type to tell it by)
      if (/Server-Sent Events/.test((op as { summary?: string }).summary ?? '')) {
        skipped++;
        continue;
      }
      for (const who of identities) {
        // signing out would end the session the rest of the run uses: that route is fuzzed anonymously
        if (path === '/auth/logout' && who.name !== 'anonymous') continue;
        for (let i = 0; i < CASES_PER_OPERATION; i++) {
          if (Date.now() - started > TIME_BUDGET_MS) break outer;
          const c = mutate(method, path, op, rnd, known);
          const payload = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
          const headers: Record<string, string> = { ...who.headers };
          if (payload !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
          const res = await Promise.race([
            app.inject({ method: c.method as never, url: c.url, headers, payload }),
            new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), REQUEST_TIMEOUT_MS).unref()),
          ]);
          sent++;
          const status = res === 'timeout' ? 'timeout' : String(res.statusCode);
          histogram[status] = (histogram[status] ?? 0) + 1;
          if (res === 'timeout' || res.statusCode >= 500)
            failures.push(
              `${who.name} ${c.method} ${c.url.slice(0, 300)} body=${String(payload).slice(0, 300)} -> ${status} ${res === 'timeout' ? '' : res.body.slice(0, 300)}`,
            );
        }
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz: seed ${SEED}, ${ops.length} operations (${skipped} streaming skipped), ${sent} requests in ${seconds} s; statuses ${JSON.stringify(histogram)}`,
    );
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
    expect(sent).toBeGreaterThan(2_000);
  }, 120_000);
});

describe('the known causes of a 500, each a 400 naming the field', () => {
  const admin = () => identities[2]!.headers;
  const error = async (method: string, url: string, payload?: string) => {
    const r = await app.inject({
      method: method as never,
      url,
      headers: { ...admin(), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      payload,
    });
    expect(r.statusCode, r.body).toBe(400);
    return r.json().error as { code: string; param?: string; message: string };
  };

  it('a NUL byte in a path id, a query value or a body field', async () => {
    expect(await error('GET', '/accounts/a%00b')).toMatchObject({ code: 'parameter_invalid', param: 'id' });
    expect(await error('GET', '/meter-imports?starting_after=%00')).toMatchObject({
      param: 'starting_after',
      message: expect.stringContaining('query.starting_after may not contain a NUL'),
    });
    expect(await error('POST', '/customers', JSON.stringify({ name: 'Ada\u0000' }))).toMatchObject({
      code: 'parameter_invalid',
      param: 'name',
    });
  });

  it('an invalid time zone on a schedule; a NUL in a schedule action note', async () => {
    const tz = await error(
      'PUT',
      '/billing-cycles/01/schedule',
      JSON.stringify({ dayOfMonth: 3, timeZone: 'Mars/Olympus' }),
    );
    expect(tz).toMatchObject({ code: 'parameter_invalid', param: 'timeZone' });
    const note = await error(
      'POST',
      '/billing-cycles/01/schedule/pause',
      JSON.stringify({ note: 'x\u0000' }),
    );
    expect(note).toMatchObject({ code: 'parameter_invalid', param: 'note' });
  });

  it('a zone in the wrong case is taken as its canonical name', async () => {
    const r = await app.inject({
      method: 'PUT',
      url: '/billing-cycles/02/schedule',
      headers: admin(),
      payload: { dayOfMonth: 3, timeZone: 'america/chicago' },
    });
    expect(r.statusCode, r.body).toBe(200);
  });

  it('the live event stream of an account that does not exist is a 404, not a stream that never ends', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/accounts/acct_doesnotexist00000/events',
      headers: admin(),
    });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatchObject({ code: 'resource_missing', param: 'id' });
  });

  it('JSON nested 5,000 deep', async () => {
    const deep = `{"name":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const e = await error('POST', '/customers', deep);
    expect(e).toMatchObject({ code: 'parameter_invalid', param: expect.stringMatching(/^name(\[0\])+$/) });
    expect(e.message).toMatch(/nested deeper than 32 levels/);
  });
});
