// The meter-data and migration parsers on their own: exact values, time zones, vendor columns, and fast-check
// fuzzing: whatever the input, a parser returns typed rows and row errors (or one clear file-level error),
// never crashes, and accounts for every row.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec, decToString } from '../../domain/decimal.js';
import { CsvError, csvField, csvRecords } from '../../domain/import/csv.js';
import { buildGreenButtonXml, type MeterUnit } from '../../domain/import/greenbutton-export.js';
import { ageReceivable, LEGACY_FILE_NAMES, moneyToCents, parseLegacy } from '../../domain/import/legacy.js';
import { localToUtcMs, parseTimestamp } from '../../domain/import/local-time.js';
import {
  convertUnit,
  detectFormat,
  parseAclaraDescription,
  parsePushBatch,
  parseReadFile,
  READ_FORMATS,
  ReadFileError,
} from '../../domain/import/meter-reads.js';
import { FIXTURES } from '../support/fixtures.js';

const GB01 = readFileSync(path.join(FIXTURES, 'greenbutton/test_usage_data_01.xml'), 'utf8');

describe('CSV records', () => {
  it('reads quoted fields, doubled quotes, CRLF and line breaks inside quotes, numbering rows by line', () => {
    const recs = [...csvRecords('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\nlast,\n')];
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', 'z'] },
      { line: 6, fields: ['last', ''] },
    ]);
    expect(() => [...csvRecords('a,b\n"open,b\n')]).toThrow(CsvError);
  });

  it('fuzz: any rows written with csvField read back the same', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\n', '\r', ' ', 'é'),
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { maxLength: 20 }),
        fc.boolean(),
        (rows, crlf) => {
          const text = rows.map((r) => r.map(csvField).join(',')).join(crlf ? '\r\n' : '\n');
          expect([...csvRecords(text)].map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });

  it('fuzz: arbitrary text yields records or a CsvError, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ') }), (t) => {
        try {
          for (const r of csvRecords(t)) expect(r.line).toBeGreaterThanOrEqual(1);
        } catch (e) {
          expect(e).toBeInstanceOf(CsvError);
        }
      }),
    );
  });
});

describe('time zones', () => {
  it('local times follow the zone, DST included; a repeated hour is the first one; a skipped hour is an error', () => {
    const at = (s: string, tz: string) => {
      const t = parseTimestamp(s, tz);
      return t.ok ? new Date(t.ms).toISOString() : t.reason;
    };
    expect(at('2026-07-01 12:00', 'America/Chicago')).toBe('2026-07-01T17:00:00.000Z');
    expect(at('2026-01-01 12:00', 'America/Chicago')).toBe('2026-01-01T18:00:00.000Z');
    expect(at('2026-11-01 01:30', 'America/Chicago')).toBe('2026-11-01T06:30:00.000Z'); // first 01:30 (CDT)
    expect(at('2026-03-08 02:30', 'America/Chicago')).toMatch(/does not exist in America\/Chicago/);
    expect(at('2026-03-08T02:30:00-06:00', 'America/Chicago')).toBe('2026-03-08T08:30:00.000Z'); // offset wins
    expect(at('03/08/2026 3:05 PM', 'UTC')).toBe('2026-03-08T15:05:00.000Z');
    expect(at('02/29/2026', 'UTC')).toMatch(/day out of range/);
    expect(at('12:00 tomorrow', 'UTC')).toMatch(/not a date/);
  });

  it('fuzz: converting an instant to local fields and back gives the instant (or the earlier of a repeated hour)', () => {
    const zones = ['America/Chicago', 'America/Los_Angeles', 'Europe/London', 'Australia/Lord_Howe', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (t0, tz) => {
          const t = Math.floor(t0 / 60_000) * 60_000;
          const p = Object.fromEntries(
            new Intl.DateTimeFormat('en-US', {
              timeZone: tz,
              hourCycle: 'h23',
              year: 'numeric',
              month: 'numeric',
              day: 'numeric',
              hour: 'numeric',
              minute: 'numeric',
            })
              .formatToParts(new Date(t))
              .map((x) => [x.type, Number(x.value)]),
          );
          const back = localToUtcMs(tz, p.year!, p.month!, p.day!, p.hour!, p.minute!, 0);
          expect(back).not.toBeNull();
          expect(back!).toBeLessThanOrEqual(t);
          expect(t - back!).toBeLessThanOrEqual(2 * 3_600_000);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('read files', () => {
  it('detects formats from their headers', () => {
    expect(detectFormat('meter_serial,read_at,value\n')).toBe('generic');
    expect(detectFormat('AccountNumber,MeterSN,RawRead,ScaledRead,ReadingTime,Scalar,Description\n')).toBe(
      'aclara',
    );
    expect(detectFormat('Account Number,Meter Number,Reading,Read Date,Read Time\n')).toBe('neptune');
    expect(detectFormat('Meter ID,Read Value,Read Timestamp\n')).toBe('sensus');
    expect(detectFormat('Meter Serial Number,Reading,Reading Date\n')).toBe('badger');
    expect(detectFormat('<?xml version="1.0"?><feed/>')).toBe('greenbutton');
    expect(detectFormat('date,kwh\n')).toBeNull();
  });

  it('Aclara Description: dials, resolution and unit', () => {
    expect(parseAclaraDescription('9D 0.001CuFt')).toEqual({ dials: 9, resolution: '0.001', unit: 'cf' });
    expect(parseAclaraDescription('6D 1 Gal')).toEqual({ dials: 6, resolution: '1', unit: 'gal' });
    expect(parseAclaraDescription('8D 0.01CCF')).toEqual({ dials: 8, resolution: '0.01', unit: 'ccf' });
    expect(parseAclaraDescription('9D 0.001Furlongs')).toMatch(/not known/);
    expect(parseAclaraDescription('0.001CuFt')).toMatch(/not like/);
  });

  it('Aclara rows: value = RawRead x resolution, exactly; disagreements named by column', () => {
    const csv = [
      'AccountNumber,MeterSN,RawRead,ScaledRead,ReadingTime,Scalar,Description',
      'A1,M1,999999999,999999.999,2026-10-01 06:00,0.001,9D 0.001CuFt',
      'A1,M2,123,,2026-10-01 06:00,0.5,',
      'A1,M3,1234567890,,2026-10-01 06:00,0.001,9D 0.001CuFt',
      'A1,M4,100,0.1,2026-10-01 06:00,0.01,9D 0.001CuFt',
    ].join('\n');
    const r = parseReadFile('aclara', csv, { timeZone: 'UTC' });
    expect(r.rows.map((x) => [x.meter, x.value, x.unit, x.dials])).toEqual([
      ['M1', '999999.999', 'cf', 9],
      ['M2', '61.5', null, undefined],
    ]);
    expect(r.errors).toEqual([
      expect.objectContaining({
        row: 4,
        column: 'RawRead',
        reason: expect.stringMatching(/more digits than the register's 9 dials/),
      }),
      expect.objectContaining({ row: 5, column: 'Scalar', reason: expect.stringMatching(/disagrees/) }),
    ]);
  });

  it('reads Green Button interval data from the public fixture, values exact', () => {
    const r = parseReadFile('greenbutton', GB01, { timeZone: 'UTC', meter: 'M-1' });
    expect(r.total).toBe(96);
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({
      meter: 'M-1',
      readAt: '2012-03-01T05:00:00.000Z',
      seconds: 900,
      unit: 'Wh',
      kind: 'interval',
    });
    expect(r.rows.every((x) => /^\d+$/.test(x.value))).toBe(true);
    // without a meter named, the MeterReading title is taken as the serial
    expect(parseReadFile('greenbutton', GB01, { timeZone: 'UTC' }).rows[0]!.meter).toBe(
      'Fifteen Minute Electricity Consumption',
    );
  });

  it('converts units exactly or not at all', () => {
    expect(convertUnit('120450', 'cf', 'ccf')).toBe('1204.5');
    expect(convertUnit('1.6', 'kgal', 'gal')).toBe('1600');
    expect(convertUnit('1001750', 'Wh', 'kWh')).toBe('1001.75');
    expect(convertUnit('0.000000001', 'gal', 'kgal')).toBeNull(); // would need 12 decimals
    expect(convertUnit('1', 'gal', 'ccf')).toBeNull(); // gallons are not cubic feet exactly
  });

  const safely = <T>(f: () => T): T | ReadFileError => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ReadFileError) return e;
      throw e;
    }
  };

  it('fuzz: every CSV format accounts for every row, with a row number, or rejects the file with a reason', () => {
    const cell = fc.oneof(
      fc.constantFrom(
        'M1',
        'M2',
        '',
        '12.5',
        '-3',
        '1e5',
        '0012.50',
        '99999999999999',
        'CuFt',
        'ccf',
        '9D 0.001CuFt',
        '6D 1Gal',
        'x',
      ),
      fc.constantFrom(
        '2026-10-01 06:00',
        '2026-10-01T06:00:00Z',
        '10/01/2026 6:00 PM',
        '2026-03-08 02:30',
        '2026-02-30 01:00',
        '06:15',
      ),
      fc.string({ maxLength: 6 }),
    );
    const headers: Record<string, string[]> = {
      generic: ['meter_serial', 'read_at', 'value', 'unit'],
      aclara: ['AccountNumber', 'MeterSN', 'RawRead', 'ScaledRead', 'ReadingTime', 'Scalar', 'Description'],
      neptune: ['Meter Number', 'Reading', 'Read Date', 'Read Time', 'Unit of Measure'],
      sensus: ['Meter ID', 'Read Value', 'Read Timestamp', 'UOM'],
      badger: ['Meter Serial Number', 'Reading', 'Reading Date', 'Units'],
    };
    for (const format of ['generic', 'aclara', 'neptune', 'sensus', 'badger'] as const) {
      fc.assert(
        fc.property(
          fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { maxLength: 15 }),
          fc.boolean(),
          (rows, withHeader) => {
            const text = [
              ...(withHeader ? [headers[format]!.join(',')] : []),
              ...rows.map((r) => r.map(csvField).join(',')),
            ].join('\n');
            const r = safely(() => parseReadFile(format, text, { timeZone: 'America/Chicago' }));
            if (r instanceof ReadFileError) {
              expect(r.message.length).toBeGreaterThan(5);
              return;
            }
            expect(r.rows.length + r.errors.length).toBe(r.total);
            for (const e of r.errors) {
              expect(e.row).toBeGreaterThanOrEqual(2);
              expect(e.reason.length).toBeGreaterThan(2);
            }
            for (const x of r.rows) {
              expect(x.value).toBe(decToString(dec(x.value))); // one exact spelling
              expect(Number.isNaN(Date.parse(x.readAt))).toBe(false);
            }
          },
        ),
        { numRuns: 150 },
      );
    }
  });

  it('fuzz: valid generic rows keep their exact values', () => {
    const value = fc
      .tuple(
        fc.bigInt({ min: 0n, max: 999_999_999_999n }),
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 4 }),
      )
      .map(([i, f, d]) => (d === 0 ? `${i}` : `${i}.${String(f).padStart(4, '0').slice(0, d)}`));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 30 }), (values) => {
        const text = [
          'meter_serial,read_at,value',
          ...values.map((v, i) => `M${i},2026-10-01T00:00:00Z,${v}`),
        ].join('\n');
        const r = parseReadFile('generic', text, { timeZone: 'UTC' });
        expect(r.errors).toEqual([]);
        expect(r.rows.map((x) => dec(x.value))).toEqual(values.map((v) => dec(v)));
      }),
    );
  });

  it('fuzz: Green Button input, damaged or not, gives rows or a clear file error', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: GB01.length }),
        fc.nat({ max: GB01.length }),
        fc.string({ maxLength: 5 }),
        (cut, at, junk) => {
          const text =
            GB01.slice(0, cut) + (cut % 3 === 0 ? junk + GB01.slice(Math.min(at, GB01.length)) : '');
          const r = safely(() => parseReadFile('greenbutton', text, { timeZone: 'UTC', meter: 'M' }));
          if (r instanceof ReadFileError) expect(r.message.length).toBeGreaterThan(5);
          else expect(r.rows.length + r.errors.length).toBe(r.total);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fuzz: pushed batches of any JSON shape are rows, row errors or a clear error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            batchId: fc.oneof(fc.string(), fc.constant('b-1')),
            reads: fc.array(
              fc.oneof(
                fc.jsonValue(),
                fc.record({
                  meter: fc.oneof(fc.string(), fc.constant('M1')),
                  readAt: fc.oneof(
                    fc.string(),
                    fc.constant('2026-10-01T00:00:00Z'),
                    fc.constant('2026-10-01T00:00:00'),
                  ),
                  value: fc.oneof(fc.string(), fc.double(), fc.constant('12.5')),
                }),
              ),
              { maxLength: 10 },
            ),
          }),
        ),
        (body) => {
          const r = safely(() => parsePushBatch(body));
          if (r instanceof ReadFileError) return;
          expect(r.rows.length + r.errors.length).toBe(r.total);
          for (const x of r.rows) expect(x.readAt).toMatch(/Z$/);
        },
      ),
    );
    expect(
      () =>
        parsePushBatch({ batchId: 'b', reads: [{ meter: 'M', readAt: '2026-10-01T00:00:00Z', value: 1.5 }] })
          .errors[0],
    ).not.toThrow();
    expect(
      parsePushBatch({ batchId: 'b', reads: [{ meter: 'M', readAt: '2026-10-01T00:00:00Z', value: 1.5 }] })
        .errors[0],
    ).toMatchObject({
      column: 'value',
      reason: expect.stringMatching(/no binary floats/),
    });
  });
});

describe('Green Button export', () => {
  it('fuzz: whatever the values and units, the export parses back to the same values exactly', () => {
    const unit = fc.constantFrom<MeterUnit>('gal', 'kgal', 'ccf', 'cf', 'kWh', 'therm');
    const value = fc
      .tuple(
        fc.integer({ min: 0, max: 99_999 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 6 }),
      )
      .map(([i, f, d]) => (d === 0 ? `${i}` : `${i}.${String(f).padStart(6, '0').slice(0, d)}`));
    fc.assert(
      fc.property(
        unit,
        fc.array(value, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(900, 3600, 86_400),
        (u, values, seconds) => {
          const t0 = Date.UTC(2026, 0, 1, 5);
          const xml = buildGreenButtonXml({
            servicePointId: 'sp_X',
            serviceType: u === 'kWh' ? 'electric' : u === 'therm' ? 'gas' : 'water',
            title: 'Water & "sewer" <test>',
            tzOffsetSeconds: -21_600,
            updatedMs: t0,
            meters: [
              {
                serial: 'SER-1',
                unit: u,
                intervals: values.map((v, i) => ({ startMs: t0 + i * seconds * 1000, seconds, value: v })),
              },
            ],
          });
          const r = parseReadFile('greenbutton', xml, { timeZone: 'UTC' });
          expect(r.errors).toEqual([]);
          expect(r.rows.map((x) => x.meter)).toEqual(values.map(() => 'SER-1'));
          expect(r.rows.map((x) => dec(convertUnit(x.value, x.unit!, u)!))).toEqual(
            values.map((v) => dec(v)),
          );
          expect(r.rows.map((x) => x.seconds)).toEqual(values.map(() => seconds));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('legacy migration files', () => {
  it('money is parsed to cents exactly', () => {
    expect(moneyToCents('1234.5')).toBe(123450);
    expect(moneyToCents('-0.07')).toBe(-7);
    expect(moneyToCents('0.1')).toBe(10);
    expect(moneyToCents('1.234')).toBeNull();
    expect(moneyToCents('1,234.00')).toBeNull();
  });

  it('ages a receivable like the AR aging report: the balance laid on the newest debits', () => {
    const asOf = '2026-09-30';
    const r = ageReceivable(
      [
        { effectiveOn: '2026-05-01', amountCents: 10_000 }, // 152 days
        { effectiveOn: '2026-08-15', amountCents: 5_000 }, // 46 days
        { effectiveOn: '2026-09-20', amountCents: 3_000 }, // 10 days
        { effectiveOn: '2026-09-25', amountCents: -9_000 }, // a payment
      ],
      asOf,
    );
    expect(r).toEqual({
      balanceCents: 9_000,
      buckets: { current: 3_000, days31to60: 5_000, days61to90: 0, over90: 1_000 },
      creditCents: 0,
    });
    expect(ageReceivable([{ effectiveOn: asOf, amountCents: -500 }], asOf)).toMatchObject({
      creditCents: -500,
      buckets: { current: 0 },
    });
  });

  it('fuzz: any files give records and issues (file, row, column), never a crash', () => {
    const names = fc.constantFrom(...LEGACY_FILE_NAMES, 'other.csv');
    const body = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '-', '.', ' '), maxLength: 60 }),
      fc.constant('customer_id,name\nC1,Ann\nC1,Bob\n'),
      fc.constant('account_number,customer_id\n100,C1\n200,C9\n'),
      fc.constant('name,value\nas_of,2026-09-30\naccount_count,2\nar_current,1.00\n'),
    );
    fc.assert(
      fc.property(fc.dictionary(names, body, { maxKeys: 6 }), (files) => {
        const { data, issues } = parseLegacy(files, 'UTC');
        for (const i of issues) {
          expect(i.message.length).toBeGreaterThan(3);
          if (i.row !== undefined) expect(i.row).toBeGreaterThanOrEqual(1);
        }
        for (const recs of Object.values(data.files))
          for (const r of recs ?? []) expect(r.row).toBeGreaterThanOrEqual(2);
        // missing required files are always named
        if (!('customers.csv' in files))
          expect(issues.some((i) => i.file === 'customers.csv' && i.code === 'missing_file')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the documented sample read files parse cleanly', () => {
    const dir = path.resolve('docs/samples/reads');
    for (const f of ['generic', 'aclara', 'neptune', 'sensus', 'badger']) {
      const text = readFileSync(path.join(dir, `${f}.csv`), 'utf8');
      expect(detectFormat(text)).toBe(f);
      const r = parseReadFile(f as 'generic', text, { timeZone: 'America/Los_Angeles' });
      expect(r.errors, f).toEqual([]);
      expect(r.rows.length).toBe(r.total);
    }
    const push = parsePushBatch(JSON.parse(readFileSync(path.join(dir, 'push-batch.json'), 'utf8')));
    expect(push.errors).toEqual([]);
    expect(push.rows.map((x) => [x.meter, x.value, x.unit])).toEqual([
      ['W1001', '1402.1', 'ccf'],
      ['E2001', '63410000', 'Wh'],
    ]);
  });

  it('every format name is documented in READ_FORMATS', () => {
    expect(READ_FORMATS).toEqual([
      'generic',
      'aclara',
      'neptune',
      'sensus',
      'badger',
      'greenbutton',
      'interval',
    ]);
  });
});
