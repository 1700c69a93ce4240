// Legacy CIS migration on a real database, from the documented sample files: the dry run's validation report,
// the import and its reconciliation to the cent, idempotent re-runs, and a clear report when totals differ.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDataCommand } from '../../cli/meter-data.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, postEntry, trialBalance } from '../../db/ledger.js';
import { runMigration } from '../../db/legacy/migrate.js';
import { newId } from '../../lib/ids.js';
import { bearer, customerLogin, staffToken, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers } from '../support/temporal.js';

const SAMPLES = path.resolve('docs/samples/legacy');
const samples = () =>
  Object.fromEntries(
    readdirSync(SAMPLES).map((f) => [f, readFileSync(path.join(SAMPLES, f), 'utf8')]),
  ) as Record<string, string>;
const TZ = 'America/Los_Angeles';
let sql: Sql;
let url: string;

async function tariffs(sql: Sql) {
  for (const [code, service, unit] of [
    ['W-RES', 'water', 'ccf'],
    ['S-RES', 'sewer', 'ccf'],
    ['E-RES', 'electric', 'kWh'],
    ['T-RES', 'trash', 'ccf'],
  ] as const) {
    const id = newId('rs');
    await sql`insert into rate_schedule (id, code, name, service_type) values (${id}, ${code}, ${code}, ${service})`;
    await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff)
      values (${newId('rv')}, ${id}, '2010-01-01', ${sql.json(simpleTariff(service, unit, '10', '1') as never)})`;
  }
}

beforeAll(async () => {
  ({ sql, url } = await freshDatabase());
  // tariffs are set up in cisflow before migrating; agreements name them by code
  await tariffs(sql);
});

const count = async (q: Promise<{ n: number }[]>) => (await q)[0]!.n;
const accountsMigrated = () =>
  count(sql<{ n: number }[]>`select count(*)::int as n from account where account_number like '70000%'`);
const entryCount = () => count(sql<{ n: number }[]>`select count(*)::int as n from journal_entry`);

describe('legacy migration', () => {
  it('dry run: the sample files validate, and nothing is written', async () => {
    const r = await runMigration(sql, samples(), { dryRun: true, timeZone: TZ });
    expect(r.issues).toEqual([]);
    expect(r).toMatchObject({ status: 'validated', dryRun: true, cutoverOn: '2026-09-30' });
    expect(r.files['reads.csv']).toMatchObject({ rows: 100 });
    expect(await accountsMigrated()).toBe(0);
    expect(await entryCount()).toBe(0);
  });

  it('dry run: errors by row and column, orphan references, duplicates and control totals; import refused', async () => {
    const f = samples();
    f['customers.csv'] += 'C002,James Okafor again,person,,,en\n'; // duplicate key
    f['accounts.csv'] += '7000060,C999,residential,07,active,2020-01-01,false\n'; // orphan customer
    f['opening_balances.csv'] = f['opening_balances.csv']!.replace('1250.00', '1250.001'); // bad amount
    f['bills.csv'] += 'B99999,7000011,2026-09,2026-10-05,,12.00\n'; // after cutover
    f['service_agreements.csv'] = f['service_agreements.csv']!.replace(
      'SA04,7000037,SP004,E-RES',
      'SA04,7000037,SP004,E-XYZ',
    );
    f['reads.csv'] += 'W1001,2026-02-30 08:00:00,1500.00,amr\n'; // no such day
    f['meters.csv'] = f['meters.csv']!.replace('SP003', 'SP404');
    const r = await runMigration(sql, f, { dryRun: true, timeZone: TZ });
    expect(r.status).toBe('invalid');
    const pick = (file: string, code: string) =>
      r.issues
        .filter((i) => i.file === file && i.code === code)
        .map((i) => ({ row: i.row, column: i.column }));
    expect(pick('customers.csv', 'duplicate')).toEqual([{ row: 7, column: 'customer_id' }]);
    expect(pick('accounts.csv', 'orphan')).toEqual([{ row: 7, column: 'customer_id' }]);
    expect(pick('opening_balances.csv', 'invalid')).toEqual([{ row: 4, column: 'current' }]);
    expect(pick('bills.csv', 'invalid')).toEqual([{ row: 97, column: 'bill_date' }]);
    expect(pick('service_agreements.csv', 'orphan')).toEqual([{ row: 5, column: 'rate_code' }]);
    expect(pick('reads.csv', 'invalid')).toEqual([{ row: 102, column: 'read_at' }]);
    expect(pick('meters.csv', 'orphan')).toEqual([{ row: 3, column: 'service_point_id' }]);
    // the bad opening balance row is left out, so the files no longer add up to the legacy totals
    const ct = r.issues.filter((i) => i.code === 'control_total').map((i) => i.column);
    expect(ct).toEqual(expect.arrayContaining(['ar_current', 'ar_31_60', 'account_count']));
    expect(r.issues.find((i) => i.column === 'ar_current')!.message).toMatch(
      /adds up to 190\.72; the legacy system reports 1440\.72 \(difference -1250\.00\)/,
    );
    const imp = await runMigration(sql, f, { dryRun: false, timeZone: TZ });
    expect(imp.status).toBe('invalid');
    expect(await accountsMigrated()).toBe(0);
    expect(await entryCount()).toBe(0);
  });

  it('imports and reconciles to the cent; the opening balances are in the ledger, aged', async () => {
    const r = await runMigration(sql, samples(), { dryRun: false, timeZone: TZ });
    expect(r.issues).toEqual([]);
    expect(r.status).toBe('imported');
    expect(r.created).toMatchObject({
      customer: 5,
      premise: 4,
      service_point: 6,
      account: 5,
      meter: 4,
      service_agreement: 7,
      opening_balance: 5,
      opening_balance_entries: 11,
      read: 100,
      bill: 95,
      payment: 78,
      contact: 7,
      preference: 4,
    });
    expect(r.reconciliation).toMatchObject({
      status: 'reconciled',
      accounts: { legacy: 5, file: 5, migrated: 5 },
      accountDifferences: [],
    });
    expect(r.reconciliation!.ar).toEqual([
      { bucket: 'current', legacyCents: 144072, cisflowCents: 144072, differenceCents: 0 },
      { bucket: 'days31to60', legacyCents: 108395, cisflowCents: 108395, differenceCents: 0 },
      { bucket: 'days61to90', legacyCents: 5595, cisflowCents: 5595, differenceCents: 0 },
      { bucket: 'over90', legacyCents: 31022, cisflowCents: 31022, differenceCents: 0 },
      { bucket: 'creditBalances', legacyCents: -2500, cisflowCents: -2500, differenceCents: 0 },
      { bucket: 'total', legacyCents: 286584, cisflowCents: 286584, differenceCents: 0 },
    ]);
    const [a45] = await sql<{ id: string }[]>`select id from account where account_number = '7000045'`;
    expect(await accountBalanceCents(sql, a45!.id)).toBe(4510 + 4480 + 4395 + 31022);
    const [a52] = await sql<
      { id: string; status: string }[]
    >`select id, status from account where account_number = '7000052'`;
    expect(a52!.status).toBe('closed');
    expect(await accountBalanceCents(sql, a52!.id)).toBe(-2500);
    // every entry balances and the ledger sums to zero
    expect((await trialBalance(sql)).reduce((s, x) => s + x.balance, 0)).toBe(0);
    const conv = (await trialBalance(sql)).find((x) => x.ledgerAccountId === 'legacy_conversion');
    expect(conv!.balance).toBe(-286584);
    // reads are exact, in UTC from the utility's local time, and billing can start from the last one
    const [w] = await sql<{ readAt: Date; value: string }[]>`
      select r.read_at, r.value::text as value from meter_read r join meter m on m.id = r.meter_id
      where m.serial_number = 'W1001' order by r.read_at limit 1`;
    expect(new Date(w!.readAt).toISOString()).toBe('2024-09-30T15:15:00.000Z'); // 08:15 PDT
    expect(w!.value).toBe('1204.5000');
    // agreements carry their rate schedule; the meter is installed at its service point
    const [sa] = await sql<{ code: string; serviceType: string }[]>`
      select rs.code, sa.service_type from service_agreement sa join rate_schedule rs on rs.id = sa.rate_schedule_id
      join account a on a.id = sa.account_id where a.account_number = '7000037'`;
    expect(sa).toEqual({ code: 'E-RES', serviceType: 'electric' });
    const pref =
      await sql`select p.language, p.paperless from customer_preference p join customer c on c.id = p.customer_id where c.name = 'Maria Garcia'`;
    expect(pref).toEqual([{ language: 'es', paperless: true }]);
  });

  it('re-running creates nothing twice and still reconciles', async () => {
    const entries = await entryCount();
    const reads = await count(sql<{ n: number }[]>`select count(*)::int as n from meter_read`);
    const r = await runMigration(sql, samples(), { dryRun: false, timeZone: TZ });
    expect(r.status).toBe('imported');
    expect(Object.values(r.created!).every((n) => n === 0)).toBe(true);
    expect(r.existing).toMatchObject({ account: 5, opening_balance_entries: 11, read: 100, bill: 95 });
    expect(r.reconciliation!.status).toBe('reconciled');
    expect(await entryCount()).toBe(entries);
    expect(await count(sql<{ n: number }[]>`select count(*)::int as n from meter_read`)).toBe(reads);
    expect(await accountsMigrated()).toBe(5);
  });

  it('postings after cutover do not disturb the as-of reconciliation; one dated before it is reported by account', async () => {
    const [a] = await sql<{ id: string }[]>`select id from account where account_number = '7000011'`;
    const post = (key: string, on: string, cents: number) =>
      sql.begin((tx) =>
        postEntry(tx, {
          idempotencyKey: key,
          kind: 'adjustment',
          accountId: a!.id,
          effectiveOn: on,
          description: 'test',
          postings: [
            { ledgerAccount: `ar:${a!.id}`, amountCents: cents },
            { ledgerAccount: 'revenue:water', amountCents: -cents },
          ],
        }),
      );
    await post('t-after', '2026-10-10', 5000);
    expect((await runMigration(sql, samples(), { dryRun: false, timeZone: TZ })).reconciliation!.status).toBe(
      'reconciled',
    );
    await post('t-before', '2026-09-20', 1000);
    const r = await runMigration(sql, samples(), { dryRun: false, timeZone: TZ });
    expect(r.reconciliation!.status).toBe('differences');
    expect(r.reconciliation!.ar[0]).toEqual({
      bucket: 'current',
      legacyCents: 144072,
      cisflowCents: 145072,
      differenceCents: 1000,
    });
    expect(r.reconciliation!.accountDifferences).toEqual([
      {
        accountNumber: '7000011',
        legacy: { current: 8412, days31to60: 0, days61to90: 0, over90: 0, credit: 0 },
        cisflow: { current: 9412, days31to60: 0, days61to90: 0, over90: 0, credit: 0 },
      },
    ]);
  });

  it('after migrating, the sample read files import onto the migrated meters through the CLI', async () => {
    const env = { DATABASE_URL: url, UTILITY_TIME_ZONE: TZ };
    const dir = path.resolve('docs/samples/reads');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.csv'))) {
      const r = await runDataCommand(['import-reads', '--json', path.join(dir, f)], env, () => {});
      expect(r.code, `${f}: ${r.out}`).toBe(0);
      const rep = JSON.parse(r.out);
      expect(rep.status).toBe('completed');
      expect(rep.counts.rejected).toBe(0);
      expect(rep.counts.accepted + rep.counts.duplicate).toBe(rep.counts.total);
    }
    const [w] = await sql<{ value: string }[]>`
      select r.value::text as value from meter_read r join meter m on m.id = r.meter_id
      where m.serial_number = 'W1003' and r.read_at = '2026-11-30T14:20:00Z'`;
    expect(w!.value).toBe('526000.0000'); // Badger-style gallons, and Neptune-style 526 KGAL at the same time: a duplicate
    const again = await runDataCommand(['import-reads', path.join(dir, 'generic.csv')], env, () => {});
    expect(again.out).toMatch(/imported before; nothing new/);
    // exit codes: 1 when rows are rejected (each named), 2 for usage problems
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'cisflow-cli-reads-'));
    const bad = path.join(tmp, 'bad.csv');
    writeFileSync(bad, 'meter_serial,read_at,value\nW1001,2026-12-01T00:00:00Z,abc\n');
    const r1 = await runDataCommand(['import-reads', bad], env, () => {});
    expect(r1.code).toBe(1);
    expect(r1.out).toMatch(/row 2 \[value\]: rejected: "abc" is not a non-negative decimal/);
    const odd = path.join(tmp, 'odd.csv');
    writeFileSync(odd, 'when,how much\n');
    expect((await runDataCommand(['import-reads', odd], env, () => {})).out).toMatch(
      /name the format with --format/,
    );
    expect((await runDataCommand(['import-reads', path.join(tmp, 'none.csv')], env, () => {})).code).toBe(2);
    expect(
      (await runDataCommand(['import-reads', '--time-zone', 'Nowhere/Land', bad], env, () => {})).code,
    ).toBe(2);
  });

  it('the CLI: migrate --dry-run prints the report; exit codes say whether it is clean', async () => {
    const env = { DATABASE_URL: url, UTILITY_TIME_ZONE: TZ };
    const quiet = () => {};
    const ok = await runDataCommand(['migrate', '--dry-run', SAMPLES], env, quiet);
    expect(ok.out).toMatch(/Dry run mig_\w+: validated \(cutover 2026-09-30\)/);
    expect(ok.out).toMatch(/No issues\./);
    expect(ok.code).toBe(0);
    const bad = await runDataCommand(
      ['migrate', '--dry-run', '--json', path.resolve('docs/samples')],
      env,
      quiet,
    );
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: 'customers.csv', code: 'missing_file' })]),
    );
    expect((await runDataCommand(['migrate'], env, quiet)).code).toBe(2);
    expect((await runDataCommand(['migrate', SAMPLES], {}, quiet)).out).toMatch(/DATABASE_URL/);
  });
});

describe('fuzzed migration files', () => {
  it('a migration is imported whole or not at all: with any one cell damaged, an invalid run writes nothing', async () => {
    const { sql: db } = await freshDatabase();
    await tariffs(db);
    const base = samples();
    const names = Object.keys(base).sort();
    const totals = async () =>
      (
        await db<
          { t: string }[]
        >`select (select count(*) from customer) || '/' || (select count(*) from account) || '/' ||
          (select count(*) from journal_entry) || '/' || (select count(*) from meter_read) || '/' ||
          (select count(*) from legacy_bill) || '/' || (select count(*) from customer_contact) as t`
      )[0]!.t;
    const junk = fc.constantFrom(
      '',
      'x',
      '-1',
      '0',
      '1e3',
      '2026-13-40',
      '99999999999999',
      '"',
      'C999',
      '7000011',
      'SP001',
      'true',
      '0.000',
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), junk, async (f, line, col, value) => {
        const files = { ...base };
        const name = names[f % names.length]!;
        const lines = files[name]!.trimEnd().split('\n');
        if (lines.length < 2) return;
        const i = 1 + (line % (lines.length - 1));
        const cells = lines[i]!.split(',');
        cells[col % cells.length] = value;
        lines[i] = cells.join(',');
        files[name] = `${lines.join('\n')}\n`;
        const before = await totals();
        const r = await runMigration(db, files, { dryRun: false, timeZone: TZ });
        expect(['invalid', 'imported']).toContain(r.status);
        if (r.status === 'invalid') {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const issue of r.issues) expect(issue.message.length).toBeGreaterThan(3);
          expect(await totals()).toBe(before);
        } else {
          const numbers = (r.files['accounts.csv']?.rows ?? 0) > 0;
          expect(numbers).toBe(true);
          expect(r.reconciliation).toBeDefined();
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('over HTTP', () => {
  it('an admin checks or imports a migration; every run is kept with its report', async () => {
    const t = await startWorkers(sql);
    const app = await testApp(sql, t);
    const admin = await staffToken(app, sql, 'admin');
    const csr = await staffToken(app, sql, 'csr');
    const post = (token: string, payload: object) =>
      app.inject({ method: 'POST', url: '/legacy-migrations', headers: bearer(token), payload });
    const dry = await post(admin, { dryRun: true, files: samples(), timeZone: TZ });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({
      object: 'legacy_migration',
      dryRun: true,
      status: 'validated',
      cutoverOn: '2026-09-30',
    });
    const broken = { ...samples(), 'accounts.csv': 'account_number,customer_id\n7000099,C404\n' };
    const bad = await post(admin, { dryRun: true, files: broken });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'accounts.csv', row: 2, column: 'customer_id', code: 'orphan' }),
      ]),
    );
    expect((await post(csr, { dryRun: true, files: samples() })).statusCode).toBe(403);
    const odd = await post(admin, { dryRun: true, files: { 'Customers.CSV': 'x' } });
    expect(odd.statusCode).toBe(422);
    expect(odd.json().report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'Customers.CSV', code: 'invalid' }),
        expect.objectContaining({ file: 'customers.csv', code: 'missing_file' }),
      ]),
    );
    // the history a customer sees: their account's opening balance, legacy bills and payments
    const [a45] = await sql<{ id: string }[]>`select id from account where account_number = '7000045'`;
    const customer = await customerLogin(app, sql, [a45!.id]);
    const h = await app.inject({
      method: 'GET',
      url: `/accounts/${a45!.id}/legacy-history`,
      headers: bearer(customer.token),
    });
    expect(h.statusCode, h.body).toBe(200);
    const fileRows = (name: string) =>
      samples()
        [name]!.split('\n')
        .filter((l) => l.split(',')[1] === '7000045');
    expect(h.json().openingBalance).toEqual({
      asOf: '2026-09-30',
      currentCents: 4510,
      days31to60Cents: 4480,
      days61to90Cents: 4395,
      over90Cents: 31022,
    });
    expect(h.json().bills).toHaveLength(fileRows('bills.csv').length);
    expect(h.json().payments).toHaveLength(fileRows('payments.csv').length);
    expect(h.json().bills[0].billDate >= h.json().bills.at(-1).billDate).toBe(true);
    const [other] = await sql<{ id: string }[]>`select id from account where account_number = '7000011'`;
    const no = await app.inject({
      method: 'GET',
      url: `/accounts/${other!.id}/legacy-history`,
      headers: bearer(customer.token),
    });
    expect(no.statusCode).toBe(404);
    const got = await app.inject({
      method: 'GET',
      url: `/legacy-migrations/${dry.json().id}`,
      headers: bearer(admin),
    });
    expect(got.json()).toMatchObject({ id: dry.json().id, status: 'validated', report: { issues: [] } });
    const [audit] = await sql<{ action: string }[]>`
      select action from audit_log where resource_type = 'legacy_migration' and resource_id = ${dry.json().id}`;
    expect(audit!.action).toBe('POST /legacy-migrations');
  });
});
