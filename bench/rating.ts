// Rating throughput on one core: how many bills per second the pure engine (domain/bill-calc) produces for
//   1. a residential water + sewer (winter-average) + trash account, from two register reads each;
//   2. a TOU electric account with 30 days of 15-minute interval data (2,880 intervals), one of 8 profiles;
//   3. the same account with rooftop solar: 2,880 delivered + 2,880 received intervals, net billing and
//      kWh net metering (domain/net-metering), with the ratio to the plain TOU figure from the same run.
// Run: npx tsx bench/rating.ts [seconds-per-sample=2] [samples=5]. Prints one line per sample, then medians.
import os from 'node:os';
import { DEMO_TARIFFS } from '../db/demo/seed.js';
import { calculateBill } from '../domain/bill-calc.js';
import { dec } from '../domain/decimal.js';
import { parseNemSettings, rateNemMonth } from '../domain/net-metering.js';
import { type Interval, rate } from '../domain/rate-engine.js';
import { parseTariff } from '../domain/tariff.js';
import { quantile } from './support.js';

const secs = Number(process.argv[2] ?? 2);
const samples = Number(process.argv[3] ?? 5);
const period = { start: '2026-10-01', end: '2026-10-31' };

// the demo utility's residential tariffs: inclining-block water, winter-average sewer, flat trash
const water = DEMO_TARIFFS.water!.tariff;
const sewer = DEMO_TARIFFS.sewer!.tariff;
const trash = DEMO_TARIFFS.trash!.tariff;
const v = (id: string, tariff: unknown) => [{ id, scheduleCode: id, effectiveFrom: '2020-01-01', tariff }];

function waterAccount(i: number) {
  const end = (1000 + (i % 37) + 0.25).toFixed(2);
  return {
    flags: [],
    winterAverage: '7.5',
    segments: [
      {
        serviceAgreementId: 'sa_w',
        serviceType: 'water',
        status: 'active',
        serviceStart: '2020-01-01',
        meter: { serialNumber: 'W1', unit: 'ccf', dialCount: 6, multiplier: '1', size: '5/8"' },
        openingRead: { id: 'r1', value: '1000', readAt: '2026-10-01T07:00:00Z', source: 'ami' as const },
        closingRead: { id: 'r2', value: end, readAt: '2026-11-01T07:00:00Z', source: 'ami' as const },
        rates: v('W', water),
      },
      {
        serviceAgreementId: 'sa_s',
        serviceType: 'sewer',
        status: 'active',
        serviceStart: '2020-01-01',
        meter: null,
        openingRead: null,
        closingRead: null,
        rates: v('S', sewer),
      },
      {
        serviceAgreementId: 'sa_t',
        serviceType: 'trash',
        status: 'active',
        serviceStart: '2020-01-01',
        meter: null,
        openingRead: null,
        closingRead: null,
        rates: v('T', trash),
      },
    ],
  };
}

const peak = Array.from({ length: 12 }, (_, m) =>
  Array.from({ length: 24 }, (_, h) => (m >= 5 && m <= 8 && h >= 15 && h < 20 ? 1 : 0)),
);
const tou = parseTariff({
  schema: 'cisflow.tariff/1',
  name: 'TOU',
  service: 'electric',
  unit: 'kWh',
  components: [
    { type: 'fixed', name: 'Basic charge', amount: '12.00' },
    {
      type: 'tou',
      name: 'Energy',
      weekday: peak,
      weekend: peak.map((r) => r.map(() => 0)),
      periods: [
        { name: 'off-peak', tiers: [{ from: '0', price: '0.0952' }] },
        { name: 'on-peak', tiers: [{ from: '0', price: '0.2841' }] },
      ],
    },
    { type: 'demand', name: 'Demand', tiers: [{ from: '0', price: '4.25' }] },
    { type: 'tax', name: 'Tax', percent: '3' },
  ],
});
// 8 distinct load + generation profiles, built before timing; iteration n rates profile n % 8, so the
// engine never sees the same interval array twice in a row (a cache keyed by one would measure nothing)
const PROFILES = 8;
function profile(p: number): { imports: Interval[]; exports: Interval[] } {
  const imports: Interval[] = [];
  for (let d = 1; d <= 30; d++)
    for (let q = 0; q < 96; q++) {
      const h = Math.floor(q / 4);
      imports.push({
        start: `2026-07-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`,
        minutes: 15,
        value: dec((((q * 7 + d * 13 + p * 29) % 90) / 100 + 0.05).toFixed(2)),
      });
    }
  // generation: a midday bell from 08:00 to 18:00 (its size varies by profile), so some intervals net to
  // an export and some do not
  const exports = imports.map((i, q) => {
    const h = (q % 96) / 4;
    const g = h >= 8 && h < 18 ? Math.round((70 + 6 * p) * Math.sin(((h - 8) / 10) * Math.PI)) / 100 : 0;
    return { start: i.start, minutes: 15, value: dec(g.toFixed(2)) };
  });
  return { imports, exports };
}
const profiles = Array.from({ length: PROFILES }, (_, p) => profile(p));
const touVersions = [{ id: 'E', effectiveFrom: '2020-01-01', tariff: tou }];
const netBilling = parseNemSettings({
  mode: 'net_billing',
  sellRates: { 'off-peak': '0.0411', 'on-peak': '0.1127' },
});
const nemKwh = parseNemSettings({ mode: 'nem_kwh', yearEndSellRate: '0.04' });
const july = (n: number) => ({
  periodStart: '2026-07-01',
  periodEnd: '2026-07-30',
  intervals: profiles[n % PROFILES]!.imports,
});

function measure(name: string, fn: (i: number) => number): number[] {
  const rates: number[] = [];
  for (let s = 0; s < samples; s++) {
    let n = 0;
    let check = 0;
    const t0 = performance.now();
    const until = t0 + secs * 1000;
    while (performance.now() < until) for (let k = 0; k < 100; k++) check += fn(n++);
    const perSec = n / ((performance.now() - t0) / 1000);
    rates.push(perSec);
    console.log(
      `${name} sample ${s + 1}: ${Math.round(perSec).toLocaleString('en-US')} bills/s (checksum ${check})`,
    );
  }
  return rates;
}
const median = (xs: number[]) => quantile(xs, 0.5);

const w = measure('water+sewer+trash', (i) =>
  calculateBill(waterAccount(i), period).segments.reduce((n, s) => n + s.totalCents, 0),
);
const e = measure('TOU electric, 2,880 intervals', (n) => rate(touVersions, july(n)).totalCents);
const nb = measure(
  'TOU net billing, 2,880 + 2,880 intervals',
  (n) => rateNemMonth(touVersions, july(n), profiles[n % PROFILES]!.exports, netBilling).totalCents,
);
const nk = measure(
  'TOU kWh net metering, 2,880 + 2,880 intervals',
  (n) => rateNemMonth(touVersions, july(n), profiles[n % PROFILES]!.exports, nemKwh).totalCents,
);
const ratio = (x: number[]) => (median(x) / median(e)).toFixed(2);
console.log(
  `summary: cores=${os.cpus().length} (one used), node ${process.version}; median water+sewer+trash ${Math.round(median(w)).toLocaleString('en-US')} bills/s (goal 50,000); ` +
    `median TOU electric ${Math.round(median(e)).toLocaleString('en-US')} bills/s; ` +
    `median TOU net billing ${Math.round(median(nb)).toLocaleString('en-US')} bills/s (${ratio(nb)} of plain TOU; goal 2,000); ` +
    `median TOU kWh net metering ${Math.round(median(nk)).toLocaleString('en-US')} bills/s (${ratio(nk)} of plain TOU); command: npx tsx bench/rating.ts ${secs} ${samples}`,
);
