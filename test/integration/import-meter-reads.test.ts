// Meter reads without hand entry, on a real database and the real API: files all-or-nothing with per-row
// results, partial imports, the duplicate/conflict rule, re-imported files and re-pushed batches recognised,
// progress, HMAC-signed head-end pushes, the drop folder, and Green Button export that round-trips.
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServiceAgreement,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { importMeterReads } from '../../db/meter-import.js';
import { convertUnit, parseReadFile } from '../../domain/import/meter-reads.js';
import { newId } from '../../lib/ids.js';
import { processDropFolder, startDropFolderWatcher } from '../../workers/drop-folder.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

const SECRET = 'test-head-end-secret-0123456789abcdef';
let sql: Sql;
let app: TestApp;
let billing: string;
let csr: string;
const prevSecrets = process.env.HEADEND_SECRETS;

beforeAll(async () => {
  process.env.HEADEND_SECRETS = `acme=${SECRET}`;
  ({ sql } = await freshDatabase());
  const t = await startWorkers(sql);
  app = await testApp(sql, t);
  billing = await staffToken(app, sql, 'billing_admin');
  csr = await staffToken(app, sql, 'csr');
});
afterAll(() => {
  process.env.HEADEND_SECRETS = prevSecrets;
});

let n = 0;
async function meter(unit = 'ccf', dialCount = 6, kind = 'water') {
  const serial = `IMP-${process.pid}-${++n}`;
  const m = await createMeter(sql, { serialNumber: serial, kind, unit, dialCount });
  return { id: m.id as string, serial };
}
const readsOf = (meterId: string) =>
  sql<{ readAt: Date; value: string; importId: string | null }[]>`
    select read_at, value::text as value, import_id from meter_read where meter_id = ${meterId} order by read_at`;

const upload = (body: string, query: string, type = 'text/csv', token = billing) =>
  app.inject({
    method: 'POST',
    url: `/meter-imports?${query}`,
    headers: { ...bearer(token), 'content-type': type },
    payload: body,
  });

describe('read files', () => {
  it('imports a generic CSV: every row reported, values exact, local times in the utility zone', async () => {
    const a = await meter();
    const b = await meter();
    const csv = [
      'meter_serial,read_at,value,unit',
      `${a.serial},2026-10-01T07:30:00Z,001204.50,ccf`,
      `${a.serial},2026-11-01 07:30,1217.37,ccf`,
      `${b.serial},2026-11-01T07:30:00-06:00,120450,cf`,
    ].join('\n');
    const r = await upload(csv, 'format=generic&timeZone=America/Chicago&fileName=oct.csv');
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(body).toMatchObject({
      status: 'completed',
      counts: { total: 3, accepted: 3, duplicate: 0, rejected: 0, processed: 3 },
      rowsComplete: true,
      fileName: 'oct.csv',
    });
    expect(body.rows.map((x: { row: number; status: string }) => [x.row, x.status])).toEqual([
      [2, 'accepted'],
      [3, 'accepted'],
      [4, 'accepted'],
    ]);
    const ra = await readsOf(a.id);
    expect(ra.map((x) => [new Date(x.readAt).toISOString(), x.value])).toEqual([
      ['2026-10-01T07:30:00.000Z', '1204.5000'],
      // DST ends at 02:00 on 1 Nov 2026 in Chicago: 07:30 that morning is CST, UTC-6
      ['2026-11-01T13:30:00.000Z', '1217.3700'],
    ]);
    expect(ra[0]!.importId).toBe(body.id);
    // cf -> ccf exactly: 120450 cf = 1204.5 ccf
    expect((await readsOf(b.id)).map((x) => x.value)).toEqual(['1204.5000']);
    // the import resource shows the same
    const g = await app.inject({ method: 'GET', url: `/meter-imports/${body.id}`, headers: bearer(csr) });
    expect(g.json()).toMatchObject({
      id: body.id,
      status: 'completed',
      phase: 'done',
      counts: { processed: 3 },
    });
  });

  it('is all or nothing: one bad row rejects the file with every fault named, and nothing is written', async () => {
    const a = await meter();
    const csv = [
      'meter_serial,read_at,value',
      `${a.serial},2026-10-01T07:30:00Z,100`,
      `${a.serial},2026-10-02T07:30:00Z,-5`,
      'NO-SUCH-METER,2026-10-02T07:30:00Z,5',
      `${a.serial},2026-13-02T07:30:00Z,101`,
      `${a.serial},2026-10-03T07:30:00Z,1234567`,
    ].join('\r\n');
    const r = await upload(csv, 'format=generic');
    expect(r.statusCode).toBe(422);
    const body = r.json();
    expect(body.status).toBe('rejected');
    expect(body.counts).toMatchObject({ total: 5, accepted: 0, rejected: 4 });
    expect(body.rows).toEqual([
      expect.objectContaining({ row: 3, status: 'rejected', column: 'value' }),
      expect.objectContaining({
        row: 4,
        status: 'rejected',
        column: 'meter',
        reason: expect.stringMatching(/no meter/),
      }),
      expect.objectContaining({
        row: 5,
        status: 'rejected',
        column: 'read_at',
        reason: expect.stringMatching(/month/),
      }),
      expect.objectContaining({ row: 6, status: 'rejected', reason: expect.stringMatching(/6 dials/) }),
    ]);
    expect(await readsOf(a.id)).toEqual([]);
    // partial=true keeps the good row
    const p = await upload(csv, 'format=generic&partial=true');
    expect(p.statusCode).toBe(201);
    expect(p.json()).toMatchObject({ status: 'completed', counts: { accepted: 1, rejected: 4 } });
    expect((await readsOf(a.id)).map((x) => x.value)).toEqual(['100.0000']);
    // the same file again, once the missing meter exists: the good row is now a duplicate, the meter's row passes
    await createMeter(sql, { serialNumber: 'NO-SUCH-METER', kind: 'water', unit: 'ccf' });
    const again = await upload(csv, 'format=generic&partial=true');
    expect(again.json()).toMatchObject({
      replayed: false,
      counts: { accepted: 1, duplicate: 1, rejected: 3 },
    });
  });

  it('duplicates: same meter and time with the same value is a duplicate, a different value a conflict', async () => {
    const a = await meter();
    const first = ['meter_serial,read_at,value', `${a.serial},2026-10-01T00:00:00Z,10`].join('\n');
    expect((await upload(first, 'format=generic')).statusCode).toBe(201);
    const second = [
      'meter_serial,read_at,value',
      `${a.serial},2026-10-01T00:00:00Z,10.0`, // duplicate of the stored read
      `${a.serial},2026-10-02T00:00:00Z,11`,
      `${a.serial},2026-10-02T00:00:00Z,11.000`, // duplicate within the file
    ].join('\n');
    const r = await upload(second, 'format=generic');
    expect(r.statusCode).toBe(201);
    expect(r.json().rows.map((x: { status: string }) => x.status)).toEqual([
      'duplicate',
      'accepted',
      'duplicate',
    ]);
    expect(r.json().counts).toMatchObject({ accepted: 1, duplicate: 2, rejected: 0 });
    const conflict = ['meter_serial,read_at,value', `${a.serial},2026-10-01T00:00:00Z,10.5`].join('\n');
    const c = await upload(conflict, 'format=generic');
    expect(c.statusCode).toBe(422);
    expect(c.json().rows[0]).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/conflicts with the stored read/),
    });
    expect((await readsOf(a.id)).map((x) => x.value)).toEqual(['10.0000', '11.0000']);
  });

  it('an import left running by a stopped process is marked failed when the next import starts', async () => {
    const a = await meter();
    const csv = ['meter_serial,read_at,value', `${a.serial},2026-10-11T00:00:00Z,3`].join('\n');
    await sql`insert into meter_import (id, source, format, file_sha256, status, created_at)
      values ('imp_stale0000000000000', 'upload', 'generic', 'x', 'running', now() - interval '2 hours')`;
    const r = await upload(csv, 'format=generic');
    expect(r.statusCode).toBe(201);
    const [stale] = await sql<{ status: string; message: string }[]>`
      select status, message from meter_import where id = 'imp_stale0000000000000'`;
    expect(stale).toEqual({ status: 'failed', message: expect.stringMatching(/interrupted/) });
  });

  it('recognises a re-imported file and imports nothing twice', async () => {
    const a = await meter();
    const csv = ['meter_serial,read_at,value', `${a.serial},2026-10-01T00:00:00Z,7`].join('\n');
    const one = await upload(csv, 'format=generic');
    const two = await upload(csv, 'format=generic');
    expect(two.statusCode).toBe(200);
    expect(two.json()).toMatchObject({ id: one.json().id, replayed: true, status: 'completed' });
    expect(await readsOf(a.id)).toHaveLength(1);
  });

  it('Aclara-style columns: Description gives dials and resolution, RawRead x resolution = ScaledRead', async () => {
    const a = await meter('cf', 9);
    const csv = [
      'AccountNumber,MeterSN,RawRead,ScaledRead,ReadingTime,Scalar,Description',
      `100200,${a.serial},012345678,12345.678,2026-10-01 06:00:00,0.001,9D 0.001CuFt`,
      `100200,${a.serial},012346001,12346.1,2026-10-02 06:00:00,0.001,9D 0.001CuFt`,
    ].join('\n');
    const r = await upload(csv, 'timeZone=America/Denver'); // format detected from the header
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().format).toBe('aclara');
    expect(r.json().rows).toEqual([
      expect.objectContaining({
        row: 3,
        status: 'rejected',
        column: 'ScaledRead',
        reason: expect.stringMatching(/= 12346\.001/),
      }),
    ]);
    // partial not set: nothing written
    expect(await readsOf(a.id)).toEqual([]);
  });

  it('Aclara-style: a consistent file imports, a dial mismatch with the meter is rejected', async () => {
    const a = await meter('cf', 9);
    const ok = [
      'AccountNumber,MeterSN,RawRead,ScaledRead,ReadingTime,Scalar,Description',
      `100200,${a.serial},012345678,12345.678,2026-10-01 06:00:00,0.001,9D 0.001CuFt`,
    ].join('\n');
    const r = await upload(ok, 'format=aclara&timeZone=America/Denver');
    expect(r.statusCode, r.body).toBe(201);
    const reads = await readsOf(a.id);
    expect(reads.map((x) => [new Date(x.readAt).toISOString(), x.value])).toEqual([
      ['2026-10-01T12:00:00.000Z', '12345.6780'],
    ]);
    const six = await meter('cf', 6);
    const bad = ok.replace(a.serial, six.serial);
    const b = await upload(bad, 'format=aclara');
    expect(b.statusCode).toBe(422);
    expect(b.json().rows[0].reason).toMatch(/9 dials.*has 6/);
  });

  it('Neptune-, Sensus- and Badger-style files', async () => {
    const a = await meter('gal', 8);
    const neptune = [
      'Account Number,Meter Number,Reading,Read Date,Read Time,Unit of Measure',
      `1,${a.serial},1500,10/01/2026,06:15,GAL`,
    ].join('\n');
    const sensus = [
      'Account,Meter ID,Read Value,Read Timestamp,UOM',
      `1,${a.serial},1.6,2026-10-02T06:15:00Z,KGAL`,
    ].join('\n');
    const badger = [
      'Account Number,Meter Serial Number,Reading,Reading Date,Units',
      `1,${a.serial},1700,10/03/2026 6:15 AM,Gallons`,
    ].join('\n');
    for (const [f, body] of [
      ['neptune', neptune],
      ['sensus', sensus],
      ['badger', badger],
    ] as const) {
      const r = await upload(body, '');
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().format).toBe(f);
    }
    expect((await readsOf(a.id)).map((x) => [new Date(x.readAt).toISOString(), x.value])).toEqual([
      ['2026-10-01T06:15:00.000Z', '1500.0000'],
      ['2026-10-02T06:15:00.000Z', '1600.0000'],
      ['2026-10-03T06:15:00.000Z', '1700.0000'],
    ]);
  });

  it('file-level problems are a clear rejection, not an error', async () => {
    const r = await upload('meter,when\nx,y\n', 'format=generic');
    expect(r.statusCode).toBe(422);
    expect(r.json().rows[0]).toMatchObject({ row: 1, status: 'rejected', column: 'meter_serial' });
    const u = await upload('hello', '');
    expect(u.statusCode).toBe(400);
    expect(u.json().error).toMatchObject({ code: 'format_unknown', param: 'format' });
    const x = await upload('<feed', 'format=greenbutton', 'application/xml');
    expect(x.statusCode).toBe(422);
    // a CSR may look but not import
    expect((await upload('meter_serial,read_at,value\n', 'format=generic', 'text/csv', csr)).statusCode).toBe(
      403,
    );
  });

  it('shows progress while a large file imports', async () => {
    const meters = await Promise.all(Array.from({ length: 20 }, () => meter('ccf', 8)));
    const lines = ['meter_serial,read_at,value'];
    const t0 = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 120_000; i++) {
      const m = meters[i % 20]!;
      lines.push(
        `${m.serial},${new Date(t0 + Math.floor(i / 20) * 3_600_000).toISOString()},${Math.floor(i / 20)}.25`,
      );
    }
    const seen: number[] = [];
    const started = importMeterReads(sql, {
      source: 'cli',
      format: 'generic',
      text: lines.join('\n'),
      timeZone: 'UTC',
      onProgress: (p) => seen.push(p.processed),
    });
    // another connection sees the import running, with rows processed, before it ends
    let polled: { status: string; rowsProcessed: number; rowsTotal: number } | undefined;
    for (let i = 0; i < 200 && !polled; i++) {
      const [row] = await sql<{ status: string; rowsProcessed: number; rowsTotal: number }[]>`
        select status, rows_processed, rows_total from meter_import where source = 'cli' order by created_at desc limit 1`;
      if (row?.status === 'running' && row.rowsProcessed > 0) polled = row;
      else await new Promise((r) => setTimeout(r, 20));
    }
    const report = await started;
    expect(report.status).toBe('completed');
    expect(report.counts).toMatchObject({ total: 120_000, accepted: 120_000 });
    expect(report.rowsComplete).toBe(false); // over 10,000 rows: only rows not accepted are listed
    expect(polled?.rowsTotal).toBe(120_000);
    expect(seen.some((x) => x > 0 && x < 120_000)).toBe(true);
    const [{ count }] = (await sql<
      { count: number }[]
    >`select count(*)::int as count from meter_read where import_id = ${report.id}`) as unknown as [
      { count: number },
    ];
    expect(count).toBe(120_000);
  });
});

describe('fuzzed files against the database', () => {
  it('never a partial import: a file is imported whole or not at all, and every row is accounted for', async () => {
    const m = await meter('ccf', 8);
    let k = 0;
    const junk = fc.oneof(
      fc.constantFrom(
        '',
        ',,',
        'NOPE,2026-10-01T00:00:00Z,1',
        `${m.serial},not a time,1`,
        `${m.serial},2026-10-01T00:00:00Z,-1`,
        '"unterminated',
      ),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.array(junk, { maxLength: 3 }),
        fc.nat(),
        async (good, bad, pos) => {
          k++;
          const rows = Array.from(
            { length: good },
            (_, i) =>
              `${m.serial},${new Date(Date.UTC(2030, 0, 1) + (k * 100 + i) * 3_600_000).toISOString()},${k}.${i}`,
          );
          for (const b of bad) rows.splice(pos % (rows.length + 1), 0, b);
          const before = (await readsOf(m.id)).length;
          const r = await importMeterReads(sql, {
            source: 'cli',
            format: 'generic',
            text: ['meter_serial,read_at,value', ...rows].join('\n'),
            timeZone: 'UTC',
          });
          const after = (await readsOf(m.id)).length;
          if (r.status === 'completed') {
            expect(r.counts.rejected).toBe(0);
            expect(after - before).toBe(r.counts.accepted);
            expect(r.counts.accepted + r.counts.duplicate).toBe(r.counts.total);
          } else {
            expect(r.status).toBe('rejected');
            expect(after).toBe(before);
            expect(r.message).toBeTruthy();
            expect(r.rows.length).toBeGreaterThan(0);
            for (const x of r.rows) expect(x.status === 'rejected' ? x.reason : 'dup').toBeTruthy();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

function sign(body: string, t = Math.floor(Date.now() / 1000), secret = SECRET) {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}
const push = (body: string, headers: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: '/head-end/reads',
    headers: { 'content-type': 'application/json', 'x-cisflow-head-end': 'acme', ...headers },
    payload: body,
  });

describe('AMI push API', () => {
  it('accepts a signed batch once; the same batch id replayed gives the same result and nothing doubled', async () => {
    const a = await meter('kWh', 6, 'electric');
    const body = JSON.stringify({
      batchId: `b-${a.serial}`,
      reads: [
        { meter: a.serial, readAt: '2026-10-01T00:00:00Z', value: '1000.5' },
        { meter: a.serial, readAt: '2026-10-01T01:00:00Z', value: '1001750', unit: 'Wh' },
      ],
    });
    const r = await push(body, { 'x-cisflow-signature': sign(body) });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      source: 'push',
      headEnd: 'acme',
      batchId: `b-${a.serial}`,
      counts: { accepted: 2 },
    });
    const again = await push(body, { 'x-cisflow-signature': sign(body) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: r.json().id, replayed: true, counts: { accepted: 2 } });
    expect((await readsOf(a.id)).map((x) => x.value)).toEqual(['1000.5000', '1001.7500']);
    // same batch id, different reads: refused
    const other = body.replace('1000.5', '1000.6');
    const c = await push(other, { 'x-cisflow-signature': sign(other) });
    expect(c.statusCode).toBe(409);
    expect(c.json().error.code).toBe('batch_id_reused');
  });

  it('refuses a bad, stale or missing signature, and an unknown head-end, with clear errors', async () => {
    const body = JSON.stringify({
      batchId: 'x1',
      reads: [{ meter: 'M', readAt: '2026-10-01T00:00:00Z', value: '1' }],
    });
    const bad = await push(body, {
      'x-cisflow-signature': sign(body, undefined, 'wrong-secret-wrong-secret-wrong-secret'),
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toMatchObject({ type: 'authentication_error', code: 'signature_invalid' });
    const tampered = await push(body.replace('"1"', '"2"'), { 'x-cisflow-signature': sign(body) });
    expect(tampered.json().error.code).toBe('signature_invalid');
    const stale = await push(body, {
      'x-cisflow-signature': sign(body, Math.floor(Date.now() / 1000) - 3600),
    });
    expect(stale.json().error.code).toBe('signature_expired');
    expect((await push(body, {})).json().error.code).toBe('signature_missing');
    const unknown = await push(body, { 'x-cisflow-head-end': 'other', 'x-cisflow-signature': sign(body) });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('head_end_unknown');
    const [{ count }] = (await sql<
      { count: number }[]
    >`select count(*)::int as count from meter_import where batch_id = 'x1'`) as unknown as [
      { count: number },
    ];
    expect(count).toBe(0);
  });

  it('a signed batch with bad rows is rejected whole, each row named; a malformed body is a 400', async () => {
    const a = await meter();
    const body = JSON.stringify({
      batchId: `bad-${a.serial}`,
      reads: [
        { meter: a.serial, readAt: '2026-10-01T00:00:00Z', value: '5' },
        { meter: a.serial, readAt: '2026-10-01T00:00:00', value: '5' },
        { meter: a.serial, readAt: '2026-10-02T00:00:00Z', value: 5.5 },
      ],
    });
    const r = await push(body, { 'x-cisflow-signature': sign(body) });
    expect(r.statusCode).toBe(422);
    expect(r.json().rows).toEqual([
      expect.objectContaining({ row: 2, column: 'readAt' }),
      expect.objectContaining({ row: 3, column: 'value' }),
    ]);
    expect(await readsOf(a.id)).toEqual([]);
    const junk = '{"reads": 3';
    const j = await push(junk, { 'x-cisflow-signature': sign(junk) });
    expect(j.statusCode).toBe(400);
    expect(j.json().error.code).toBe('batch_invalid');
  });
});

describe('drop folder', () => {
  it('imports each file, moves it to processed/ or rejected/ with a result report beside it', async () => {
    const a = await meter();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-drop-'));
    mkdirSync(path.join(dir, 'processed'), { recursive: true });
    writeFileSync(
      path.join(dir, 'good.csv'),
      ['meter_serial,read_at,value', `${a.serial},2026-10-05T00:00:00Z,42`].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'bad.csv'),
      ['meter_serial,read_at,value', `${a.serial},yesterday,42`].join('\n'),
    );
    writeFileSync(path.join(dir, 'notes.txt'), 'not a read file');
    const results = await processDropFolder(sql, { dir, timeZone: 'UTC' });
    expect(results.map((r) => [r.file, r.status]).sort()).toEqual([
      ['bad.csv', 'rejected'],
      ['good.csv', 'completed'],
      ['notes.txt', 'rejected'],
    ]);
    expect(existsSync(path.join(dir, 'processed', 'good.csv'))).toBe(true);
    expect(existsSync(path.join(dir, 'rejected', 'bad.csv'))).toBe(true);
    expect(existsSync(path.join(dir, 'good.csv'))).toBe(false);
    const report = JSON.parse(readFileSync(path.join(dir, 'rejected', 'bad.csv.result.json'), 'utf8'));
    expect(report.rows[0]).toMatchObject({ row: 2, status: 'rejected', column: 'read_at' });
    expect((await readsOf(a.id)).map((x) => x.value)).toEqual(['42.0000']);
    // nothing left to do on the next pass
    expect(await processDropFolder(sql, { dir, timeZone: 'UTC' })).toEqual([]);
  });
});

describe('drop folder watcher', () => {
  it('polls the folder and takes a file once its size has settled', async () => {
    const a = await meter();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-watch-'));
    const logged: object[] = [];
    const w = startDropFolderWatcher(sql, {
      dir,
      timeZone: 'UTC',
      intervalMs: 40,
      log: { info: (o) => logged.push(o), error: (o) => logged.push(o) },
    });
    try {
      writeFileSync(
        path.join(dir, 'late.csv'),
        ['meter_serial,read_at,value', `${a.serial},2026-10-09T00:00:00Z,9`].join('\n'),
      );
      for (let i = 0; i < 100 && !existsSync(path.join(dir, 'processed', 'late.csv')); i++)
        await new Promise((r) => setTimeout(r, 40));
    } finally {
      await w.stop();
    }
    expect(existsSync(path.join(dir, 'processed', 'late.csv.result.json'))).toBe(true);
    expect(logged).toEqual([expect.objectContaining({ file: 'late.csv', status: 'completed' })]);
    expect((await readsOf(a.id)).map((x) => x.value)).toEqual(['9.0000']);
  });
});

describe('Green Button download', () => {
  async function servicePointWithMeter(unit: string, agreementStart = '2024-01-01') {
    const c = await createCustomer(sql, { name: 'Green' });
    const acct = await createAccount(sql, { customerId: c.id });
    const prem = await createPremise(sql, {
      addressLine1: '1 Main',
      city: 'Eugene',
      state: 'OR',
      postalCode: '97401',
    });
    const sp = await createServicePoint(sql, prem.id, unit === 'kWh' ? 'electric' : 'water');
    const m = await meter(unit, 7, unit === 'kWh' ? 'electric' : 'water');
    await installMeter(sql, m.id, sp.id, '2010-01-01T00:00:00Z');
    const rsId = newId('rs');
    await sql`insert into rate_schedule (id, code, name, service_type) values (${rsId}, ${`GB-${rsId}`}, 'x', ${sp.serviceType})`;
    await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff) values (${newId('rv')}, ${rsId}, '2024-01-01', ${sql.json(simpleTariff(sp.serviceType, unit, '1', '1') as never)})`;
    await createServiceAgreement(sql, {
      accountId: acct.id,
      servicePointId: sp.id,
      rateScheduleId: rsId,
      startDate: agreementStart,
    });
    return { accountId: acct.id as string, spId: sp.id as string, meter: m };
  }

  it('exports interval data as ESPI XML that imports back to the same values, exactly', async () => {
    const { accountId, spId, meter: m } = await servicePointWithMeter('kWh', '2010-01-01');
    // 15-minute intervals with awkward decimals, imported from the public fixture onto this meter
    const fixture = readFileSync(
      path.resolve('../shared/fixtures/greenbutton/test_usage_data_01.xml'),
      'utf8',
    );
    const imp = await upload(fixture, `format=greenbutton&meter=${m.serial}`, 'application/xml');
    expect(imp.statusCode, imp.body).toBe(201);
    expect(imp.json().counts).toMatchObject({ total: 96, accepted: 96 });
    await sql`insert into meter_interval (meter_id, start_at, seconds, value) values
      (${m.id}, '2012-03-02T05:00:00Z', 900, 0.123456789)`;
    const stored = await sql<{ startAt: Date; value: string }[]>`
      select start_at, value::text as value from meter_interval where meter_id = ${m.id} order by start_at`;

    const customer = await customerLogin(app, sql, [accountId]);
    const r = await app.inject({
      method: 'GET',
      url: `/service-points/${spId}/green-button`,
      headers: bearer(customer.token),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/atom\+xml/);
    const parsed = parseReadFile('greenbutton', r.body, { timeZone: 'UTC' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toHaveLength(97);
    expect(parsed.rows.every((x) => x.meter === m.serial)).toBe(true);
    const back = parsed.rows.map((x) => [x.readAt, convertUnit(x.value, x.unit!, 'kWh')]);
    const strip = (v: string) => v.replace(/\.?0+$/, '');
    expect(back).toEqual(stored.map((s) => [new Date(s.startAt).toISOString(), strip(s.value)]));

    // importing the export onto the same meter finds every interval already there, unchanged
    const again = await upload(r.body, 'format=greenbutton', 'application/xml');
    expect(again.json().counts).toMatchObject({ total: 97, duplicate: 97, accepted: 0, rejected: 0 });
    // and onto another meter, the same values arrive
    const other = await meter('kWh', 7, 'electric');
    const copy = await upload(r.body, `format=greenbutton&meter=${other.serial}`, 'application/xml');
    expect(copy.json().counts.accepted).toBe(97);
    const copied = await sql<
      { value: string }[]
    >`select value::text as value from meter_interval where meter_id = ${other.id} order by start_at`;
    expect(copied.map((x) => x.value)).toEqual(stored.map((s) => s.value));
  });

  it('a customer downloads only their own tenure; the account lists its downloads; async upload answers 202', async () => {
    const { accountId: oldAccount, spId, meter: m } = await servicePointWithMeter('ccf');
    const csv = [
      'meter_serial,read_at,value',
      ...['09', '10', '11', '12'].map((mo, i) => `${m.serial},2026-${mo}-01T12:00:00Z,${100 + i * 10}`),
    ].join('\n');
    const up = await upload(csv, 'format=generic&wait=false');
    expect([201, 202]).toContain(up.statusCode);
    for (let i = 0; i < 100; i++) {
      const g = await app.inject({
        method: 'GET',
        url: `/meter-imports/${up.json().id}`,
        headers: bearer(csr),
      });
      if (g.json().status !== 'running') {
        expect(g.json()).toMatchObject({ status: 'completed', counts: { accepted: 4 } });
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // the old account's agreement ends on 14 October; a new occupant's account starts the next day
    await sql`update service_agreement set end_date = '2026-10-14', status = 'closed' where account_id = ${oldAccount}`;
    const c = await createCustomer(sql, { name: 'New occupant' });
    const acct = await createAccount(sql, { customerId: c.id });
    const [rs] = await sql<
      { rateScheduleId: string }[]
    >`select rate_schedule_id from service_agreement where account_id = ${oldAccount}`;
    await createServiceAgreement(sql, {
      accountId: acct.id,
      servicePointId: spId,
      rateScheduleId: rs!.rateScheduleId,
      startDate: '2026-10-15',
    });
    const starts = async (token: string) => {
      const r = await app.inject({
        method: 'GET',
        url: `/service-points/${spId}/green-button`,
        headers: bearer(token),
      });
      expect(r.statusCode, r.body).toBe(200);
      return parseReadFile('greenbutton', r.body, { timeZone: 'UTC' }).rows.map((x) => [
        x.readAt.slice(0, 10),
        x.value,
      ]);
    };
    const newcomer = await customerLogin(app, sql, [acct.id]);
    const previous = await customerLogin(app, sql, [oldAccount]);
    expect(await starts(csr)).toEqual([
      ['2026-09-01', '1000'],
      ['2026-10-01', '1000'],
      ['2026-11-01', '1000'],
    ]); // 10 ccf a month, as ft3
    expect(await starts(newcomer.token)).toEqual([['2026-11-01', '1000']]); // reads from 15 October on
    // the previous occupant's reads end on 14 October: the 1 October -> 1 November consumption is not theirs
    expect(await starts(previous.token)).toEqual([['2026-09-01', '1000']]);
    const list = await app.inject({
      method: 'GET',
      url: `/accounts/${acct.id}/green-button`,
      headers: bearer(newcomer.token),
    });
    expect(list.json()).toEqual({
      object: 'list',
      data: [
        {
          servicePointId: spId,
          serviceType: 'water',
          address: '1 Main, Eugene',
          meters: [m.serial],
          url: `/service-points/${spId}/green-button`,
        },
      ],
    });
    const notMine = await app.inject({
      method: 'GET',
      url: `/accounts/${oldAccount}/green-button`,
      headers: bearer(newcomer.token),
    });
    expect(notMine.statusCode).toBe(404);
  });

  it('exports consumption between register reads when a meter has no interval data; customers see only their own', async () => {
    const { spId, meter: m } = await servicePointWithMeter('ccf');
    const csv = [
      'meter_serial,read_at,value',
      `${m.serial},2026-09-01T00:00:00Z,9999990.5`,
      `${m.serial},2026-10-01T00:00:00Z,12.75`,
    ].join('\n');
    // a 7-dial register rolling over: 9999990.5 -> 12.75 is 22.25 ccf
    expect((await upload(csv, 'format=generic')).statusCode).toBe(201);
    const r = await app.inject({
      method: 'GET',
      url: `/service-points/${spId}/green-button`,
      headers: bearer(csr),
    });
    const parsed = parseReadFile('greenbutton', r.body, { timeZone: 'UTC' });
    expect(parsed.rows).toEqual([
      expect.objectContaining({
        readAt: '2026-09-01T00:00:00.000Z',
        seconds: 30 * 86400,
        unit: 'cf',
        value: '2225',
      }),
    ]);
    const stranger = await customerLogin(app, sql, []);
    const s = await app.inject({
      method: 'GET',
      url: `/service-points/${spId}/green-button`,
      headers: bearer(stranger.token),
    });
    expect(s.statusCode).toBe(404);
    const missing = await app.inject({
      method: 'GET',
      url: '/service-points/sp_nope/green-button',
      headers: bearer(csr),
    });
    expect(missing.statusCode).toBe(404);
  });
});
