// Golden bills for seasonal components, minimums, tier units, billing demand and holidays, worked by hand
// (the arithmetic is in each comment).
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { type Interval, type RatingContext, rate } from '../../domain/rate-engine.js';
import { type Component, parseTariff, type Tariff } from '../../domain/tariff.js';

const elec = (components: unknown[], extra: Record<string, unknown> = {}): Tariff =>
  parseTariff({
    schema: 'cisflow.tariff/1',
    name: 'E',
    service: 'electric',
    unit: 'kWh',
    components: components as Component[],
    ...extra,
  });
const bill = (t: Tariff, ctx: RatingContext) =>
  rate([{ id: 'rv', effectiveFrom: '2000-01-01', tariff: t }], ctx);
/** the same 12 x 24 period for every hour */
const flat = (k: number) => Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => k));
/** hourly intervals of `kwh` each, for `hours` hours from a local start */
const hourly = (day: string, hours: number, kwh: string, from = 0): Interval[] =>
  Array.from({ length: hours }, (_, h) => ({
    start: `${day}T${String(from + h).padStart(2, '0')}:00`,
    minutes: 60,
    value: dec(kwh),
  }));
const seasons = [
  { name: 'summer', months: [6, 7, 8, 9] },
  { name: 'winter', months: [1, 2, 3, 4, 5, 10, 11, 12] },
];

describe('seasonal TOU and demand components (bug 3)', () => {
  const t = elec(
    [
      { type: 'fixed', name: 'Basic', amount: '10.00' },
      {
        type: 'tou',
        name: 'Summer energy',
        season: 'summer',
        weekday: flat(0),
        weekend: flat(0),
        periods: [{ name: 'all', tiers: [{ from: '0', price: '0.20' }] }],
      },
      {
        type: 'tou',
        name: 'Winter energy',
        season: 'winter',
        weekday: flat(0),
        weekend: flat(0),
        periods: [{ name: 'all', tiers: [{ from: '0', price: '0.10' }] }],
      },
      { type: 'demand', name: 'Summer demand', season: 'summer', tiers: [{ from: '0', price: '5.00' }] },
    ],
    { seasons },
  );

  it('January: only the winter energy: 10 kWh (peak 2 kW) = 10.00 + 10 x 0.10 = $11.00', () => {
    const r = bill(t, {
      periodStart: '2026-01-01',
      periodEnd: '2026-01-31',
      intervals: hourly('2026-01-05', 5, '2'),
    });
    expect(r.lines.map((l) => [l.component, l.amountCents])).toEqual([
      ['Basic', 1000],
      ['Winter energy', 100],
    ]);
  });

  it('July: summer energy and demand: 10.00 + 10 x 0.20 + 2 kW x 5.00 = $22.00', () => {
    const r = bill(t, {
      periodStart: '2026-07-01',
      periodEnd: '2026-07-31',
      intervals: hourly('2026-07-06', 5, '2'),
    });
    expect(r.lines.map((l) => [l.component, l.amountCents])).toEqual([
      ['Basic', 1000],
      ['Summer energy', 200],
      ['Summer demand', 1000],
    ]);
    expect(r.totalCents).toBe(2200);
  });
});

const oct = { periodStart: '2026-10-01', periodEnd: '2026-10-31' };
const energy = (price: string) => ({ type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price }] });
const monthCtx = (y: number, m: number, usage: string): RatingContext => {
  const mm = String(m).padStart(2, '0');
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { periodStart: `${y}-${mm}-01`, periodEnd: `${y}-${mm}-${last}`, usage: dec(usage) };
};

describe('minimums', () => {
  const t = elec([energy('0.10'), { type: 'minimum', name: 'Minimum', amount: '15.00' }]);

  it('a monthly minimum tops up the difference: 100 kWh = 10.00 + 5.00 top-up = $15.00; 200 kWh = $20.00', () => {
    const r = bill(t, { ...oct, usage: dec('100') });
    expect(r.lines.map((l) => [l.component, l.amountCents])).toEqual([
      ['Energy', 1000],
      ['Minimum', 500],
    ]);
    expect(r.minimumBasisCents).toBe(1000);
    expect(bill(t, { ...oct, usage: dec('200') }).totalCents).toBe(2000);
  });

  it('the bill is floored at 0 before the minimum: 2.00 - 100 x 0.05 credit = -3.00 -> 0, so the bill is the $10.00 minimum', () => {
    const c = elec([
      { type: 'fixed', name: 'Basic', amount: '2.00' },
      energy('-0.05'),
      { type: 'minimum', name: 'Minimum', amount: '10.00' },
    ]);
    const r = bill(c, { ...oct, usage: dec('100') });
    expect(r.totalCents).toBe(1000);
    expect(r.minimumBasisCents).toBe(0); // max(0, -3.00)
  });

  const annual = elec(
    [
      energy('0.10'),
      { type: 'minimum', name: 'Minimum', amount: '5.00' },
      { type: 'minimum', name: 'Annual minimum', amount: '120.00', per: 'year' },
    ],
    { trueUpMonth: 12 },
  );

  it('an annual minimum is checked in the true-up month against the floored bills before top-ups', () => {
    // Jan-Nov: 30 kWh = 3.00 each, topped up to 5.00; their basis is 3.00 each, 33.00 in all.
    // December: 3.00 + 2.00 monthly top-up; the year's basis 33.00 + 3.00 = 36.00 < 120.00: 84.00 more.
    const r = bill(annual, { ...monthCtx(2026, 12, '30'), yearToDateCents: 3300 });
    expect(r.lines.map((l) => [l.component, l.amountCents])).toEqual([
      ['Energy', 300],
      ['Minimum', 200],
      ['Annual minimum', 8400],
    ]);
    // not the true-up month: no annual line
    expect(bill(annual, { ...monthCtx(2026, 11, '30'), yearToDateCents: 3000 }).totalCents).toBe(500);
    // the true-up month without the year's bills is refused, naming the input
    expect(() => bill(annual, monthCtx(2026, 12, '30'))).toThrow(/yearToDateCents/);
  });

  it('a year rated month by month carries the year to date: 12 x 30 kWh = 11 x 5.00 + 89.00 = $144.00', async () => {
    const { rateYear } = await import('../../domain/rate-year.js');
    const months = Array.from({ length: 12 }, (_, i) => monthCtx(2026, i + 1, '30'));
    const y = rateYear([{ id: 'rv', effectiveFrom: '2000-01-01', tariff: annual }], months);
    expect(y.bills.map((b) => b.totalCents)).toEqual([...Array(11).fill(500), 8900]);
    expect(y.totalCents).toBe(14400);
    // a year above the minimum: 12 x 200 kWh = 12 x 20.00 = 240.00 >= 120.00, no annual line
    const big = Array.from({ length: 12 }, (_, i) => monthCtx(2026, i + 1, '200'));
    expect(rateYear([{ id: 'rv', effectiveFrom: '2000-01-01', tariff: annual }], big).totalCents).toBe(24000);
  });

  it('an invalid true-up month is refused with the field named', () => {
    expect(() => elec([energy('0.10')], { trueUpMonth: 13 })).toThrow(
      /trueUpMonth: must be a month from 1 to 12/,
    );
  });
});

describe('tier units', () => {
  it('kWh/day: the tier start x the days in the period (31 in October, 30 in September)', () => {
    const t = elec([
      {
        type: 'volumetric',
        name: 'Energy',
        tiers: [
          { from: '0', price: '0.10' },
          { from: '10', price: '0.20', per: 'day' },
        ],
      },
    ]);
    expect(bill(t, { ...oct, usage: dec('310') }).totalCents).toBe(3100); // 310 x 0.10: unit 310 is tier 1
    expect(bill(t, { ...oct, usage: dec('310.5') }).totalCents).toBe(3110); // + 0.5 x 0.20
    expect(bill(t, { ...oct, usage: dec('400') }).totalCents).toBe(4900); // 310 x 0.10 + 90 x 0.20
    // September: 300 x 0.10 + 10 x 0.20 = 32.00
    expect(
      bill(t, { periodStart: '2026-09-01', periodEnd: '2026-09-30', usage: dec('310') }).totalCents,
    ).toBe(3200);
  });

  it('kWh/kW (hours use): 200 h x 10 kW = 2,000 kWh in tier 1; 2,500 kWh = 2000 x 0.10 + 500 x 0.05 = $225.00', () => {
    const t = elec([
      {
        type: 'volumetric',
        name: 'Energy',
        tiers: [
          { from: '0', price: '0.10' },
          { from: '200', price: '0.05', per: 'kW' },
        ],
      },
    ]);
    expect(bill(t, { ...oct, usage: dec('2000'), demandKw: dec('10') }).totalCents).toBe(20000);
    expect(bill(t, { ...oct, usage: dec('2500'), demandKw: dec('10') }).totalCents).toBe(22500);
    expect(() => bill(t, { ...oct, usage: dec('2500') })).toThrow(/needs the peak/);
  });

  const blockStep = elec([
    {
      type: 'volumetric',
      name: 'Energy',
      tiers: [
        { from: '0', price: '0.12' },
        { from: '1000', price: '0.10' },
        { from: '200', price: '0.06', per: 'kW' },
      ],
    },
  ]);

  it('block-step: kWh tiers inside the first 200 kWh/kW block', () => {
    // 10 kW: block 1 is 2,000 kWh, holding 0-1000 at 0.12 and 1000-2000 at 0.10; 2,500 kWh = 120 + 100 + 30
    expect(bill(blockStep, { ...oct, usage: dec('2500'), demandKw: dec('10') }).totalCents).toBe(25000);
    // 4 kW: block 1 is 800 kWh, so the 1,000 kWh tier is cut to 800: 800 x 0.12 + 1700 x 0.06 = 96 + 102
    const r = bill(blockStep, { ...oct, usage: dec('2500'), demandKw: dec('4') });
    expect(r.lines.map((l) => [l.tier, l.quantity])).toEqual([
      [1, '800'],
      [3, '1700'],
    ]);
    expect(r.totalCents).toBe(19800);
  });

  it('block-step from URDB: mixed kWh and kWh/kW tiers import per tier and bill the same', async () => {
    const { importUrdb } = await import('../../domain/import/urdb.js');
    const { tariff } = importUrdb({
      energyratestructure: [
        [
          { max: 1000, unit: 'kWh', rate: 0.12 },
          { max: 200, unit: 'kWh/kW', rate: 0.1 },
          { unit: 'kWh/kW', rate: 0.06 },
        ],
      ],
      energyweekdayschedule: flat(0),
      energyweekendschedule: flat(0),
    });
    // 2,500 kWh in one hour on Monday 5 Oct: peak 2,500 kW, so block 1 is 500,000 kWh: 1000 x 0.12 + 1500 x 0.10
    const r = bill(tariff, { ...oct, intervals: hourly('2026-10-05', 1, '2500') });
    expect(r.totalCents).toBe(12000 + 15000);
    // with a 4 kW demand read: 800 x 0.12 + 1700 x 0.06
    expect(
      bill(tariff, { ...oct, intervals: hourly('2026-10-05', 1, '2500'), demandKw: dec('4') }).totalCents,
    ).toBe(19800);
    expect(() =>
      importUrdb({
        energyratestructure: [[{ max: 10, unit: 'kWh/kW daily', rate: 0.1 }, { rate: 0.2 }]],
        energyweekdayschedule: flat(0),
        energyweekendschedule: flat(0),
      }),
    ).toThrow(/tier unit "kWh\/kW daily" is not supported/);
  });

  it('several TOU periods share each tier width by their kWh: 600 off-peak + 400 on-peak, tier at 500', () => {
    // off-peak gets 600/1000 of 500 = 300: 300 x 0.10 + 300 x 0.20 = 90.00;
    // on-peak gets 400/1000 of 500 = 200: 200 x 0.30 + 200 x 0.40 = 140.00; total $230.00
    const sched = Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (h < 12 ? 0 : 1)));
    const t = elec([
      {
        type: 'tou',
        name: 'Energy',
        weekday: sched,
        weekend: sched,
        periods: [
          {
            name: 'off-peak',
            tiers: [
              { from: '0', price: '0.10' },
              { from: '500', price: '0.20' },
            ],
          },
          {
            name: 'on-peak',
            tiers: [
              { from: '0', price: '0.30' },
              { from: '500', price: '0.40' },
            ],
          },
        ],
      },
    ]);
    const intervals = [...hourly('2026-10-05', 1, '600', 0), ...hourly('2026-10-05', 1, '400', 12)];
    const r = bill(t, { ...oct, intervals });
    expect(r.lines.map((l) => [l.touPeriod, l.tier, l.quantity, l.amountCents])).toEqual([
      ['off-peak', 1, '300', 3000],
      ['off-peak', 2, '300', 6000],
      ['on-peak', 1, '200', 6000],
      ['on-peak', 2, '200', 8000],
    ]);
    expect(r.totalCents).toBe(23000);
  });
});

describe('billing demand and ratchets', () => {
  const t = elec([
    {
      type: 'demand',
      name: 'Demand',
      tiers: [{ from: '0', price: '10.00' }],
      minimumKw: '20',
      ratchet: { percent: '80', months: 11, eligibleMonths: [6, 7, 8, 9] },
    },
  ]);
  const d = (kw: string, priorPeaks: { month: string; kw: string }[]) =>
    bill(t, {
      ...oct,
      demandKw: dec(kw),
      priorPeaks: priorPeaks.map((p) => ({ month: p.month, kw: dec(p.kw) })),
    });

  it('the month own peak when it is highest: 45 kW x 10.00 = $450.00', () => {
    expect(d('45', [{ month: '2026-07', kw: '50' }]).totalCents).toBe(45000); // 80% of 50 = 40 < 45
  });

  it('the ratchet: 80% of July 50 kW = 40 kW > 30 kW peak: $400.00', () => {
    const r = d('30', [{ month: '2026-07', kw: '50' }]);
    expect(r.totalCents).toBe(40000);
    expect(r.lines[0]?.detail).toMatchObject({ peakKw: '30', billingKw: '40' });
  });

  it('the minimum billing demand: 15 kW peak, no history -> 20 kW x 10.00 = $200.00', () => {
    expect(d('15', []).totalCents).toBe(20000);
  });

  it('only months in the lookback range and flagged count', () => {
    // Oct 2025 is 12 months back (range 11); March is not flagged: neither counts, so 30 kW
    expect(
      d('30', [
        { month: '2025-10', kw: '100' },
        { month: '2026-03', kw: '100' },
      ]).totalCents,
    ).toBe(30000);
    // September 2026 is 1 month back and flagged: 80% of 60 = 48 kW x 10.00
    expect(d('30', [{ month: '2026-09', kw: '60' }]).totalCents).toBe(48000);
  });

  it('a ratchet without the prior peaks is refused, naming what it needs', () => {
    expect(() => bill(t, { ...oct, demandKw: dec('30') })).toThrow(/needs the peaks of the last 11 months/);
  });

  it('URDB lookback fields become the ratchet: lookbackPercent 0.8, lookbackRange 11, summer months', async () => {
    const { importUrdb } = await import('../../domain/import/urdb.js');
    const { tariff, warnings } = importUrdb({
      flatdemandstructure: [[{ rate: 10 }]],
      flatdemandmonths: Array(12).fill(0),
      lookbackPercent: 0.8,
      lookbackRange: 11,
      lookbackMonths: [0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0],
    });
    expect(warnings).toEqual([]);
    expect(tariff.components[0]).toMatchObject({
      ratchet: { percent: '80', months: 11, eligibleMonths: [6, 7, 8, 9] },
    });
    const r = bill(tariff, {
      ...oct,
      demandKw: dec('30'),
      priorPeaks: [{ month: '2026-07', kw: dec('50') }],
    });
    expect(r.totalCents).toBe(40000);
  });

  it('a year rated in order hands each month the earlier peaks', async () => {
    const { rateYear } = await import('../../domain/rate-year.js');
    const noMin = elec([
      {
        type: 'demand',
        name: 'Demand',
        tiers: [{ from: '0', price: '1.00' }],
        ratchet: { percent: '50', months: 2 },
      },
    ]);
    const months = ['100', '10', '10', '10'].map((kw, i) => ({
      ...monthCtx(2026, i + 1, '0'),
      demandKw: dec(kw),
    }));
    // Jan 100 kW; Feb and Mar 50% of Jan = 50 kW; Apr: Jan is 3 months back, so its own 10 kW
    const y = rateYear([{ id: 'rv', effectiveFrom: '2000-01-01', tariff: noMin }], months);
    expect(y.bills.map((b) => b.totalCents)).toEqual([10000, 5000, 5000, 1000]);
  });
});

describe('TOU holidays', () => {
  const sched = (k: number) => flat(k);
  const t = (holidays?: string[]) =>
    elec(
      [
        {
          type: 'tou',
          name: 'Energy',
          weekday: sched(1),
          weekend: sched(0),
          periods: [
            { name: 'off-peak', tiers: [{ from: '0', price: '0.10' }] },
            { name: 'on-peak', tiers: [{ from: '0', price: '0.30' }] },
          ],
        },
      ],
      holidays ? { holidays } : {},
    );
  const intervals = [...hourly('2026-12-24', 1, '10', 12), ...hourly('2026-12-25', 1, '10', 12)];
  const dec2026 = { periodStart: '2026-12-01', periodEnd: '2026-12-31', intervals };

  it('Christmas (a Friday) on the holiday list rates as weekend: 10 x 0.30 + 10 x 0.10 = $4.00', () => {
    expect(bill(t(['2026-12-25']), dec2026).totalCents).toBe(400);
  });

  it('without the calendar it is a weekday: 20 x 0.30 = $6.00', () => {
    expect(bill(t(), dec2026).totalCents).toBe(600);
  });

  it('a bad holiday is refused with the field named', () => {
    expect(() => t(['25/12/2026'])).toThrow(/holidays: must be a list of dates/);
  });
});
