// Meter read files -> typed rows, or row errors naming the row, column and reason. Pure: text in, values out.
// Formats: a generic CSV, vendor-style head-end exports (Aclara-, Neptune-, Sensus- and Badger-style CSVs),
// Green Button ESPI XML interval data, an interval CSV (AMI interval exports: one row per meter, channel and
// interval), and the JSON batches head-ends push. Values stay decimal strings.
// Time: a timestamp with an offset ("Z", "-06:00") is taken as written; one without is local time in the
// utility's zone (UTILITY_TIME_ZONE, default UTC); see local-time.ts for the DST rules.
import { type Dec, dec, decConst, decToString } from '../decimal.js';
import { CsvError, csvRecords, normHeader } from './csv.js';
import { parseGreenButton } from './greenbutton.js';
import { parseTimestamp } from './local-time.js';
import { ImportError } from './urdb.js';

export const READ_FORMATS = [
  'generic',
  'aclara',
  'neptune',
  'sensus',
  'badger',
  'greenbutton',
  'interval',
] as const;
export type ReadFormat = (typeof READ_FORMATS)[number];

/** Units a file may state; meters are kept in gal, kgal, ccf, cf, kWh or therm. */
export type ReadUnit = 'gal' | 'kgal' | 'ccf' | 'cf' | 'kWh' | 'Wh' | 'therm';

export interface ParsedRead {
  row: number;
  /** meter serial number as in the file */
  meter: string;
  readAt: string; // UTC ISO
  /** register value (or interval usage) as an exact decimal string, in `unit` (null: the meter's own unit) */
  value: string;
  unit: ReadUnit | null;
  kind: 'register' | 'interval';
  /** interval length, for interval data */
  seconds?: number;
  /** interval data: 0 delivered (from the grid / water used), 1 received (exported to the grid); default 0 */
  channel?: 0 | 1;
  /** interval data: 0 actual, 2 estimated by the head-end or vendor (1 is cisflow's own estimate) */
  quality?: 0 | 2;
  /** register dials the file states (Aclara Description), checked against the meter */
  dials?: number;
  account?: string;
}

export interface RowError {
  row: number;
  column?: string;
  reason: string;
  meter?: string;
}

export interface ParseResult {
  format: ReadFormat;
  rows: ParsedRead[];
  errors: RowError[];
  /** data rows (CSV records after the header; interval readings) */
  total: number;
}

/** A problem with the file as a whole (not CSV, no header, a column missing): nothing can be imported. */
export class ReadFileError extends Error {
  constructor(
    message: string,
    readonly column?: string,
  ) {
    super(message);
    this.name = 'ReadFileError';
  }
}

const UNITS: Record<string, ReadUnit> = {
  gal: 'gal',
  gallon: 'gal',
  gallons: 'gal',
  usgal: 'gal',
  g: 'gal',
  kgal: 'kgal',
  kgallons: 'kgal',
  ccf: 'ccf',
  hcf: 'ccf',
  cf: 'cf',
  cuft: 'cf',
  ft3: 'cf',
  cubicfeet: 'cf',
  kwh: 'kWh',
  wh: 'Wh',
  therm: 'therm',
  therms: 'therm',
};

export function normalizeUnit(u: string): ReadUnit | null {
  return UNITS[u.toLowerCase().replace(/[^a-z0-9]/g, '')] ?? null;
}

// Exact conversions between a file's unit and a meter's unit, as a ratio to a common base.
const BASE: Record<ReadUnit, [string, bigint]> = {
  gal: ['gal', 1n],
  kgal: ['gal', 1000n],
  cf: ['cf', 1n],
  ccf: ['cf', 100n],
  Wh: ['Wh', 1n],
  kWh: ['Wh', 1000n],
  therm: ['therm', 1n],
};

/**
 * Converts an exact decimal between units (cf <-> ccf, gal <-> kgal, Wh <-> kWh). Returns null when the
 * units measure different things, or when the result would need more than 9 fractional digits.
 */
export function convertUnit(value: string, from: ReadUnit, to: ReadUnit): string | null {
  if (from === to) return value;
  const [bf, ff] = BASE[from];
  const [bt, ft] = BASE[to];
  if (bf !== bt) return null;
  const scaled = dec(value) * ff;
  if (scaled % ft !== 0n) return null;
  return decToString((scaled / ft) as Dec);
}

const VALUE_RE = /^\d{1,12}(\.\d{1,9})?$/;

interface Profile {
  /** normalized header names that identify the format */
  signature: string[];
  columns: {
    meter: string;
    value?: string;
    time: string;
    timeExtra?: string;
    unit?: string;
    account?: string;
  };
}

// Column names per vendor style (compared case- and punctuation-insensitively).
const PROFILES: Record<Exclude<ReadFormat, 'aclara' | 'greenbutton' | 'interval'>, Profile> = {
  generic: {
    signature: ['meterserial', 'readat', 'value'],
    columns: {
      meter: 'meter_serial',
      value: 'value',
      time: 'read_at',
      unit: 'unit',
      account: 'account_number',
    },
  },
  neptune: {
    signature: ['meternumber', 'reading', 'readdate', 'readtime'],
    columns: {
      meter: 'Meter Number',
      value: 'Reading',
      time: 'Read Date',
      timeExtra: 'Read Time',
      unit: 'Unit of Measure',
      account: 'Account Number',
    },
  },
  sensus: {
    signature: ['meterid', 'readvalue', 'readtimestamp'],
    columns: {
      meter: 'Meter ID',
      value: 'Read Value',
      time: 'Read Timestamp',
      unit: 'UOM',
      account: 'Account',
    },
  },
  badger: {
    signature: ['meterserialnumber', 'reading', 'readingdate'],
    columns: {
      meter: 'Meter Serial Number',
      value: 'Reading',
      time: 'Reading Date',
      unit: 'Units',
      account: 'Account Number',
    },
  },
};
const ACLARA = ['accountnumber', 'metersn', 'rawread', 'scaledread', 'readingtime', 'scalar', 'description'];
const INTERVAL_COLUMNS = ['meter_serial', 'start_at', 'seconds', 'value'];

/** Guesses the format from the first line (CSV header) or an XML start. */
export function detectFormat(text: string): ReadFormat | null {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return 'greenbutton';
  const first = head.slice(0, Math.max(0, head.indexOf('\n')) || head.length);
  const cols = new Set(first.split(',').map((h) => normHeader(h.replaceAll('"', ''))));
  if (ACLARA.every((c) => cols.has(c))) return 'aclara';
  if (INTERVAL_COLUMNS.every((c) => cols.has(normHeader(c)))) return 'interval';
  for (const f of ['badger', 'neptune', 'sensus', 'generic'] as const) {
    if (PROFILES[f].signature.every((c) => cols.has(c))) return f;
  }
  return null;
}

export interface ParseOptions {
  /** IANA zone for timestamps written without an offset */
  timeZone: string;
  /** Green Button: the meter the file's intervals belong to (default: the MeterReading/UsagePoint title) */
  meter?: string;
}

export function parseReadFile(format: ReadFormat, text: string, opts: ParseOptions): ParseResult {
  if (format === 'greenbutton') return parseGreenButtonReads(text, opts);
  if (format === 'interval') return parseIntervalCsv(text, opts);
  return parseCsvReads(format, text, opts);
}

function columnIndex(header: string[], name: string): number {
  return header.indexOf(normHeader(name));
}

function parseCsvReads(
  format: Exclude<ReadFormat, 'greenbutton' | 'interval'>,
  text: string,
  opts: ParseOptions,
) {
  const rows: ParsedRead[] = [];
  const errors: RowError[] = [];
  let total = 0;
  let header: string[] | null = null;
  const idx: Record<string, number> = {};
  const aclara = format === 'aclara';
  const prof = aclara ? null : PROFILES[format];
  const descriptions = new Map<
    string,
    { dials: number; resolution: string; unit: ReadUnit | null } | string
  >();
  const time = timeParser(opts.timeZone);
  const units = new Map<string, ReadUnit | null>();
  // the current record's fields; `get` reads a named column of it (one function for the whole file)
  let fields: string[] = [];
  const get = (c: string) => {
    const i = idx[c];
    return i === undefined || i < 0 ? '' : (fields[i] ?? '').trim();
  };
  try {
    for (const rec of csvRecords(text)) {
      if (!header) {
        header = rec.fields.map(normHeader);
        const need = aclara
          ? ['AccountNumber', 'MeterSN', 'RawRead', 'ScaledRead', 'ReadingTime', 'Scalar', 'Description']
          : ([prof!.columns.meter, prof!.columns.value!, prof!.columns.time, prof!.columns.timeExtra].filter(
              Boolean,
            ) as string[]);
        for (const c of need) {
          if (columnIndex(header, c) < 0)
            throw new ReadFileError(
              `the header has no ${c} column (a ${format} file needs ${need.join(', ')})`,
              c,
            );
        }
        const optional = aclara ? [] : [prof!.columns.unit, prof!.columns.account].filter(Boolean);
        for (const c of [...need, ...(optional as string[])]) idx[c] = columnIndex(header, c);
        continue;
      }
      total++;
      const f = rec.fields;
      const row = rec.line;
      fields = f;
      if (f.length !== header.length) {
        errors.push({ row, reason: `has ${f.length} fields; the header has ${header.length}` });
        continue;
      }
      if (aclara) {
        const r = aclaraRow(row, get, time, descriptions);
        if ('reason' in r) errors.push(r);
        else rows.push(r);
        continue;
      }
      const c = prof!.columns;
      const meter = get(c.meter);
      if (!meter) {
        errors.push({ row, column: c.meter, reason: 'is blank' });
        continue;
      }
      const value = get(c.value!);
      if (!VALUE_RE.test(value)) {
        errors.push({
          row,
          column: c.value!,
          meter,
          reason: `"${value.slice(0, 30)}" is not a non-negative decimal (up to 12 digits, 9 decimals)`,
        });
        continue;
      }
      const t = time(get(c.time), c.timeExtra ? get(c.timeExtra) : undefined);
      if (!t.ok) {
        errors.push({ row, column: c.time, meter, reason: t.reason });
        continue;
      }
      let unit: ReadUnit | null = null;
      const u = c.unit ? get(c.unit) : '';
      if (u) {
        unit = units.get(u) ?? null;
        if (!units.has(u)) {
          unit = normalizeUnit(u);
          units.set(u, unit);
        }
        if (!unit) {
          errors.push({ row, column: c.unit, meter, reason: `unit "${u.slice(0, 20)}" is not known` });
          continue;
        }
      }
      const account = c.account ? get(c.account) : '';
      const read: ParsedRead = {
        row,
        meter,
        readAt: t.iso,
        value: normalizeDecimal(value),
        unit,
        kind: 'register',
      };
      if (account) read.account = account;
      rows.push(read);
    }
  } catch (e) {
    if (e instanceof CsvError) throw new ReadFileError(e.message);
    throw e;
  }
  if (!header) throw new ReadFileError('the file is empty (no header row)');
  return { format, rows, errors, total };
}

const CHANNELS: Record<string, 0 | 1> = { '': 0, '0': 0, delivered: 0, '1': 1, received: 1 };
const QUALITIES: Record<string, 0 | 2> = { '': 0, '0': 0, actual: 0, a: 0, '2': 2, estimated: 2, e: 2 };

/**
 * Interval CSV: meter_serial, start_at, seconds, value, and optionally unit, channel (0 or "delivered", 1 or
 * "received") and quality (0/"actual", 2/"estimated": the head-end's estimate). One row per interval.
 */
function parseIntervalCsv(text: string, opts: ParseOptions): ParseResult {
  const rows: ParsedRead[] = [];
  const errors: RowError[] = [];
  let total = 0;
  let header: string[] | null = null;
  let ix = { meter: -1, start: -1, seconds: -1, value: -1, unit: -1, channel: -1, quality: -1 };
  const time = timeParser(opts.timeZone);
  const units = new Map<string, ReadUnit | null>();
  try {
    for (const rec of csvRecords(text)) {
      const f = rec.fields;
      if (!header) {
        header = f.map(normHeader);
        for (const c of INTERVAL_COLUMNS)
          if (columnIndex(header, c) < 0)
            throw new ReadFileError(
              `the header has no ${c} column (an interval file needs ${INTERVAL_COLUMNS.join(', ')})`,
              c,
            );
        const at = (c: string) => columnIndex(header!, c);
        ix = {
          meter: at('meter_serial'),
          start: at('start_at'),
          seconds: at('seconds'),
          value: at('value'),
          unit: at('unit'),
          channel: at('channel'),
          quality: at('quality'),
        };
        continue;
      }
      total++;
      const row = rec.line;
      if (f.length !== header.length) {
        errors.push({ row, reason: `has ${f.length} fields; the header has ${header.length}` });
        continue;
      }
      const get = (i: number) => (i < 0 ? '' : f[i]!.trim());
      const meter = get(ix.meter);
      if (!meter) {
        errors.push({ row, column: 'meter_serial', reason: 'is blank' });
        continue;
      }
      const value = get(ix.value);
      if (!VALUE_RE.test(value)) {
        errors.push({
          row,
          column: 'value',
          meter,
          reason: `"${value.slice(0, 30)}" is not a non-negative decimal (up to 12 digits, 9 decimals)`,
        });
        continue;
      }
      const secs = get(ix.seconds);
      if (!/^\d{1,6}$/.test(secs) || Number(secs) === 0) {
        errors.push({
          row,
          column: 'seconds',
          meter,
          reason: 'must be a whole number of seconds, 1 to 999999',
        });
        continue;
      }
      const t = time(get(ix.start));
      if (!t.ok) {
        errors.push({ row, column: 'start_at', meter, reason: t.reason });
        continue;
      }
      const channel = CHANNELS[get(ix.channel).toLowerCase()];
      if (channel === undefined) {
        errors.push({ row, column: 'channel', meter, reason: 'must be 0 (delivered) or 1 (received)' });
        continue;
      }
      const quality = QUALITIES[get(ix.quality).toLowerCase()];
      if (quality === undefined) {
        errors.push({ row, column: 'quality', meter, reason: 'must be actual (0) or estimated (2)' });
        continue;
      }
      let unit: ReadUnit | null = null;
      const u = get(ix.unit);
      if (u) {
        if (!units.has(u)) units.set(u, normalizeUnit(u));
        unit = units.get(u) ?? null;
        if (!unit) {
          errors.push({ row, column: 'unit', meter, reason: `unit "${u.slice(0, 20)}" is not known` });
          continue;
        }
      }
      rows.push({
        row,
        meter,
        readAt: t.iso,
        value: normalizeDecimal(value),
        unit,
        kind: 'interval',
        seconds: Number(secs),
        channel,
        quality,
      });
    }
  } catch (e) {
    if (e instanceof CsvError) throw new ReadFileError(e.message);
    throw e;
  }
  if (!header) throw new ReadFileError('the file is empty (no header row)');
  return { format: 'interval', rows, errors, total };
}

/** "0012.50" -> "12.5": one spelling per value, so equal reads compare equal. (Input already checked.) */
function normalizeDecimal(v: string): string {
  const dot = v.indexOf('.');
  let int = dot < 0 ? v : v.slice(0, dot);
  let frac = dot < 0 ? '' : v.slice(dot + 1);
  if (int.length > 1 && int.charCodeAt(0) === 48) int = int.replace(/^0+(?=\d)/, '');
  if (frac && frac.charCodeAt(frac.length - 1) === 48) frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

type TimeResult = { ok: true; iso: string } | { ok: false; reason: string };

/** Timestamps repeat down a file (one read time for many meters): parse each distinct one once. */
function timeParser(tz: string): (text: string, extra?: string) => TimeResult {
  const cache = new Map<string, TimeResult>();
  return (text, extra) => {
    const key = extra === undefined ? text : `${text}\u0000${extra}`;
    let r = cache.get(key);
    if (!r) {
      const t = parseTimestamp(text, tz, extra);
      r = t.ok ? { ok: true, iso: new Date(t.ms).toISOString() } : t;
      if (cache.size > 200_000) cache.clear();
      cache.set(key, r);
    }
    return r;
  };
}

const DESC_RE = /^(\d{1,2})\s*D\s+(\d{1,12}(?:\.\d{1,9})?)\s*([A-Za-z][A-Za-z0-9 ]*)?$/i;

/** Aclara-style Description, e.g. "9D 0.001CuFt": 9 dials, each count is 0.001 cubic feet. */
export function parseAclaraDescription(
  d: string,
): { dials: number; resolution: string; unit: ReadUnit | null } | string {
  const m = DESC_RE.exec(d.trim());
  if (!m) return `"${d.slice(0, 30)}" is not like "9D 0.001CuFt" (dials, resolution and unit)`;
  const dials = Number(m[1]);
  if (dials < 1 || dials > 12) return `${dials} dials is out of range (1 to 12)`;
  const unitText = (m[3] ?? '').trim();
  const unit = unitText ? normalizeUnit(unitText) : null;
  if (unitText && !unit) return `unit "${unitText.slice(0, 20)}" is not known`;
  if (dec(m[2]!) === 0n) return 'the resolution is zero';
  return { dials, resolution: m[2]!, unit };
}

function aclaraRow(
  row: number,
  get: (c: string) => string,
  time: (text: string) => TimeResult,
  cache: Map<string, ReturnType<typeof parseAclaraDescription>>,
): ParsedRead | RowError {
  const meter = get('MeterSN');
  if (!meter) return { row, column: 'MeterSN', reason: 'is blank' };
  const descText = get('Description');
  const scalar = get('Scalar');
  let desc: Exclude<ReturnType<typeof parseAclaraDescription>, string> | undefined;
  if (descText) {
    let d = cache.get(descText);
    if (d === undefined) {
      d = parseAclaraDescription(descText);
      cache.set(descText, d);
    }
    if (typeof d === 'string') return { row, column: 'Description', meter, reason: d };
    desc = d;
  }
  const resolution = desc?.resolution ?? scalar;
  if (!resolution || !VALUE_RE.test(resolution) || decConst(resolution) === 0n)
    return {
      row,
      column: 'Scalar',
      meter,
      reason: 'no resolution: give a Description like "9D 0.001CuFt" or a Scalar',
    };
  if (desc && scalar && VALUE_RE.test(scalar) && dec(scalar) !== dec(desc.resolution))
    return {
      row,
      column: 'Scalar',
      meter,
      reason: `Scalar ${scalar} disagrees with the Description's resolution ${desc.resolution}`,
    };
  const raw = get('RawRead');
  const scaled = get('ScaledRead');
  let value: string;
  if (raw) {
    if (!/^\d{1,15}$/.test(raw))
      return { row, column: 'RawRead', meter, reason: `"${raw.slice(0, 30)}" is not a whole number` };
    if (desc && raw.replace(/^0+(?=\d)/, '').length > desc.dials)
      return {
        row,
        column: 'RawRead',
        meter,
        reason: `${raw} has more digits than the register's ${desc.dials} dials`,
      };
    // exact: an integer count times the resolution
    const v = BigInt(raw) * decConst(resolution);
    if (v > dec('999999999999'))
      return { row, column: 'RawRead', meter, reason: 'the scaled value is too large' };
    value = decToString(v as Dec);
    if (scaled) {
      if (!VALUE_RE.test(scaled))
        return { row, column: 'ScaledRead', meter, reason: `"${scaled.slice(0, 30)}" is not a decimal` };
      if (normalizeDecimal(scaled) !== value)
        return {
          row,
          column: 'ScaledRead',
          meter,
          reason: `ScaledRead ${scaled} is not RawRead ${raw} × ${resolution} (= ${value})`,
        };
    }
  } else if (scaled) {
    if (!VALUE_RE.test(scaled))
      return { row, column: 'ScaledRead', meter, reason: `"${scaled.slice(0, 30)}" is not a decimal` };
    value = normalizeDecimal(scaled);
  } else {
    return { row, column: 'RawRead', meter, reason: 'RawRead and ScaledRead are both blank' };
  }
  const t = time(get('ReadingTime'));
  if (!t.ok) return { row, column: 'ReadingTime', meter, reason: t.reason };
  const account = get('AccountNumber');
  return {
    row,
    meter,
    readAt: t.iso,
    value,
    unit: desc ? desc.unit : null,
    kind: 'register',
    ...(desc ? { dials: desc.dials } : {}),
    ...(account ? { account } : {}),
  };
}

const GB_UNITS: Record<string, ReadUnit> = { Wh: 'Wh', ft3: 'cf', gal: 'gal', therm: 'therm' };

/**
 * Green Button interval data: every IntervalReading is a row (numbered from 1 in time order per meter
 * reading). The meter is `opts.meter`, else the MeterReading's title, else the UsagePoint's title, as a serial.
 */
function parseGreenButtonReads(text: string, opts: ParseOptions): ParseResult {
  let parsed: ReturnType<typeof parseGreenButton>;
  try {
    parsed = parseGreenButton(text);
  } catch (e) {
    if (e instanceof ImportError) throw new ReadFileError(e.message);
    throw e;
  }
  const rows: ParsedRead[] = [];
  const errors: RowError[] = [];
  let n = 0;
  for (const up of parsed.usagePoints) {
    for (const mr of up.meterReadings) {
      const meter = opts.meter ?? (mr.title || up.title);
      const unit = GB_UNITS[mr.unit] ?? null;
      // ESPI flowDirection 19 is energy received from the customer (export); 1 or none, delivered
      const channel = mr.flowDirection === 19 ? 1 : 0;
      for (const iv of mr.intervals) {
        n++;
        if (!meter) {
          errors.push({ row: n, column: 'MeterReading', reason: 'names no meter (give the meter serial)' });
          continue;
        }
        if (mr.flowDirection !== undefined && mr.flowDirection !== 1 && mr.flowDirection !== 19) {
          errors.push({
            row: n,
            column: 'ReadingType.flowDirection',
            meter,
            reason: `flowDirection ${mr.flowDirection} is neither delivered (1) nor received (19)`,
          });
          continue;
        }
        if (!unit) {
          errors.push({
            row: n,
            column: 'ReadingType.uom',
            meter,
            reason: `unit ${mr.unit} has no cisflow meter unit`,
          });
          continue;
        }
        if (!Number.isInteger(iv.minutes * 60) || iv.minutes <= 0) {
          errors.push({
            row: n,
            column: 'timePeriod.duration',
            meter,
            reason: 'must be a positive number of seconds',
          });
          continue;
        }
        if (iv.value.startsWith('-')) {
          errors.push({ row: n, column: 'value', meter, reason: `${iv.value} is negative` });
          continue;
        }
        if (Number.isNaN(Date.parse(iv.start))) {
          errors.push({ row: n, column: 'timePeriod.start', meter, reason: 'is not a time' });
          continue;
        }
        rows.push({
          row: n,
          meter,
          readAt: iv.start,
          value: iv.value,
          unit,
          kind: 'interval',
          seconds: Math.round(iv.minutes * 60),
          channel,
        });
      }
    }
  }
  if (n === 0) throw new ReadFileError('the Green Button file has no interval readings');
  return { format: 'greenbutton', rows, errors, total: n };
}

export interface PushBatch {
  batchId: string;
  rows: ParsedRead[];
  errors: RowError[];
  total: number;
}

/**
 * A head-end's pushed batch: {"batchId": "...", "reads": [{"meter", "readAt", "value", "unit"?}]}.
 * Timestamps must carry an offset (a head-end knows its clock); rows are numbered from 1.
 */
export function parsePushBatch(body: unknown, maxReads = 50_000): PushBatch {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ReadFileError('the body must be a JSON object with batchId and reads');
  const b = body as { batchId?: unknown; reads?: unknown };
  if (typeof b.batchId !== 'string' || !/^[\w.:-]{1,100}$/.test(b.batchId))
    throw new ReadFileError('batchId must be 1 to 100 letters, digits or . _ : -', 'batchId');
  if (!Array.isArray(b.reads) || b.reads.length === 0)
    throw new ReadFileError('reads must be a non-empty array', 'reads');
  if (b.reads.length > maxReads)
    throw new ReadFileError(`a batch may hold at most ${maxReads} reads (got ${b.reads.length})`, 'reads');
  const rows: ParsedRead[] = [];
  const errors: RowError[] = [];
  b.reads.forEach((r: unknown, i: number) => {
    const row = i + 1;
    if (!r || typeof r !== 'object' || Array.isArray(r)) {
      errors.push({ row, reason: 'is not an object' });
      return;
    }
    const x = r as Record<string, unknown>;
    const meter = typeof x.meter === 'string' ? x.meter.trim() : '';
    if (!meter || meter.length > 64) {
      errors.push({ row, column: 'meter', reason: 'must be the meter serial (1 to 64 characters)' });
      return;
    }
    const value = typeof x.value === 'string' ? x.value.trim() : '';
    if (!VALUE_RE.test(value)) {
      errors.push({
        row,
        column: 'value',
        meter,
        reason: 'must be a decimal string like "1234.5" (numbers are refused: no binary floats)',
      });
      return;
    }
    const readAt = typeof x.readAt === 'string' ? x.readAt : '';
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(readAt)) {
      errors.push({
        row,
        column: 'readAt',
        meter,
        reason: 'must be an ISO 8601 time with an offset, e.g. 2026-11-02T06:00:00Z',
      });
      return;
    }
    const t = parseTimestamp(readAt, 'UTC');
    if (!t.ok) {
      errors.push({ row, column: 'readAt', meter, reason: t.reason });
      return;
    }
    let unit: ReadUnit | null = null;
    if (x.unit !== undefined) {
      unit = typeof x.unit === 'string' ? normalizeUnit(x.unit) : null;
      if (!unit) {
        errors.push({ row, column: 'unit', meter, reason: 'is not a known unit' });
        return;
      }
    }
    rows.push({
      row,
      meter,
      readAt: new Date(t.ms).toISOString(),
      value: normalizeDecimal(value),
      unit,
      kind: 'register',
    });
  });
  return { batchId: b.batchId, rows, errors, total: b.reads.length };
}
