// The public tariff fixtures in ../shared/fixtures: every one parses, imports (or says exactly why not),
// and imported tariffs rate hand-worked bills.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { importOwrs, parseOwrs } from '../../domain/import/owrs.js';
import { ImportError, importUrdb } from '../../domain/import/urdb.js';
import { rateNemMonth } from '../../domain/net-metering.js';
import { type Interval, rate } from '../../domain/rate-engine.js';
import { type Tariff, unappliedFields } from '../../domain/tariff.js';
import { FIXTURES } from '../support/fixtures.js';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
const owrsFiles = walk(path.join(FIXTURES, 'owrs')).filter((f) => f.endsWith('.owrs'));
const urdbFiles = walk(path.join(FIXTURES, 'urdb')).filter((f) => f.endsWith('.json'));
const owrs = (rel: string) => readFileSync(path.join(FIXTURES, 'owrs', rel), 'utf8');
const urdb = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, 'urdb', name), 'utf8'));
const bill = (t: Tariff, ctx: Parameters<typeof rate>[1]) =>
  rate([{ id: 'rv_x', effectiveFrom: '2000-01-01', tariff: t }], ctx);
const oct = { periodStart: '2026-10-01', periodEnd: '2026-10-31' };

describe('OWRS fixtures', () => {
  it('finds the fixtures', () => {
    expect(owrsFiles.length).toBe(8);
    expect(urdbFiles.length).toBe(3);
  });

  it.each(owrsFiles.map((f) => [path.relative(FIXTURES, f), f]))(
    '%s: every class imports or names what it needs',
    (_, file) => {
      const text = readFileSync(file, 'utf8');
      const { classes } = parseOwrs(text);
      expect(Object.keys(classes).length).toBeGreaterThan(0);
      for (const customerClass of Object.keys(classes)) {
        try {
          const { tariff } = importOwrs(text, {
            customerClass,
            params: {
              meter_type: 'Disc',
              water_type: 'POTABLE',
              pressure_zone: '1',
              rate_class: 'C1',
              domestic_type: 'DOMESTIC',
            },
          });
          expect(tariff.components.length).toBeGreaterThan(0);
        } catch (e) {
          // the only acceptable failure: a clear message naming the field and what it needs
          expect(e).toBeInstanceOf(ImportError);
          expect((e as Error).message).toMatch(new RegExp(`^rate_structure\\.${customerClass}`));
        }
      }
    },
  );

  // OWRS Tiered starts 0 / 5 / 17 are each tier's first unit (RateParser): tier 1 is (0, 4], tier 2 (4, 16]
  it('Cambria, bimonthly inclining blocks: 20 ccf = 26.52 + 4 x 6.76 + 12 x 8.84 + 4 x 9.87 = $199.12', () => {
    const { tariff } = importOwrs(
      owrs('full_utility_rates/California/Cambria Community Services District - 491/03-01-2017.owrs'),
      { customerClass: 'RESIDENTIAL_SINGLE' },
    );
    expect(tariff.source).toMatchObject({
      format: 'owrs',
      effectiveDate: '2017-03-01',
      billFrequency: 'Bi-Monthly',
    });
    const r = bill(tariff, { periodStart: '2026-09-01', periodEnd: '2026-10-31', usage: dec('20') });
    expect(r.lines.map((l) => l.amountCents)).toEqual([2652, 2704, 10608, 3948]);
    expect(r.totalCents).toBe(19912);
  });

  it('Mesa, uniform rate with a service charge by meter size: 5/8" + 10 ccf = 23 + 36.20 = $59.20', () => {
    const { tariff } = importOwrs(
      owrs('full_utility_rates/California/Mesa Water District - 1818/01-01-2014.owrs'),
      { customerClass: 'RESIDENTIAL_SINGLE' },
    );
    expect(bill(tariff, { ...oct, usage: dec('10'), meterSize: '5/8"' }).totalCents).toBe(5920);
    expect(bill(tariff, { ...oct, usage: dec('10'), meterSize: '2"' }).totalCents).toBe(18400 + 3620);
  });

  it('Moulton Niguel, budget tiers with an indoor part: budget 20 (indoor 8), 27 ccf = $65.57', () => {
    const { tariff } = importOwrs(owrs('examples/mnwd.owrs'), { customerClass: 'RESIDENTIAL_SINGLE' });
    const r = bill(tariff, {
      ...oct,
      usage: dec('27'),
      meterSize: '5/8"',
      budget: dec('20'),
      budgetParts: { indoor: dec('8') },
    });
    // 11.39 + 8 x 1.49 + 12 x 1.70 + 5 x 2.62 + 2 x 4.38
    expect(r.lines.map((l) => [l.description, l.amountCents])).toEqual([
      ['Water, tier 1', 1192],
      ['Water, tier 2', 2040],
      ['Water, tier 3', 1310],
      ['Water, tier 4', 876],
      ['Service charge', 1139],
    ]);
    expect(r.totalCents).toBe(6557);
    expect(tariff.source).toMatchObject({ budget: { indoor: 'gpcd*hhsize*days_in_period*(1/748)' } });
  });

  it('Irvine Ranch: a service charge keyed on meter size and type, with the type given', () => {
    const text = owrs('full_utility_rates/California/Irvine Ranch Water District - 1408/06-25-2018.owrs');
    expect(() => importOwrs(text, { customerClass: 'RESIDENTIAL_SINGLE' })).toThrow(
      /depends on meter_type; give meter_type=/,
    );
    const { tariff } = importOwrs(text, {
      customerClass: 'RESIDENTIAL_SINGLE',
      params: { meter_type: 'Disc', pressure_zone: '2' },
    });
    const fixed = tariff.components.find((c) => c.type === 'fixed');
    expect(fixed).toMatchObject({ byMeterSize: { '5/8"': '10.35', '1"': '25.9' } });
  });

  it('rejects an unknown class and a broken file with clear errors', () => {
    expect(() => importOwrs(owrs('examples/smc.owrs'), { customerClass: 'NOPE' })).toThrow(
      /"NOPE" is not in this file; classes: RESIDENTIAL_SINGLE/,
    );
    expect(() => importOwrs('metadata: [', { customerClass: 'X' })).toThrow(/not valid YAML/);
    expect(() => importOwrs('foo: 1', { customerClass: 'X' })).toThrow(/metadata and rate_structure/);
  });
});

describe('URDB dgrules', () => {
  const rate = (dgrules: string, sell: number[][]) => ({
    name: 'Solar',
    dgrules,
    fixedmonthlycharge: 10,
    energyratestructure: sell.map((tiers, p) =>
      tiers.map((x, t) => ({ rate: 0.1 + p / 10, sell: x, ...(t < tiers.length - 1 ? { max: 500 } : {}) })),
    ),
    energyweekdayschedule: Array.from({ length: 12 }, () =>
      Array.from({ length: 24 }, (_, h) => (h >= 16 && h < 21 && sell.length > 1 ? 1 : 0)),
    ),
    energyweekendschedule: Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0)),
  });

  it("net billing (instantaneous) and buy all / sell all credit exports at each period's sell rate, applied", () => {
    const nb = importUrdb(rate('Net Billing Instantaneous', [[0.04], [0.09]]));
    expect(nb.tariff.netMetering).toMatchObject({
      mode: 'net_billing',
      sellRates: { 'period 1': '0.04', 'period 2': '0.09' },
    });
    expect(unappliedFields(nb.tariff)).toEqual([]);
    // one period all year is a plain energy charge: its sell rate is for every hour
    const ba = importUrdb(rate('Buy All Sell All', [[0.05]]));
    expect(ba.tariff.netMetering).toMatchObject({ mode: 'buy_all_sell_all', sellRates: { '*': '0.05' } });
    // 10 kWh bought at 0.10 + 10.00, 4 kWh sold at 0.05: 11.00 - 0.20 = 10.80
    const r = rateNemMonth(
      [{ id: 'u', effectiveFrom: '2000-01-01', tariff: ba.tariff }],
      {
        periodStart: '2026-10-01',
        periodEnd: '2026-10-31',
        intervals: [{ start: '2026-10-05T12:00', minutes: 60, value: dec('10') }],
      },
      [{ start: '2026-10-05T13:00', minutes: 60, value: dec('4') }],
      ba.tariff.netMetering!,
    );
    expect(r.totalCents).toBe(1080);
  });

  it('what it cannot apply is warned and refused: hourly netting, sell rates that differ by tier, unknown rules', () => {
    expect(unappliedFields(importUrdb(rate('Net Billing Hourly', [[0.04]])).tariff)).toEqual(['dgrules']);
    expect(unappliedFields(importUrdb(rate('Net Billing Instantaneous', [[0.04, 0.02]])).tariff)).toEqual([
      'energyratestructure.sell',
    ]);
    expect(unappliedFields(importUrdb(rate('Feed-in tariff', [[0.04]])).tariff)).toEqual(['dgrules']);
    const noRules = rate('', [[0.04]]);
    expect(unappliedFields(importUrdb(noRules).tariff)).toEqual(['energyratestructure.sell']);
  });
});

describe('URDB fixtures', () => {
  it.each(urdbFiles.map((f) => [path.basename(f), f]))('%s imports into a valid tariff', (_, file) => {
    const { tariff, warnings } = importUrdb(JSON.parse(readFileSync(file, 'utf8')));
    expect(tariff.service).toBe('electric');
    expect(tariff.components.length).toBeGreaterThan(0);
    expect(Array.isArray(warnings)).toBe(true);
  });

  it('RE-TOU (double-encoded API response): fixed charge, 5 TOU periods with adjustments, priced by hour', () => {
    const { tariff, warnings } = importUrdb(urdb('urdb_rate_618940545457a35a1c4097ec.json'));
    expect(tariff.name).toBe('Residential Energy Time Of Use (Schedule RE-TOU)');
    // URDB "Net Metering" banks kWh, but gives no year-end sell rate: previewed at 0, refused for live billing
    expect(warnings.join('\n')).toMatch(/dgrules "Net Metering": URDB gives no year-end sell rate/);
    expect(tariff.netMetering).toMatchObject({ mode: 'nem_kwh', yearEndSellRate: '0' });
    const tou = tariff.components.find((c) => c.type === 'tou');
    expect(tou && tou.type === 'tou' && tou.periods.map((p) => p.tiers[0]!.price)).toEqual([
      '0.099057',
      '0.0947412',
      '0.158126',
      '0.1252299',
      '0.219872',
    ]);
    // Monday 5 Jan 2026, 1 kWh every hour: January weekday hours 0-8 and 21-23 are period 1, 9-13 and 18-20 period 2, 14-17 period 3
    const intervals: Interval[] = Array.from({ length: 24 }, (_, h) => ({
      start: `2026-01-05T${String(h).padStart(2, '0')}:00`,
      minutes: 60,
      value: dec('1'),
    }));
    const r = bill(tariff, { periodStart: '2026-01-01', periodEnd: '2026-01-31', intervals });
    expect(r.lines.map((l) => [l.touPeriod, l.quantity, l.amountCents])).toEqual([
      [null, '1', 571],
      ['period 1', '12', 119], // 12 x 0.099057 = 1.188684
      ['period 2', '8', 76], // 8 x 0.0947412 = 0.7579296
      ['period 3', '4', 63], // 4 x 0.158126 = 0.632504
    ]);
  });

  it('urdbv7: tiers, seasonal flat demand, TOU demand, monthly and annual minimum; warns about what it cannot bill', () => {
    const { tariff, warnings } = importUrdb(urdb('urdbv7.json'));
    expect(tariff.components.map((c) => c.type)).toEqual([
      'fixed',
      'tou',
      'demand',
      'demand',
      'demand',
      'demand',
      'minimum',
      'minimum',
    ]);
    expect(tariff.components.at(-1)).toMatchObject({ amount: '12', per: 'year' });
    expect(warnings.join('\n')).toMatch(/dgrules "Net Metering": URDB gives no year-end sell rate/);
    expect(warnings.join('\n')).not.toMatch(/annualmincharge/);
    const flat = tariff.components.filter((c) => c.type === 'demand' && c.months);
    expect(flat.map((c) => c.type === 'demand' && c.months)).toEqual([
      [1],
      [2, 3, 4, 11, 12],
      [5, 6, 7, 8, 9, 10],
    ]);
  });

  it('LP1: energy tiers in kWh per kW of demand scale with the peak', () => {
    const { tariff } = importUrdb(urdb('urdb_rate_539f6a23ec4f024411ec8beb.json'));
    const tou = tariff.components.find((c) => c.type === 'tou');
    expect(tou).toMatchObject({ tiersPerKw: true });
    // 100 kW peak: the first 300 kWh/kW = 30,000 kWh are tier 1
    const intervals: Interval[] = [
      { start: '2026-03-02T10:00', minutes: 60, value: dec('100') },
      { start: '2026-03-02T11:00', minutes: 60, value: dec('40000') },
    ];
    const r = bill(tariff, {
      periodStart: '2026-03-01',
      periodEnd: '2026-03-31',
      intervals,
      demandKw: dec('100'),
    });
    expect(r.lines.filter((l) => l.component === 'Energy').map((l) => [l.tier, l.quantity])).toEqual([
      [1, '30000'],
      [2, '10100'],
    ]);
  });

  it('says what is wrong with a broken rate', () => {
    expect(() => importUrdb('{"items": []}')).toThrow(/holds 0 rates/);
    expect(() =>
      importUrdb({ energyratestructure: [[{ rate: 0.1 }]], energyweekdayschedule: [[0]] }),
    ).toThrow(/energyweekdayschedule: must have 12 monthly rows/);
    expect(() => importUrdb('not json')).toThrow(ImportError);
  });
});
