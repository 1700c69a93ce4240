// Legacy CIS migration files (docs/legacy-migration.md) -> typed records, or issues naming the file, row,
// column and reason: invalid values, duplicate keys, orphan references, and control totals that the opening
// balances do not add up to. Pure: file texts in, records and issues out. Money is integer cents, parsed
// from decimal strings without floats; read values stay decimal strings.
import { centsToDecimal, dec, decToString } from '../decimal.js';
import { daysBetween } from '../period.js';
import { CsvError, csvRecords, normHeader } from './csv.js';
import { parseTimestamp } from './local-time.js';

export type Issue = {
  file: string;
  row?: number;
  column?: string;
  code: 'missing_file' | 'missing_column' | 'invalid' | 'duplicate' | 'orphan' | 'conflict' | 'control_total';
  message: string;
};

type Kind =
  | { t: 'text'; max?: number }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'date' }
  | { t: 'datetime' }
  | { t: 'money' }
  | { t: 'decimal' }
  | { t: 'int'; min: number; max: number }
  | { t: 'bool' }
  | { t: 'period' }
  | { t: 'pattern'; re: RegExp; hint: string };

interface Col {
  name: string;
  required?: boolean;
  kind: Kind;
  default?: string;
}

const text = (max = 200): Kind => ({ t: 'text', max });
const SERVICE = ['water', 'sewer', 'electric', 'gas', 'trash'] as const;
/** The lines of control_totals.csv; every one is required. */
const CONTROL_TOTAL_NAMES = [
  'as_of',
  'account_count',
  'ar_current',
  'ar_31_60',
  'ar_61_90',
  'ar_over_90',
  'credit_balances',
] as const;

/** Every file, its columns, and which column is its key. */
export const LEGACY_FILES = {
  'customers.csv': {
    required: true,
    key: ['customer_id'],
    columns: [
      { name: 'customer_id', required: true, kind: text(64) },
      { name: 'name', required: true, kind: text(200) },
      { name: 'kind', kind: { t: 'enum', values: ['person', 'business'] }, default: 'person' },
      { name: 'email', kind: { t: 'pattern', re: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, hint: 'an email address' } },
      { name: 'phone', kind: { t: 'pattern', re: /^\+?[0-9 ()-]{7,20}$/, hint: 'a phone number' } },
      { name: 'language', kind: { t: 'enum', values: ['en', 'es'] }, default: 'en' },
    ],
  },
  'premises.csv': {
    required: false,
    key: ['premise_id'],
    columns: [
      { name: 'premise_id', required: true, kind: text(64) },
      { name: 'address_line1', required: true, kind: text(200) },
      { name: 'address_line2', kind: text(200) },
      { name: 'city', required: true, kind: text(100) },
      {
        name: 'state',
        required: true,
        kind: { t: 'pattern', re: /^[A-Z]{2}$/, hint: 'two capital letters' },
      },
      {
        name: 'postal_code',
        required: true,
        kind: { t: 'pattern', re: /^\d{5}(-\d{4})?$/, hint: '12345 or 12345-6789' },
      },
      { name: 'route', kind: text(20) },
    ],
  },
  'service_points.csv': {
    required: false,
    key: ['service_point_id'],
    columns: [
      { name: 'service_point_id', required: true, kind: text(64) },
      { name: 'premise_id', required: true, kind: text(64) },
      { name: 'service_type', required: true, kind: { t: 'enum', values: SERVICE } },
    ],
  },
  'accounts.csv': {
    required: true,
    key: ['account_number'],
    columns: [
      {
        name: 'account_number',
        required: true,
        kind: { t: 'pattern', re: /^[A-Za-z0-9-]{1,30}$/, hint: 'letters, digits and -' },
      },
      { name: 'customer_id', required: true, kind: text(64) },
      { name: 'customer_class', kind: text(40), default: 'residential' },
      {
        name: 'billing_cycle',
        kind: { t: 'pattern', re: /^\d{2}$/, hint: 'two digits, e.g. 07' },
        default: '01',
      },
      { name: 'status', kind: { t: 'enum', values: ['pending', 'active', 'closed'] }, default: 'active' },
      { name: 'opened_on', kind: { t: 'date' } },
      { name: 'paperless', kind: { t: 'bool' }, default: 'false' },
    ],
  },
  'meters.csv': {
    required: false,
    key: ['serial_number'],
    columns: [
      { name: 'serial_number', required: true, kind: text(64) },
      { name: 'kind', required: true, kind: { t: 'enum', values: ['water', 'electric', 'gas'] } },
      {
        name: 'unit',
        required: true,
        kind: { t: 'enum', values: ['gal', 'kgal', 'ccf', 'cf', 'kWh', 'therm'] },
      },
      { name: 'dial_count', kind: { t: 'int', min: 1, max: 12 }, default: '6' },
      {
        name: 'multiplier',
        kind: {
          t: 'pattern',
          re: /^(?!0+(\.0+)?$)\d{1,6}(\.\d{1,6})?$/,
          hint: 'a positive decimal (up to 6 digits and 6 places)',
        },
        default: '1',
      },
      { name: 'size', kind: text(20) },
      { name: 'service_point_id', kind: text(64) },
      { name: 'installed_on', kind: { t: 'date' } },
    ],
  },
  'service_agreements.csv': {
    required: false,
    key: ['agreement_id'],
    columns: [
      { name: 'agreement_id', required: true, kind: text(64) },
      { name: 'account_number', required: true, kind: text(30) },
      { name: 'service_point_id', required: true, kind: text(64) },
      { name: 'rate_code', required: true, kind: text(40) },
      { name: 'start_date', required: true, kind: { t: 'date' } },
      { name: 'end_date', kind: { t: 'date' } },
      {
        name: 'status',
        kind: { t: 'enum', values: ['pending', 'active', 'suspended_seasonal', 'pending_stop', 'closed'] },
        default: 'active',
      },
    ],
  },
  'opening_balances.csv': {
    required: false,
    key: ['account_number'],
    columns: [
      { name: 'account_number', required: true, kind: text(30) },
      { name: 'as_of', required: true, kind: { t: 'date' } },
      { name: 'current', required: true, kind: { t: 'money' } },
      { name: 'days_31_60', required: true, kind: { t: 'money' } },
      { name: 'days_61_90', required: true, kind: { t: 'money' } },
      { name: 'days_over_90', required: true, kind: { t: 'money' } },
    ],
  },
  'reads.csv': {
    required: false,
    key: ['serial_number', 'read_at'],
    columns: [
      { name: 'serial_number', required: true, kind: text(64) },
      { name: 'read_at', required: true, kind: { t: 'datetime' } },
      { name: 'value', required: true, kind: { t: 'decimal' } },
      {
        name: 'source',
        kind: { t: 'enum', values: ['ami', 'amr', 'manual', 'customer', 'estimated'] },
        default: 'amr',
      },
    ],
  },
  'bills.csv': {
    required: false,
    key: ['bill_id'],
    columns: [
      { name: 'bill_id', required: true, kind: text(64) },
      { name: 'account_number', required: true, kind: text(30) },
      { name: 'period', required: true, kind: { t: 'period' } },
      { name: 'bill_date', required: true, kind: { t: 'date' } },
      { name: 'due_date', kind: { t: 'date' } },
      { name: 'amount', required: true, kind: { t: 'money' } },
    ],
  },
  'payments.csv': {
    required: false,
    key: ['payment_id'],
    columns: [
      { name: 'payment_id', required: true, kind: text(64) },
      { name: 'account_number', required: true, kind: text(30) },
      { name: 'received_on', required: true, kind: { t: 'date' } },
      { name: 'amount', required: true, kind: { t: 'money' } },
      {
        name: 'method',
        kind: { t: 'enum', values: ['cash', 'check', 'card', 'ach', 'lockbox', 'other'] },
        default: 'other',
      },
    ],
  },
  'contacts.csv': {
    required: false,
    key: ['customer_id', 'kind', 'value'],
    columns: [
      { name: 'customer_id', required: true, kind: text(64) },
      { name: 'kind', required: true, kind: { t: 'enum', values: ['email', 'sms', 'voice', 'postal'] } },
      { name: 'value', required: true, kind: text(300) },
    ],
  },
  'preferences.csv': {
    required: false,
    key: ['customer_id'],
    columns: [
      { name: 'customer_id', required: true, kind: text(64) },
      { name: 'paperless', kind: { t: 'bool' }, default: 'false' },
      { name: 'language', kind: { t: 'enum', values: ['en', 'es'] }, default: 'en' },
    ],
  },
  'control_totals.csv': {
    required: true,
    key: ['name'],
    columns: [
      {
        name: 'name',
        required: true,
        kind: { t: 'enum', values: CONTROL_TOTAL_NAMES },
      },
      { name: 'value', required: true, kind: text(40) },
    ],
  },
} as const satisfies Record<string, { required: boolean; key: readonly string[]; columns: readonly Col[] }>;

export type LegacyFileName = keyof typeof LEGACY_FILES;
export const LEGACY_FILE_NAMES = Object.keys(LEGACY_FILES) as LegacyFileName[];

/** A record: column -> value (money columns as integer cents in `cents`), with its row number. */
export interface Rec {
  row: number;
  v: Record<string, string>;
  cents: Record<string, number>;
}

export interface ControlTotals {
  asOf: string;
  accountCount: number;
  buckets: Buckets;
  creditBalancesCents: number;
}

export interface Buckets {
  current: number;
  days31to60: number;
  days61to90: number;
  over90: number;
}

export interface LegacyData {
  files: Partial<Record<LegacyFileName, Rec[]>>;
  control: ControlTotals | null;
  /** rows per file as read */
  counts: Partial<Record<LegacyFileName, number>>;
}

const MONEY_RE = /^-?\d{1,10}(\.\d{1,2})?$/;
/** "123.4" -> 12340 cents, exactly. */
export function moneyToCents(s: string): number | null {
  if (!MONEY_RE.test(s)) return null;
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const c = Number(i) * 100 + Number(f.padEnd(2, '0'));
  return neg ? -c : c;
}

function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function check(kind: Kind, v: string, tz: string): string | null {
  switch (kind.t) {
    case 'text':
      return v.length > (kind.max ?? 200) ? `is longer than ${kind.max} characters` : null;
    case 'enum':
      return kind.values.includes(v) ? null : `"${v.slice(0, 30)}" is not one of ${kind.values.join(', ')}`;
    case 'date':
      return validDate(v) ? null : `"${v.slice(0, 30)}" is not a date (YYYY-MM-DD)`;
    case 'datetime': {
      const t = parseTimestamp(v, tz);
      return t.ok ? null : t.reason;
    }
    case 'money':
      return moneyToCents(v) === null ? `"${v.slice(0, 30)}" is not an amount like 123.45` : null;
    case 'decimal':
      return /^\d{1,12}(\.\d{1,4})?$/.test(v)
        ? null
        : `"${v.slice(0, 30)}" is not a decimal (up to 4 places)`;
    case 'int':
      return /^\d{1,3}$/.test(v) && Number(v) >= kind.min && Number(v) <= kind.max
        ? null
        : `"${v.slice(0, 30)}" is not a whole number from ${kind.min} to ${kind.max}`;
    case 'bool':
      return ['true', 'false', 'yes', 'no', 'y', 'n', '1', '0'].includes(v.toLowerCase())
        ? null
        : `"${v.slice(0, 30)}" is not true or false`;
    case 'period':
      return /^\d{4}-(0[1-9]|1[0-2])$/.test(v) ? null : `"${v.slice(0, 30)}" is not a period (YYYY-MM)`;
    case 'pattern':
      return kind.re.test(v) ? null : `"${v.slice(0, 30)}" is not ${kind.hint}`;
  }
}

export const asBool = (v: string) => ['true', 'yes', 'y', '1'].includes(v.toLowerCase());

/** An invalid value in one record's column. */
const invalidAt = (issues: Issue[], file: LegacyFileName, r: Rec, column: string, message: string) =>
  issues.push({ file, row: r.row, column, code: 'invalid', message });

/** Parses one file: its rows, and issues for bad rows (which are left out of the rows). */
function parseFile(name: LegacyFileName, body: string, tz: string, issues: Issue[]): Rec[] {
  const spec = LEGACY_FILES[name];
  const out: Rec[] = [];
  let header: string[] | null = null;
  let idx: number[] = [];
  const seen = new Map<string, number>();
  try {
    for (const rec of csvRecords(body)) {
      if (!header) {
        header = rec.fields.map(normHeader);
        idx = spec.columns.map((c) => header!.indexOf(normHeader(c.name)));
        let missing = false;
        spec.columns.forEach((c, i) => {
          if ((c as Col).required && idx[i]! < 0) {
            issues.push({
              file: name,
              row: 1,
              column: c.name,
              code: 'missing_column',
              message: `has no ${c.name} column`,
            });
            missing = true;
          }
        });
        if (missing) return [];
        continue;
      }
      const row = rec.line;
      if (rec.fields.length !== header.length) {
        issues.push({
          file: name,
          row,
          code: 'invalid',
          message: `has ${rec.fields.length} fields; the header has ${header.length}`,
        });
        continue;
      }
      const v: Record<string, string> = {};
      const cents: Record<string, number> = {};
      let bad = false;
      spec.columns.forEach((c0, i) => {
        const c = c0 as Col;
        let val = idx[i]! >= 0 ? (rec.fields[idx[i]!] ?? '').trim() : '';
        if (!val) {
          if (c.required) {
            issues.push({ file: name, row, column: c.name, code: 'invalid', message: 'is blank' });
            bad = true;
            return;
          }
          val = c.default ?? '';
          v[c.name] = val;
          if (!val) return;
        }
        const problem = check(c.kind, val, tz);
        if (problem) {
          issues.push({ file: name, row, column: c.name, code: 'invalid', message: problem });
          bad = true;
          return;
        }
        v[c.name] = c.kind.t === 'decimal' ? decToString(dec(val)) : val;
        if (c.kind.t === 'money') cents[c.name] = moneyToCents(val)!;
      });
      if (bad) continue;
      const key = spec.key.map((k) => (k === 'read_at' ? timeKey(v[k]!, tz) : v[k])).join('|');
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          file: name,
          row,
          column: spec.key.join('+'),
          code: 'duplicate',
          message: `${spec.key.map((k) => v[k]).join(' / ')} is already on row ${first}`,
        });
        continue;
      }
      seen.set(key, row);
      out.push({ row, v, cents });
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    issues.push({ file: name, row: e.line, code: 'invalid', message: e.message });
    return [];
  }
  if (!header)
    issues.push({ file: name, row: 1, code: 'missing_column', message: 'is empty (no header row)' });
  return out;
}

const timeKey = (s: string, tz: string) => {
  const t = parseTimestamp(s, tz);
  return t.ok ? String(t.ms) : s;
};

/** UTC ISO instant of a legacy timestamp (local time in `tz` unless it carries an offset). */
export function legacyInstant(s: string, tz: string): string {
  const t = parseTimestamp(s, tz);
  if (!t.ok) throw new Error(t.reason);
  return new Date(t.ms).toISOString();
}

/**
 * Reads and checks a migration's files. `files` maps file name to its text (absent: not supplied).
 * Returns records for every valid row and every issue found; the data is importable only with no issues.
 */
export function parseLegacy(
  files: Partial<Record<string, string>>,
  tz: string,
): { data: LegacyData; issues: Issue[] } {
  const issues: Issue[] = [];
  const data: LegacyData = { files: {}, control: null, counts: {} };
  for (const name of Object.keys(files)) {
    if (!(name in LEGACY_FILES))
      issues.push({
        file: name,
        code: 'invalid',
        message: `is not a migration file (expected ${LEGACY_FILE_NAMES.join(', ')})`,
      });
  }
  for (const name of LEGACY_FILE_NAMES) {
    const body = files[name];
    if (body === undefined) {
      if (LEGACY_FILES[name].required)
        issues.push({ file: name, code: 'missing_file', message: 'is required and was not found' });
      continue;
    }
    const recs = parseFile(name, body, tz, issues);
    data.files[name] = recs;
    data.counts[name] = recs.length;
  }
  data.control = controlTotals(data.files['control_totals.csv'] ?? [], issues);
  crossCheck(data, issues, tz);
  return { data, issues };
}

function controlTotals(recs: Rec[], issues: Issue[]): ControlTotals | null {
  const m = new Map(recs.map((r) => [r.v.name!, r]));
  let ok = true;
  for (const n of CONTROL_TOTAL_NAMES) {
    if (!m.has(n)) {
      issues.push({
        file: 'control_totals.csv',
        column: 'name',
        code: 'missing_column',
        message: `has no ${n} line`,
      });
      ok = false;
    }
  }
  if (!ok) return null;
  const money = (n: string) => {
    const r = m.get(n)!;
    const c = moneyToCents(r.v.value!);
    if (c === null) {
      invalidAt(issues, 'control_totals.csv', r, 'value', `${n} "${r.v.value}" is not an amount like 123.45`);
      ok = false;
    }
    return c ?? 0;
  };
  const asOf = m.get('as_of')!;
  if (!validDate(asOf.v.value!)) {
    invalidAt(
      issues,
      'control_totals.csv',
      asOf,
      'value',
      `as_of "${asOf.v.value}" is not a date (YYYY-MM-DD)`,
    );
    ok = false;
  }
  const count = m.get('account_count')!;
  if (!/^\d{1,9}$/.test(count.v.value!)) {
    invalidAt(issues, 'control_totals.csv', count, 'value', 'account_count is not a whole number');
    ok = false;
  }
  const c: ControlTotals = {
    asOf: asOf.v.value!,
    accountCount: Number(count.v.value),
    buckets: {
      current: money('ar_current'),
      days31to60: money('ar_31_60'),
      days61to90: money('ar_61_90'),
      over90: money('ar_over_90'),
    },
    creditBalancesCents: money('credit_balances'),
  };
  return ok ? c : null;
}

function crossCheck(d: LegacyData, issues: Issue[], tz: string) {
  const f = d.files;
  const keys = (name: LegacyFileName, col: string) => new Set((f[name] ?? []).map((r) => r.v[col]!));
  const customers = keys('customers.csv', 'customer_id');
  const premises = keys('premises.csv', 'premise_id');
  const sps = new Map((f['service_points.csv'] ?? []).map((r) => [r.v.service_point_id!, r.v.service_type!]));
  const accounts = keys('accounts.csv', 'account_number');
  const meters = keys('meters.csv', 'serial_number');
  const orphan = (file: LegacyFileName, r: Rec, col: string, target: string) =>
    issues.push({
      file,
      row: r.row,
      column: col,
      code: 'orphan',
      message: `${col} ${r.v[col]} is not in ${target}`,
    });
  for (const r of f['accounts.csv'] ?? [])
    if (!customers.has(r.v.customer_id!)) orphan('accounts.csv', r, 'customer_id', 'customers.csv');
  for (const r of f['service_points.csv'] ?? [])
    if (!premises.has(r.v.premise_id!)) orphan('service_points.csv', r, 'premise_id', 'premises.csv');
  for (const r of f['meters.csv'] ?? []) {
    if (r.v.service_point_id) {
      if (!sps.has(r.v.service_point_id)) orphan('meters.csv', r, 'service_point_id', 'service_points.csv');
      if (!r.v.installed_on)
        invalidAt(issues, 'meters.csv', r, 'installed_on', 'is needed when service_point_id is given');
    }
  }
  for (const r of f['service_agreements.csv'] ?? []) {
    if (!accounts.has(r.v.account_number!))
      orphan('service_agreements.csv', r, 'account_number', 'accounts.csv');
    if (!sps.has(r.v.service_point_id!))
      orphan('service_agreements.csv', r, 'service_point_id', 'service_points.csv');
    if (r.v.end_date && r.v.end_date < r.v.start_date!)
      invalidAt(issues, 'service_agreements.csv', r, 'end_date', 'is before start_date');
  }
  const cutover = d.control?.asOf;
  for (const r of f['opening_balances.csv'] ?? []) {
    if (!accounts.has(r.v.account_number!))
      orphan('opening_balances.csv', r, 'account_number', 'accounts.csv');
    if (cutover && r.v.as_of !== cutover)
      invalidAt(
        issues,
        'opening_balances.csv',
        r,
        'as_of',
        `${r.v.as_of} is not the cutover date in control_totals.csv (${cutover})`,
      );
    const c = r.cents;
    const older = [c.days_31_60!, c.days_61_90!, c.days_over_90!];
    if (older.some((x) => x < 0) || (c.current! < 0 && older.some((x) => x !== 0)))
      invalidAt(
        issues,
        'opening_balances.csv',
        r,
        'current',
        'aged buckets must not be negative; a credit balance is written in current alone, with the other buckets 0',
      );
  }
  const history: [LegacyFileName, string][] = [
    ['bills.csv', 'bill_date'],
    ['payments.csv', 'received_on'],
  ];
  for (const [file, col] of history) {
    for (const r of f[file] ?? []) {
      if (!accounts.has(r.v.account_number!)) orphan(file, r, 'account_number', 'accounts.csv');
      if (cutover && r.v[col]! > cutover)
        invalidAt(
          issues,
          file,
          r,
          col,
          `${r.v[col]} is after the cutover (${cutover}): history ends at cutover`,
        );
    }
  }
  for (const r of f['reads.csv'] ?? []) {
    if (!meters.has(r.v.serial_number!)) orphan('reads.csv', r, 'serial_number', 'meters.csv');
    if (cutover && legacyInstant(r.v.read_at!, tz).slice(0, 10) > cutover)
      invalidAt(issues, 'reads.csv', r, 'read_at', `is after the cutover (${cutover})`);
  }
  for (const file of ['contacts.csv', 'preferences.csv'] as const)
    for (const r of f[file] ?? [])
      if (!customers.has(r.v.customer_id!)) orphan(file, r, 'customer_id', 'customers.csv');

  // The opening balances must add up to the legacy system's own aged trial balance before anything is posted.
  if (d.control) {
    const sum = legacyFileTotals(d);
    const c = d.control;
    const cmp: [string, number, number][] = [
      ['ar_current', sum.buckets.current, c.buckets.current],
      ['ar_31_60', sum.buckets.days31to60, c.buckets.days31to60],
      ['ar_61_90', sum.buckets.days61to90, c.buckets.days61to90],
      ['ar_over_90', sum.buckets.over90, c.buckets.over90],
      ['credit_balances', sum.creditBalancesCents, c.creditBalancesCents],
      ['account_count', (f['accounts.csv'] ?? []).length, c.accountCount],
    ];
    for (const [name, got, want] of cmp) {
      if (got !== want)
        issues.push({
          file: 'control_totals.csv',
          column: name,
          code: 'control_total',
          message:
            name === 'account_count'
              ? `accounts.csv has ${got} accounts; the legacy system reports ${want}`
              : `opening_balances.csv adds up to ${fmt(got)}; the legacy system reports ${fmt(want)} (difference ${fmt(got - want)})`,
        });
    }
  }
}

export const fmt = centsToDecimal;

/** What the opening balance file says: owing accounts' buckets, and credit balances (current < 0). */
export function legacyFileTotals(d: LegacyData): { buckets: Buckets; creditBalancesCents: number } {
  const b: Buckets = { current: 0, days31to60: 0, days61to90: 0, over90: 0 };
  let credits = 0;
  for (const r of d.files['opening_balances.csv'] ?? []) {
    const c = r.cents;
    if (c.current! < 0) {
      credits += c.current!;
      continue;
    }
    b.current += c.current!;
    b.days31to60 += c.days_31_60!;
    b.days61to90 += c.days_61_90!;
    b.over90 += c.days_over_90!;
  }
  return { buckets: b, creditBalancesCents: credits };
}

/** Where each opening-balance bucket is dated, so that aging as of the cutover puts it back in its bucket. */
export const BUCKET_AGE_DAYS = { current: 0, days_31_60: 31, days_61_90: 61, days_over_90: 91 } as const;

/**
 * Ages one account's receivable as of a date, the way cisflow's AR aging report does: an owing balance is
 * laid on the account's newest net-debit entries first, each part bucketed by days since the entry
 * (0–30 current, 31–60, 61–90, over 90); a credit balance is not aged.
 */
export function ageReceivable(
  entries: { effectiveOn: string; amountCents: number }[],
  asOf: string,
): { balanceCents: number; buckets: Buckets; creditCents: number } {
  const balance = entries.reduce((s, e) => s + e.amountCents, 0);
  const buckets: Buckets = { current: 0, days31to60: 0, days61to90: 0, over90: 0 };
  if (balance <= 0) return { balanceCents: balance, buckets, creditCents: balance < 0 ? balance : 0 };
  let left = balance;
  const debits = entries
    .filter((e) => e.amountCents > 0)
    .sort((a, b) => (a.effectiveOn < b.effectiveOn ? 1 : -1));
  for (const e of debits) {
    if (left <= 0) break;
    const part = Math.min(left, e.amountCents);
    left -= part;
    const age = daysBetween(e.effectiveOn, asOf);
    if (age <= 30) buckets.current += part;
    else if (age <= 60) buckets.days31to60 += part;
    else if (age <= 90) buckets.days61to90 += part;
    else buckets.over90 += part;
  }
  return { balanceCents: balance, buckets, creditCents: 0 };
}
