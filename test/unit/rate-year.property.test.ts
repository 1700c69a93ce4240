// Property: a year rated as one `--year` run (previewYear -> rateYear / rateNemYear) bills every month the
// same as rating the months one by one, each handed the history a bill run would give it (earlier peaks
// for the ratchet, the year's bills before top-ups for the annual minimum, the NEM bank and $ credit).
// (Net billing with zero export equals the plain bill: test/unit/net-metering.test.ts.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { EMPTY_NEM_STATE, type NemState, parseNemSettings, rateNemMonth } from '../../domain/net-metering.js';
import { previewYear } from '../../domain/preview-year.js';
import { type Interval, type RatingContext, rate } from '../../domain/rate-engine.js';
import { parseTariff } from '../../domain/tariff.js';

const sched = Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (h < 12 ? 0 : 1)));
const raw = {
  schema: 'cisflow.tariff/1',
  name: 'Year',
  service: 'electric',
  unit: 'kWh',
  trueUpMonth: 9,
  components: [
    { type: 'fixed', name: 'Basic', amount: '10.00' },
    {
      type: 'tou',
      name: 'Energy',
      weekday: sched,
      weekend: sched,
      periods: [
        { name: 'off-peak', tiers: [{ from: '0', price: '0.1013' }] },
        { name: 'on-peak', tiers: [{ from: '0', price: '0.2977' }] },
      ],
    },
    {
      type: 'demand',
      name: 'Demand',
      tiers: [{ from: '0', price: '4.25' }],
      minimumKw: '1',
      ratchet: { percent: '80', months: 11, eligibleMonths: [6, 7, 8, 9] },
    },
    { type: 'minimum', name: 'Minimum', amount: '25.00' },
    { type: 'minimum', name: 'Annual minimum', amount: '600.00', per: 'year' },
  ],
};
const tariff = parseTariff(raw);
const versions = [{ id: 'preview', effectiveFrom: '1900-01-01', tariff }];
const pad = (n: number) => String(n).padStart(2, '0');
const LAST = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const SETTINGS = [
  undefined,
  { mode: 'net_billing', sellRates: { 'off-peak': '0.031', 'on-peak': '0.087' } },
  { mode: 'nem_kwh', yearEndSellRate: '0.0425', trueUpMonth: 9 },
  { mode: 'nem_dollar', creditsApplySameMonth: false, creditsExpire: 'true_up', trueUpMonth: 9 },
  { mode: 'buy_all_sell_all', sellRates: { '*': '0.05' } },
];

// per month: consecutive hours from the 10th, delivered and received kWh in hundredths
const monthArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 800 })), {
  minLength: 1,
  maxLength: 48,
});
const yearArb = fc.tuple(fc.array(monthArb, { minLength: 12, maxLength: 12 }), fc.constantFrom(...SETTINGS));

const kwh = (x: number) => (x / 100).toFixed(2);
const startOf = (m: number, i: number) => `2026-${pad(m)}-${pad(10 + Math.floor(i / 24))}T${pad(i % 24)}:00`;

describe('a year rated as one --year run equals month by month', () => {
  it('for random profiles under every net metering mode and none (ratchet, annual minimum, carried credits)', () => {
    fc.assert(
      fc.property(yearArb, ([months, nemRaw]) => {
        const withExport = nemRaw !== undefined;
        const delivered = months.flatMap((xs, m) =>
          xs.map(([d], i) => ({ start: startOf(m + 1, i), minutes: 60, value: kwh(d) })),
        );
        const received = withExport
          ? months.flatMap((xs, m) =>
              xs.map(([, r], i) => ({ start: startOf(m + 1, i), minutes: 60, value: kwh(r) })),
            )
          : [];
        const year = previewYear({ tariff: raw }, delivered, received, nemRaw);

        // month by month, each month given what the months before it left
        const settings = nemRaw && parseNemSettings(nemRaw);
        const peaks: NonNullable<RatingContext['priorPeaks']> = [];
        let ytd = 0;
        let state: NemState = EMPTY_NEM_STATE;
        const one = months.map((xs, m) => {
          const at = (v: number, i: number): Interval => ({
            start: startOf(m + 1, i),
            minutes: 60,
            value: dec(kwh(v)),
          });
          const ctx: RatingContext = {
            periodStart: `2026-${pad(m + 1)}-01`,
            periodEnd: `2026-${pad(m + 1)}-${LAST[m]}`,
            intervals: xs.map(([d], i) => at(d, i)),
            priorPeaks: [...peaks],
            yearToDateCents: ytd,
          };
          const r = settings
            ? rateNemMonth(
                versions,
                ctx,
                xs.map(([, e], i) => at(e, i)),
                settings,
                state,
              )
            : rate(versions, ctx);
          if ('state' in r) state = r.state;
          if (r.peakKw !== undefined) peaks.push({ month: ctx.periodEnd.slice(0, 7), kw: dec(r.peakKw) });
          ytd = m + 1 === 9 ? 0 : ytd + r.minimumBasisCents;
          return { lines: r.lines, totalCents: r.totalCents };
        });
        expect(year.months.map((b) => ({ lines: b.lines, totalCents: b.totalCents }))).toEqual(one);
        expect(year.totalCents).toBe(one.reduce((n, b) => n + b.totalCents, 0));
      }),
      { seed: 20261201, numRuns: 60 },
    );
  });
});
