// Legacy CIS migration: a folder of CSV files (docs/legacy-migration.md) checked, then imported in one
// transaction, then reconciled against the legacy system's control totals.
//
// - Dry run: the file checks (domain/import/legacy.ts) plus the checks that need the database (rate codes,
//   account numbers and meter serials already used by records this migration did not create, reads that
//   conflict with stored ones). Nothing is written except the run's record.
// - Import: refused while any issue remains. Every record carries its legacy key in legacy_record, so a
//   re-run creates nothing twice; opening balances post once each (idempotency keys
//   `legacy:opening:{account}:{bucket}`); history rows are keyed by their legacy ids.
// - Ledger: the opening balance is the whole truth at cutover. One `opening_balance` entry per non-zero aged
//   bucket debits (or, for a credit, credits) the account's receivable against `legacy_conversion` (equity),
//   dated so that aging as of the cutover puts it back in its bucket (current: the cutover date; 31–60: 31
//   days before; 61–90: 61; over 90: 91). Bills and payments before cutover are history records
//   (legacy_bill, legacy_payment) and post nothing: their effect is already inside the opening balance. So
//   an account's balance = opening balance + every posting after cutover.
// - Reconciliation: account counts, and AR by aging bucket computed from the ledger as of the cutover (the
//   same rule as the AR aging report) against the control totals, to the cent, with each differing account.
import { createHash } from 'node:crypto';
import {
  ageReceivable,
  asBool,
  BUCKET_AGE_DAYS,
  type Buckets,
  type ControlTotals,
  fmt,
  type Issue,
  type LegacyData,
  type LegacyFileName,
  legacyInstant,
  parseLegacy,
  type Rec,
} from '../../domain/import/legacy.js';
import { localToUtcMs } from '../../domain/import/local-time.js';
import { assertBalanced, type JournalEntry, receivable } from '../../domain/ledger.js';
import { addDays } from '../../domain/period.js';
import { newId } from '../../lib/ids.js';
import { insertMany } from '../bulk.js';
import type { Sql, Tx } from '../client.js';
import { postEntries } from '../ledger.js';

export interface MigrationReport {
  id: string;
  object: 'legacy_migration';
  dryRun: boolean;
  status: 'validated' | 'invalid' | 'imported' | 'failed';
  /** why a checked import still failed (the transaction was rolled back: nothing was written) */
  message?: string;
  cutoverOn: string | null;
  files: Record<string, { rows: number; sha256: string }>;
  issues: Issue[];
  /** what an import created now, and what it found already there from an earlier run */
  created?: Record<string, number>;
  existing?: Record<string, number>;
  reconciliation?: Reconciliation;
}

export interface Reconciliation {
  asOf: string;
  status: 'reconciled' | 'differences';
  accounts: { legacy: number; file: number; migrated: number };
  ar: {
    bucket: 'current' | 'days31to60' | 'days61to90' | 'over90' | 'creditBalances' | 'total';
    legacyCents: number;
    cisflowCents: number;
    differenceCents: number;
  }[];
  /** accounts whose aged balance in cisflow differs from their opening_balances.csv row (first 100) */
  accountDifferences: {
    accountNumber: string;
    legacy: Buckets & { credit: number };
    cisflow: Buckets & { credit: number };
  }[];
}

type Entity = 'customer' | 'premise' | 'service_point' | 'account' | 'meter' | 'service_agreement';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Checks (dry run) or imports a migration. `files` maps file name -> text. */
export async function runMigration(
  sql: Sql,
  files: Record<string, string>,
  opts: { dryRun: boolean; timeZone: string },
): Promise<MigrationReport> {
  const { data, issues } = parseLegacy(files, opts.timeZone);
  const id = newId('mig');
  const fileInfo = Object.fromEntries(
    Object.entries(files).map(([n, t]) => [
      n,
      { rows: data.counts[n as LegacyFileName] ?? 0, sha256: sha(t) },
    ]),
  );
  if (data.control) issues.push(...(await databaseChecks(sql, data, opts.timeZone)));
  const base: MigrationReport = {
    id,
    object: 'legacy_migration',
    dryRun: opts.dryRun,
    status: issues.length ? 'invalid' : 'validated',
    cutoverOn: data.control?.asOf ?? null,
    files: fileInfo,
    issues,
  };
  const record = async (db: Sql | Tx, r: MigrationReport) => {
    await db`insert into legacy_migration (id, dry_run, status, cutover_on, files, report, finished_at)
      values (${id}, ${opts.dryRun}, ${r.status}, ${r.cutoverOn}, ${db.json(fileInfo as never)}, ${db.json(r as never)}, now())
      on conflict (id) do update set status = excluded.status, report = excluded.report, finished_at = now()`;
  };
  if (opts.dryRun || issues.length) {
    await record(sql, base);
    return base;
  }
  try {
    return await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('cisflow.legacy-migration'))`;
      await record(tx, { ...base, status: 'imported' });
      const { created, existing } = await importData(tx, id, data, opts.timeZone);
      const reconciliation = await reconcile(tx, data);
      const report: MigrationReport = { ...base, status: 'imported', created, existing, reconciliation };
      await record(tx, report);
      return report;
    });
  } catch (e) {
    // a database rule the checks did not foresee: the whole import rolled back; say so, with the reason
    const failed: MigrationReport = { ...base, status: 'failed', message: (e as Error).message };
    await record(sql, failed);
    return failed;
  }
}

async function mapped(db: Sql | Tx, entity: Entity): Promise<Map<string, string>> {
  const rows = await db<{ legacyKey: string; cisflowId: string }[]>`
    select legacy_key, cisflow_id from legacy_record where entity = ${entity}`;
  return new Map(rows.map((r) => [r.legacyKey, r.cisflowId]));
}

async function databaseChecks(sql: Sql, d: LegacyData, tz: string): Promise<Issue[]> {
  const issues: Issue[] = [];
  const f = d.files;
  const codes = [...new Set((f['service_agreements.csv'] ?? []).map((r) => r.v.rate_code!))];
  const rates = new Map(
    (
      await sql<
        { code: string; serviceType: string }[]
      >`select code, service_type from rate_schedule where code = any(${codes})`
    ).map((r) => [r.code, r.serviceType]),
  );
  const spType = new Map(
    (f['service_points.csv'] ?? []).map((r) => [r.v.service_point_id!, r.v.service_type!]),
  );
  for (const r of f['service_agreements.csv'] ?? []) {
    const t = rates.get(r.v.rate_code!);
    if (!t)
      issues.push({
        file: 'service_agreements.csv',
        row: r.row,
        column: 'rate_code',
        code: 'orphan',
        message: `rate_code ${r.v.rate_code} is not a cisflow rate schedule (set the tariffs up first)`,
      });
    else if (spType.get(r.v.service_point_id!) && t !== spType.get(r.v.service_point_id!))
      issues.push({
        file: 'service_agreements.csv',
        row: r.row,
        column: 'rate_code',
        code: 'invalid',
        message: `rate ${r.v.rate_code} is for ${t}; service point ${r.v.service_point_id} is ${spType.get(r.v.service_point_id!)}`,
      });
  }
  // account numbers and meter serials must not belong to records this migration did not create
  const accountMap = await mapped(sql, 'account');
  const numbers = (f['accounts.csv'] ?? []).map((r) => r.v.account_number!);
  const taken = await sql<
    { accountNumber: string }[]
  >`select account_number from account where account_number = any(${numbers})`;
  const byNumber = new Map((f['accounts.csv'] ?? []).map((r) => [r.v.account_number!, r]));
  for (const t of taken) {
    if (accountMap.has(t.accountNumber)) continue;
    issues.push({
      file: 'accounts.csv',
      row: byNumber.get(t.accountNumber)?.row,
      column: 'account_number',
      code: 'conflict',
      message: `account number ${t.accountNumber} is already used by an account that is not from this migration`,
    });
  }
  const meterMap = await mapped(sql, 'meter');
  const serials = (f['meters.csv'] ?? []).map((r) => r.v.serial_number!);
  const bySerial = new Map((f['meters.csv'] ?? []).map((r) => [r.v.serial_number!, r]));
  const takenMeters = await sql<
    { serialNumber: string }[]
  >`select serial_number from meter where serial_number = any(${serials})`;
  for (const t of takenMeters) {
    if (meterMap.has(t.serialNumber)) continue;
    issues.push({
      file: 'meters.csv',
      row: bySerial.get(t.serialNumber)?.row,
      column: 'serial_number',
      code: 'conflict',
      message: `meter ${t.serialNumber} already exists and is not from this migration`,
    });
  }
  // reads that disagree with stored ones (same meter and time, different value)
  const reads = f['reads.csv'] ?? [];
  if (reads.length && meterMap.size) {
    const rows = reads
      .filter((r) => meterMap.has(r.v.serial_number!))
      .map((r) => ({
        row: r.row,
        meter: meterMap.get(r.v.serial_number!)!,
        at: legacyInstant(r.v.read_at!, tz),
        value: r.v.value!,
      }));
    for (let i = 0; i < rows.length; i += 20_000) {
      const part = rows.slice(i, i + 20_000);
      const clash = await sql<{ row: number; existing: string }[]>`
        select x.row, r.value::text as existing
        from unnest(${part.map((p) => p.row)}::int[], ${part.map((p) => p.meter)}::text[], ${part.map((p) => p.at)}::timestamptz[], ${part.map((p) => p.value)}::numeric[]) as x(row, meter, at, value)
        join meter_read r on r.meter_id = x.meter and r.read_at = x.at and r.value <> x.value
        where not exists (select 1 from meter_read s where s.meter_id = x.meter and s.read_at = x.at and s.value = x.value)`;
      for (const c of clash)
        issues.push({
          file: 'reads.csv',
          row: c.row,
          column: 'value',
          code: 'conflict',
          message: `the stored read at this time is ${c.existing}; a different value for the same meter and time is a conflict`,
        });
    }
  }
  return issues;
}

/** Local midnight of a date in the utility's zone, as a UTC instant. */
function localMidnight(date: string, tz: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(localToUtcMs(tz, y, m, d, 0, 0, 0) ?? Date.UTC(y, m - 1, d)).toISOString();
}

async function importData(tx: Tx, migrationId: string, d: LegacyData, tz: string) {
  const created: Record<string, number> = {};
  const existing: Record<string, number> = {};
  const f = d.files;
  const maps = {} as Record<Entity, Map<string, string>>;
  for (const e of ['customer', 'premise', 'service_point', 'account', 'meter', 'service_agreement'] as const)
    maps[e] = await mapped(tx, e);

  /** Creates the records whose legacy key is not mapped yet, and maps them. */
  async function upsert(
    entity: Entity,
    prefix: Parameters<typeof newId>[0],
    recs: Rec[],
    key: (r: Rec) => string,
    table: string,
    row: (r: Rec, id: string) => Record<string, unknown>,
  ) {
    const fresh = recs.filter((r) => !maps[entity].has(key(r)));
    existing[entity] = recs.length - fresh.length;
    created[entity] = fresh.length;
    if (!fresh.length) return;
    const ids = fresh.map(() => newId(prefix));
    fresh.forEach((r, i) => {
      maps[entity].set(key(r), ids[i]!);
    });
    await insertMany(
      tx,
      table,
      fresh.map((r, i) => row(r, ids[i]!)),
    );
    await insertMany(
      tx,
      'legacy_record',
      fresh.map((r, i) => ({ entity, legacy_key: key(r), cisflow_id: ids[i]!, migration_id: migrationId })),
    );
  }

  await upsert(
    'customer',
    'cust',
    f['customers.csv'] ?? [],
    (r) => r.v.customer_id!,
    'customer',
    (r, id) => {
      return {
        id,
        kind: r.v.kind,
        name: r.v.name,
        email: r.v.email || null,
        phone: r.v.phone || null,
        language: r.v.language,
      };
    },
  );
  await upsert(
    'premise',
    'prem',
    f['premises.csv'] ?? [],
    (r) => r.v.premise_id!,
    'premise',
    (r, id) => ({
      id,
      address_line1: r.v.address_line1,
      address_line2: r.v.address_line2 || null,
      city: r.v.city,
      state: r.v.state,
      postal_code: r.v.postal_code,
      route: r.v.route || null,
    }),
  );
  await upsert(
    'service_point',
    'sp',
    f['service_points.csv'] ?? [],
    (r) => r.v.service_point_id!,
    'service_point',
    (r, id) => ({
      id,
      premise_id: maps.premise.get(r.v.premise_id!)!,
      service_type: r.v.service_type,
    }),
  );
  await upsert(
    'account',
    'acct',
    f['accounts.csv'] ?? [],
    (r) => r.v.account_number!,
    'account',
    (r, id) => ({
      id,
      account_number: r.v.account_number,
      customer_id: maps.customer.get(r.v.customer_id!)!,
      customer_class: r.v.customer_class,
      billing_cycle: r.v.billing_cycle,
      paperless: asBool(r.v.paperless ?? 'false'),
      status: r.v.status,
      opened_on: r.v.opened_on || d.control!.asOf,
    }),
  );
  const newMeters: Rec[] = [];
  await upsert(
    'meter',
    'mtr',
    f['meters.csv'] ?? [],
    (r) => r.v.serial_number!,
    'meter',
    (r, id) => {
      newMeters.push(r);
      return {
        id,
        serial_number: r.v.serial_number,
        kind: r.v.kind,
        unit: r.v.unit,
        dial_count: Number(r.v.dial_count),
        multiplier: r.v.multiplier,
        size: r.v.size || null,
      };
    },
  );
  // installations only for meters created now (an existing meter keeps its installation history)
  await insertMany(
    tx,
    'meter_installation',
    newMeters
      .filter((r) => r.v.service_point_id)
      .map((r) => ({
        id: newId('inst'),
        meter_id: maps.meter.get(r.v.serial_number!)!,
        service_point_id: maps.service_point.get(r.v.service_point_id!)!,
        installed_at: localMidnight(r.v.installed_on!, tz),
      })),
  );
  const rateIds = new Map(
    (
      await tx<
        { id: string; code: string; serviceType: string }[]
      >`select id, code, service_type from rate_schedule`
    ).map((r) => [r.code, r]),
  );
  await upsert(
    'service_agreement',
    'sa',
    f['service_agreements.csv'] ?? [],
    (r) => r.v.agreement_id!,
    'service_agreement',
    (r, id) => {
      const rs = rateIds.get(r.v.rate_code!)!;
      return {
        id,
        account_id: maps.account.get(r.v.account_number!)!,
        service_point_id: maps.service_point.get(r.v.service_point_id!)!,
        service_type: rs.serviceType,
        rate_schedule_id: rs.id,
        status: r.v.status,
        start_date: r.v.start_date,
        end_date: r.v.end_date || null,
      };
    },
  );

  // opening balances: the aged buckets as given, and one ledger entry per non-zero bucket (posted once)
  const asOf = d.control!.asOf;
  const ob = f['opening_balances.csv'] ?? [];
  const obRows = ob.map((r) => ({
    account_id: maps.account.get(r.v.account_number!)!,
    as_of: r.v.as_of,
    current_cents: r.cents.current!,
    days_31_60_cents: r.cents.days_31_60!,
    days_61_90_cents: r.cents.days_61_90!,
    days_over_90_cents: r.cents.days_over_90!,
    migration_id: migrationId,
  }));
  const obInserted = await insertNew(tx, 'legacy_opening_balance', obRows, 'account_id');
  created.opening_balance = obInserted;
  existing.opening_balance = obRows.length - obInserted;
  const entries: JournalEntry[] = [];
  for (const r of ob) {
    const accountId = maps.account.get(r.v.account_number!)!;
    for (const [bucket, age] of Object.entries(BUCKET_AGE_DAYS)) {
      const cents = r.cents[bucket]!;
      if (cents === 0) continue;
      entries.push(
        assertBalanced({
          idempotencyKey: `legacy:opening:${r.v.account_number}:${bucket}`,
          kind: 'opening_balance',
          accountId,
          effectiveOn: addDays(asOf, -age),
          description: `Opening balance from the legacy system (${bucket.replaceAll('_', ' ')}, as of ${asOf})`,
          postings: [
            { ledgerAccount: receivable(accountId), amountCents: cents },
            { ledgerAccount: 'legacy_conversion', amountCents: -cents },
          ],
        }),
      );
    }
  }
  const posted = await postEntries(tx, entries);
  created.opening_balance_entries = posted.size;
  existing.opening_balance_entries = entries.length - posted.size;

  // read history: into meter_read (billing starts from the last one); a stored equal read is skipped
  const reads = (f['reads.csv'] ?? []).map((r) => ({
    meter: maps.meter.get(r.v.serial_number!)!,
    at: legacyInstant(r.v.read_at!, tz),
    value: r.v.value!,
    source: r.v.source!,
  }));
  let readsCreated = 0;
  for (let i = 0; i < reads.length; i += 10_000) {
    const part = reads.slice(i, i + 10_000);
    const ins = await tx`
      insert into meter_read (id, meter_id, read_at, value, source)
      select 'read_' || ${migrationId.slice(4)} || lpad((${i} + x.n)::text, 7, '0'), x.meter, x.at, x.value, x.source
      from unnest(${part.map((p) => p.meter)}::text[], ${part.map((p) => p.at)}::timestamptz[], ${part.map((p) => p.value)}::numeric[],
                  ${part.map((p) => p.source)}::text[]) with ordinality as x(meter, at, value, source, n)
      where not exists (select 1 from meter_read r where r.meter_id = x.meter and r.read_at = x.at)
      returning id`;
    readsCreated += ins.length;
  }
  created.read = readsCreated;
  existing.read = reads.length - readsCreated;

  const history = async (
    name: 'bills.csv' | 'payments.csv',
    table: string,
    row: (r: Rec) => Record<string, unknown>,
  ): Promise<[number, number]> => {
    const rows = (f[name] ?? []).map(row);
    let n = 0;
    for (let i = 0; i < rows.length; i += 5000) {
      const ins =
        await tx`insert into ${tx(table)} ${tx(rows.slice(i, i + 5000) as never)} on conflict (legacy_id) do nothing returning legacy_id`;
      n += ins.length;
    }
    return [n, rows.length - n];
  };
  [created.bill, existing.bill] = await history('bills.csv', 'legacy_bill', (r) => ({
    legacy_id: r.v.bill_id,
    account_id: maps.account.get(r.v.account_number!)!,
    period: r.v.period,
    bill_date: r.v.bill_date,
    due_date: r.v.due_date || null,
    amount_cents: r.cents.amount,
    migration_id: migrationId,
  }));
  [created.payment, existing.payment] = await history('payments.csv', 'legacy_payment', (r) => ({
    legacy_id: r.v.payment_id,
    account_id: maps.account.get(r.v.account_number!)!,
    received_on: r.v.received_on,
    amount_cents: r.cents.amount,
    method: r.v.method,
    migration_id: migrationId,
  }));

  const contacts = (f['contacts.csv'] ?? []).map((r) => ({
    id: newId('cust').replace('cust_', 'cc_'),
    customer_id: maps.customer.get(r.v.customer_id!)!,
    kind: r.v.kind,
    value: r.v.value,
  }));
  let cc = 0;
  for (let i = 0; i < contacts.length; i += 5000) {
    const ins = await tx`insert into customer_contact ${tx(contacts.slice(i, i + 5000) as never)}
      on conflict (customer_id, kind, value) do nothing returning id`;
    cc += ins.length;
  }
  created.contact = cc;
  existing.contact = contacts.length - cc;
  const prefs = (f['preferences.csv'] ?? []).map((r) => ({
    customer_id: maps.customer.get(r.v.customer_id!)!,
    paperless: asBool(r.v.paperless ?? 'false'),
    language: r.v.language,
  }));
  const pi = await insertNew(tx, 'customer_preference', prefs, 'customer_id');
  created.preference = pi;
  existing.preference = prefs.length - pi;
  return { created, existing };
}

/** Inserts rows that are not there yet (by `conflict`), in statements under the bind-parameter limit. */
async function insertNew(
  tx: Tx,
  table: string,
  rows: Record<string, unknown>[],
  conflict: string,
): Promise<number> {
  if (!rows.length) return 0;
  const chunk = Math.floor(60_000 / Object.keys(rows[0]!).length);
  let n = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const ins = await tx`insert into ${tx(table)} ${tx(rows.slice(i, i + chunk) as never)}
      on conflict (${tx(conflict)}) do nothing returning 1`;
    n += ins.length;
  }
  return n;
}

/** Account counts and AR by aging bucket from the ledger as of the cutover, against the legacy totals. */
export async function reconcile(db: Sql | Tx, d: LegacyData): Promise<Reconciliation> {
  const control = d.control as ControlTotals;
  const asOf = control.asOf;
  const numbers = (d.files['accounts.csv'] ?? []).map((r) => r.v.account_number!);
  const accounts = await db<{ accountNumber: string; id: string }[]>`
    select a.account_number, a.id from account a
    join legacy_record lr on lr.entity = 'account' and lr.cisflow_id = a.id
    where a.account_number = any(${numbers})`;
  const entries = await db<{ accountId: string; effectiveOn: string; amountCents: number }[]>`
    select je.account_id, to_char(je.effective_on, 'YYYY-MM-DD') as effective_on, sum(p.amount_cents)::bigint as amount_cents
    from posting p join journal_entry je on je.id = p.journal_entry_id
    where p.ledger_account_id = any(${accounts.map((a) => `ar:${a.id}`)}) and je.effective_on <= ${asOf}
    group by je.id, je.account_id, je.effective_on`;
  const byAccount = new Map<string, { effectiveOn: string; amountCents: number }[]>();
  for (const e of entries) byAccount.set(e.accountId, [...(byAccount.get(e.accountId) ?? []), e]);
  const total: Buckets = { current: 0, days31to60: 0, days61to90: 0, over90: 0 };
  let credits = 0;
  const aged = new Map<string, Buckets & { credit: number }>();
  for (const a of accounts) {
    const r = ageReceivable(byAccount.get(a.id) ?? [], asOf);
    total.current += r.buckets.current;
    total.days31to60 += r.buckets.days31to60;
    total.days61to90 += r.buckets.days61to90;
    total.over90 += r.buckets.over90;
    credits += r.creditCents;
    aged.set(a.accountNumber, { ...r.buckets, credit: r.creditCents });
  }
  const legacyCredit = control.creditBalancesCents;
  const rows: Reconciliation['ar'] = (
    [
      ['current', control.buckets.current, total.current],
      ['days31to60', control.buckets.days31to60, total.days31to60],
      ['days61to90', control.buckets.days61to90, total.days61to90],
      ['over90', control.buckets.over90, total.over90],
      ['creditBalances', legacyCredit, credits],
    ] as const
  ).map(([bucket, legacyCents, cisflowCents]) => ({
    bucket,
    legacyCents,
    cisflowCents,
    differenceCents: cisflowCents - legacyCents,
  }));
  const lt = rows.reduce((s, r) => s + r.legacyCents, 0);
  const ct = rows.reduce((s, r) => s + r.cisflowCents, 0);
  rows.push({ bucket: 'total', legacyCents: lt, cisflowCents: ct, differenceCents: ct - lt });

  const accountDifferences: Reconciliation['accountDifferences'] = [];
  const obByNumber = new Map((d.files['opening_balances.csv'] ?? []).map((r) => [r.v.account_number!, r]));
  for (const n of numbers) {
    const r = obByNumber.get(n);
    const c = r?.cents;
    const legacy =
      c && c.current! < 0
        ? { current: 0, days31to60: 0, days61to90: 0, over90: 0, credit: c.current! }
        : {
            current: c?.current ?? 0,
            days31to60: c?.days_31_60 ?? 0,
            days61to90: c?.days_61_90 ?? 0,
            over90: c?.days_over_90 ?? 0,
            credit: 0,
          };
    const mine = aged.get(n) ?? { current: 0, days31to60: 0, days61to90: 0, over90: 0, credit: 0 };
    const same = (Object.keys(legacy) as (keyof typeof legacy)[]).every((k) => legacy[k] === mine[k]);
    if (!same && accountDifferences.length < 100)
      accountDifferences.push({ accountNumber: n, legacy, cisflow: mine });
  }
  const reconciled =
    rows.every((r) => r.differenceCents === 0) &&
    accountDifferences.length === 0 &&
    accounts.length === control.accountCount &&
    numbers.length === control.accountCount;
  return {
    asOf,
    status: reconciled ? 'reconciled' : 'differences',
    accounts: { legacy: control.accountCount, file: numbers.length, migrated: accounts.length },
    ar: rows,
    accountDifferences,
  };
}

/** The report as text, for the CLI. */
export function formatReport(r: MigrationReport): string {
  const lines: string[] = [];
  lines.push(
    `${r.dryRun ? 'Dry run' : 'Migration'} ${r.id}: ${r.status}${r.cutoverOn ? ` (cutover ${r.cutoverOn})` : ''}`,
  );
  if (r.message) lines.push(`  ${r.message} (nothing was written)`);
  for (const [name, info] of Object.entries(r.files))
    lines.push(`  ${name.padEnd(24)} ${String(info.rows).padStart(7)} rows`);
  if (r.issues.length) {
    const by = new Map<string, number>();
    for (const i of r.issues) by.set(i.code, (by.get(i.code) ?? 0) + 1);
    lines.push(`${r.issues.length} issues (${[...by].map(([k, v]) => `${v} ${k}`).join(', ')}):`);
    for (const i of r.issues.slice(0, 200))
      lines.push(
        `  ${i.file}${i.row ? `:${i.row}` : ''}${i.column ? ` [${i.column}]` : ''} ${i.code}: ${i.message}`,
      );
    if (r.issues.length > 200) lines.push(`  … and ${r.issues.length - 200} more (use --json for all)`);
  } else lines.push('No issues.');
  if (r.created) {
    lines.push(
      'Created now / already there from an earlier run:',
      ...Object.keys(r.created).map(
        (k) => `  ${k.padEnd(24)} ${String(r.created![k]).padStart(7)} / ${r.existing?.[k] ?? 0}`,
      ),
    );
  }
  const rec = r.reconciliation;
  if (rec) {
    lines.push(
      `Reconciliation as of ${rec.asOf}: ${rec.status.toUpperCase()}`,
      `  accounts: legacy ${rec.accounts.legacy}, in files ${rec.accounts.file}, in cisflow ${rec.accounts.migrated}`,
      `  ${'AR bucket'.padEnd(16)} ${'legacy'.padStart(14)} ${'cisflow'.padStart(14)} ${'difference'.padStart(12)}`,
      ...rec.ar.map(
        (x) =>
          `  ${x.bucket.padEnd(16)} ${fmt(x.legacyCents).padStart(14)} ${fmt(x.cisflowCents).padStart(14)} ${fmt(x.differenceCents).padStart(12)}`,
      ),
    );
    for (const a of rec.accountDifferences)
      lines.push(`  account ${a.accountNumber}: legacy ${fmtB(a.legacy)}; cisflow ${fmtB(a.cisflow)}`);
  }
  return lines.join('\n');
}

const fmtB = (b: Buckets & { credit: number }) =>
  `current ${fmt(b.current)}, 31-60 ${fmt(b.days31to60)}, 61-90 ${fmt(b.days61to90)}, over 90 ${fmt(b.over90)}, credit ${fmt(b.credit)}`;
