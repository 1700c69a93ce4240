// Golden bills, worked by hand (the arithmetic is in each comment), one per tariff feature.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { type Interval, type RatingContext, RatingError, rate } from '../../domain/rate-engine.js';
import { type Component, parseTariff, type Tariff, TariffError } from '../../domain/tariff.js';

const tariff = (components: Component[], extra: Partial<Tariff> = {}): Tariff =>
  parseTariff({ schema: 'cisflow.tariff/1', name: 'T', service: 'water', unit: 'ccf', components, ...extra });
const v = (t: Tariff, effectiveFrom = '2020-01-01', id = 'rv_a') => ({ id, effectiveFrom, tariff: t });
const oct = { periodStart: '2026-10-01', periodEnd: '2026-10-31' };
const amounts = (r: { lines: { amountCents: number }[] }) => r.lines.map((l) => l.amountCents);

const inclining = tariff([
  { type: 'fixed', name: 'Customer charge', amount: '20.00' },
  {
    type: 'volumetric',
    name: 'Water',
    tiers: [
      { from: '0', price: '3.00' },
      { from: '5', price: '4.00' },
      { from: '15', price: '5.50' },
    ],
  },
]);

describe('block tiers', () => {
  it('inclining: 22.5 ccf = 5 x 3.00 + 10 x 4.00 + 7.5 x 5.50 + 20.00 = $116.25', () => {
    const r = rate([v(inclining)], { ...oct, usage: dec('22.5') });
    expect(amounts(r)).toEqual([2000, 1500, 4000, 4125]);
    expect(r.totalCents).toBe(11625);
    expect(r.lines[3]).toMatchObject({
      tier: 3,
      quantity: '7.5',
      unitPrice: '5.50',
      rateVersionId: 'rv_a',
      proration: { days: 31, periodDays: 31 },
    });
  });

  it('a tier boundary belongs to the lower tier: exactly 5 ccf is all tier 1', () => {
    const r = rate([v(inclining)], { ...oct, usage: dec('5') });
    expect(r.lines.filter((l) => l.tier).map((l) => [l.tier, l.quantity])).toEqual([[1, '5']]);
    const r2 = rate([v(inclining)], { ...oct, usage: dec('5.01') });
    expect(r2.lines.filter((l) => l.tier).map((l) => [l.tier, l.quantity])).toEqual([
      [1, '5'],
      [2, '0.01'],
    ]);
  });

  it('declining: 750 kWh = 500 x 0.12 + 250 x 0.10 = $85.00', () => {
    const t = tariff(
      [
        {
          type: 'volumetric',
          name: 'Energy',
          tiers: [
            { from: '0', price: '0.12' },
            { from: '500', price: '0.10' },
          ],
        },
      ],
      { service: 'electric', unit: 'kWh' },
    );
    expect(rate([v(t)], { ...oct, usage: dec('750') }).totalCents).toBe(8500);
  });

  it('zero usage still shows a usage line, so the bill explains itself', () => {
    const r = rate([v(inclining)], { ...oct, usage: dec('0') });
    expect(r.lines.map((l) => [l.description, l.amountCents])).toEqual([
      ['Customer charge', 2000],
      ['Water, tier 1', 0],
    ]);
  });

  it('budget-based tiers: budget 20, 27 ccf = 20 x 1.49 + 5 x 2.62 + 2 x 4.38 = $51.66', () => {
    const t = tariff([
      {
        type: 'volumetric',
        name: 'Water',
        tiers: [
          { from: '0', price: '1.49' },
          { from: '100%', price: '2.62' },
          { from: '125%', price: '4.38' },
        ],
      },
    ]);
    expect(amounts(rate([v(t)], { ...oct, usage: dec('27'), budget: dec('20') }))).toEqual([2980, 1310, 876]);
    expect(() => rate([v(t)], { ...oct, usage: dec('27') })).toThrow(RatingError);
  });
});

describe('proration by days', () => {
  it('move-in on Oct 21: charge x 11/31, tier sizes x 11/31', () => {
    const t = tariff([
      { type: 'fixed', name: 'Customer charge', amount: '31.00' },
      {
        type: 'volumetric',
        name: 'Water',
        tiers: [
          { from: '0', price: '2.00' },
          { from: '10', price: '3.00' },
        ],
      },
    ]);
    const r = rate([v(t)], { ...oct, serviceStart: '2026-10-21', usage: dec('5') });
    // 31.00 x 11/31 = 11.00; tier 1 holds 10 x 11/31 = 3.548387097 ccf x 2.00 = 7.10; the other 1.451612903 x 3.00 = 4.35
    expect(r.lines.map((l) => [l.quantity, l.amountCents])).toEqual([
      ['11/31', 1100],
      ['3.548387097', 710],
      ['1.451612903', 435],
    ]);
  });

  it('a rate change on Oct 16 splits the bill by days: $108.83', () => {
    const a = tariff([
      { type: 'fixed', name: 'Customer charge', amount: '10.00' },
      { type: 'volumetric', name: 'Water', tiers: [{ from: '0', price: '3.00' }] },
    ]);
    const b = tariff([
      { type: 'fixed', name: 'Customer charge', amount: '12.00' },
      { type: 'volumetric', name: 'Water', tiers: [{ from: '0', price: '3.30' }] },
    ]);
    const r = rate([v(a, '2020-01-01', 'rv_old'), v(b, '2026-10-16', 'rv_new')], {
      ...oct,
      usage: dec('31'),
    });
    // Oct 1-15: 10.00 x 15/31 = 4.84, 15 ccf x 3.00 = 45.00; Oct 16-31: 12.00 x 16/31 = 6.19, 16 ccf x 3.30 = 52.80
    expect(r.lines.map((l) => [l.rateVersionId, l.quantity, l.amountCents])).toEqual([
      ['rv_old', '15/31', 484],
      ['rv_old', '15', 4500],
      ['rv_new', '16/31', 619],
      ['rv_new', '16', 5280],
    ]);
    expect(r.totalCents).toBe(10883);
  });

  it('usage shares always add back up to the metered usage', () => {
    const a = tariff([{ type: 'volumetric', name: 'Water', tiers: [{ from: '0', price: '1' }] }]);
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (changeDay, milli) => {
          const usage = dec(`${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, '0')}`);
          const r = rate([v(a), v(a, `2026-10-${String(changeDay).padStart(2, '0')}`, 'rv_b')], {
            ...oct,
            usage,
          });
          return r.lines.reduce((s, l) => s + dec(l.quantity), 0n) === usage;
        },
      ),
    );
  });
});

describe('seasons', () => {
  it('a Sep 15 - Oct 14 bill is summer then winter: $116.00', () => {
    const t = tariff(
      [
        { type: 'fixed', name: 'Customer charge', amount: '10.00' },
        { type: 'volumetric', name: 'Summer water', season: 'summer', tiers: [{ from: '0', price: '4.00' }] },
        { type: 'volumetric', name: 'Winter water', season: 'winter', tiers: [{ from: '0', price: '3.00' }] },
      ],
      {
        seasons: [
          { name: 'summer', months: [6, 7, 8, 9] },
          { name: 'winter', months: [1, 2, 3, 4, 5, 10, 11, 12] },
        ],
      },
    );
    const r = rate([v(t)], { periodStart: '2026-09-15', periodEnd: '2026-10-14', usage: dec('30') });
    // 16 summer days: 10.00 x 16/30 = 5.33, 16 ccf x 4.00 = 64.00; 14 winter days: 4.67, 14 x 3.00 = 42.00
    expect(r.lines.map((l) => [l.season, l.amountCents])).toEqual([
      ['summer', 533],
      ['summer', 6400],
      ['winter', 467],
      ['winter', 4200],
    ]);
    expect(r.totalCents).toBe(11600);
  });
});

describe('sewer, trash, meter size, minimum, riders, taxes', () => {
  const sewer = (basis: 'water' | 'winter_average') =>
    tariff(
      [
        { type: 'fixed', name: 'Sewer base', amount: '15.00' },
        { type: 'volumetric', name: 'Sewer', basis, tiers: [{ from: '0', price: '5.00' }] },
      ],
      { service: 'sewer' },
    );

  it('sewer on water usage: 12 ccf x 5.00 + 15.00 = $75.00; capped at an 8 ccf winter average: $55.00', () => {
    expect(rate([v(sewer('water'))], { ...oct, waterUsage: dec('12') }).totalCents).toBe(7500);
    const capped = rate([v(sewer('winter_average'))], {
      ...oct,
      waterUsage: dec('12'),
      winterAverage: dec('8'),
    });
    expect(capped.totalCents).toBe(5500);
    expect(capped.lines[1]!.detail).toMatchObject({ basis: 'winter_average', cappedAt: '8' });
    expect(() => rate([v(sewer('water'))], oct)).toThrow(/water usage/);
  });

  it('flat trash: $28.75 a month, no usage needed', () => {
    const t = tariff([{ type: 'fixed', name: 'Trash, 64 gal cart', amount: '28.75' }], {
      service: 'trash',
      unit: 'cart',
    });
    expect(rate([v(t)], oct).totalCents).toBe(2875);
  });

  it('fixed charge by meter size', () => {
    const t = tariff([
      { type: 'fixed', name: 'Service charge', byMeterSize: { '5/8"': '18.40', '1"': '30.11' } },
    ]);
    expect(rate([v(t)], { ...oct, meterSize: '1"' }).totalCents).toBe(3011);
    expect(() => rate([v(t)], { ...oct, meterSize: '6"' })).toThrow(/no price for meter size 6"/);
  });

  it('minimum bill: 100 kWh x 0.10 = 10.00, brought up to 25.00', () => {
    const t = tariff(
      [
        { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.10' }] },
        { type: 'minimum', name: 'Minimum bill', amount: '25.00' },
      ],
      { service: 'electric', unit: 'kWh' },
    );
    const r = rate([v(t)], { ...oct, usage: dec('100') });
    expect(amounts(r)).toEqual([1000, 1500]);
    expect(rate([v(t)], { ...oct, usage: dec('300') }).lines).toHaveLength(1);
  });

  it('riders and tax on the subtotal: 3% of 116.25 = 3.49, 0.25/ccf x 22.5 = 5.63, 7.5% tax of 125.37 = 9.40', () => {
    const t = tariff([
      ...inclining.components,
      { type: 'rider', name: 'Drought surcharge', percent: '3' },
      { type: 'rider', name: 'Infrastructure rider', perUnit: '0.25' },
      { type: 'tax', name: 'Utility tax', percent: '7.5', exemptFlag: 'tax_exempt' },
    ]);
    const r = rate([v(t)], { ...oct, usage: dec('22.5') });
    expect(amounts(r).slice(4)).toEqual([349, 563, 940]);
    const exempt = rate([v(t)], { ...oct, usage: dec('22.5'), flags: ['tax_exempt'] });
    expect(exempt.lines.at(-1)).toMatchObject({ description: 'Utility tax (exempt)', amountCents: 0 });
  });
});

describe('time of use and demand over interval data', () => {
  const touSchedule = Array.from({ length: 12 }, () =>
    Array.from({ length: 24 }, (_, h) => (h >= 16 && h <= 20 ? 1 : 0)),
  );
  const offOnly = Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
  const hourly = (day: string, kwh: string): Interval[] =>
    Array.from({ length: 24 }, (_, h) => ({
      start: `${day}T${String(h).padStart(2, '0')}:00`,
      minutes: 60,
      value: dec(kwh),
    }));

  it('TOU: Wed 1 Jul + Sat 4 Jul at 1 kWh/h: 5 peak kWh x 0.30 + 43 off-peak x 0.10 = $5.80', () => {
    const t = tariff(
      [
        {
          type: 'tou',
          name: 'Energy',
          weekday: touSchedule,
          weekend: offOnly,
          periods: [
            { name: 'off-peak', tiers: [{ from: '0', price: '0.10' }] },
            { name: 'on-peak', tiers: [{ from: '0', price: '0.30' }] },
          ],
        },
      ],
      { service: 'electric', unit: 'kWh' },
    );
    const ctx: RatingContext = {
      periodStart: '2026-07-01',
      periodEnd: '2026-07-31',
      intervals: [...hourly('2026-07-01', '1'), ...hourly('2026-07-04', '1')],
    };
    const r = rate([v(t)], ctx);
    expect(r.lines.map((l) => [l.touPeriod, l.quantity, l.amountCents])).toEqual([
      ['off-peak', '43', 430],
      ['on-peak', '5', 150],
    ]);
    expect(() => rate([v(t)], { ...oct, usage: dec('1') })).toThrow(/interval data/);
  });

  it('demand: the highest 15-minute interval, 2.5 kWh = 10 kW, x 8.00 = $80.00', () => {
    const t = tariff([{ type: 'demand', name: 'Demand', tiers: [{ from: '0', price: '8.00' }] }], {
      service: 'electric',
      unit: 'kWh',
    });
    const intervals: Interval[] = ['0.5', '2.5', '1.0'].map((kwh, i) => ({
      start: `2026-10-02T10:${String(i * 15).padStart(2, '0')}`,
      minutes: 15,
      value: dec(kwh),
    }));
    const r = rate([v(t)], { ...oct, intervals });
    expect(r.lines[0]).toMatchObject({
      quantity: '10',
      unit: 'kW',
      amountCents: 8000,
      detail: { peakKw: '10' },
    });
  });
});

describe('tariff validation', () => {
  it('names the field at fault', () => {
    const bad = (components: unknown) => () =>
      parseTariff({ schema: 'cisflow.tariff/1', name: 'x', service: 'water', unit: 'ccf', components });
    expect(bad([{ type: 'volumetric', name: 'W', tiers: [{ from: '0', price: 'three' }] }])).toThrow(
      /components\[0\].tiers\[0\].price/,
    );
    expect(bad([{ type: 'volumetric', name: 'W', tiers: [{ from: '5', price: '1' }] }])).toThrow(
      /first tier must start at 0/,
    );
    expect(
      bad([
        {
          type: 'volumetric',
          name: 'W',
          tiers: [
            { from: '0', price: '1' },
            { from: '0', price: '2' },
          ],
        },
      ]),
    ).toThrow(/increasing/);
    expect(bad([{ type: 'rider', name: 'R' }])).toThrow(/exactly one of percent or perUnit/);
    expect(bad([{ type: 'bogus', name: 'B' }])).toThrow(TariffError);
    expect(() =>
      parseTariff({ schema: 'cisflow.tariff/1', name: 'x', service: 'steam', unit: 'x', components: [] }),
    ).toThrow(/^service/);
  });

  it('rates deterministically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (hundredths) => {
        const ctx = {
          ...oct,
          usage: dec(`${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`),
        };
        const first = JSON.stringify(rate([v(inclining)], ctx));
        const second = JSON.stringify(rate([v(inclining)], ctx));
        return first === second;
      }),
    );
  });
});
