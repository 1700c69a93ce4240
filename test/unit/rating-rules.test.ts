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
