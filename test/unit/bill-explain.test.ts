// Bill explanations on bills rated by the real engine (calculateBill) and stored as issueBillsTx stores
// them; every expected figure is worked by hand in the comments.
import { describe, expect, it } from 'vitest';
import { calculateBill, type RateVersionFacts, type SegmentFacts } from '../../domain/bill-calc.js';
import { type BillExplanation, explainBill, type StoredBill } from '../../domain/bill-explain.js';
import { dec, decToString } from '../../domain/decimal.js';
import { monthlyPeriod } from '../../domain/period.js';

const water = (fixed: string, t1: string, t2: string) => ({
  schema: 'cisflow.tariff/1',
  name: 'Residential water',
  service: 'water',
  unit: 'ccf',
  components: [
    { type: 'fixed', name: 'Customer charge', amount: fixed },
    {
      type: 'volumetric',
      name: 'Water usage',
      tiers: [
        { from: '0', price: t1 },
        { from: '10', price: t2 },
      ],
    },
  ],
});
const sewer = {
  schema: 'cisflow.tariff/1',
  name: 'Sewer',
  service: 'sewer',
  unit: 'ccf',
  components: [
    { type: 'volumetric', name: 'Sewer usage', basis: 'water', tiers: [{ from: '0', price: '4.00' }] },
  ],
};
const v1: RateVersionFacts = {
  id: 'rv_1',
  scheduleCode: 'W-1',
  effectiveFrom: '2020-01-01',
  tariff: water('10.00', '2.00', '5.00'),
};
const v2 = (from: string): RateVersionFacts => ({
  id: 'rv_2',
  scheduleCode: 'W-1',
  effectiveFrom: from,
  tariff: water('12.00', '2.50', '6.00'),
});

/** A water bill (and sewer on its water, if asked) for a month, rated and stored like a real one. */
function bill(
  period: string,
  usage: string,
  rates: RateVersionFacts[] = [v1],
  opts: { sewer?: boolean } = {},
): StoredBill {
  const p = monthlyPeriod(period);
  const read = (id: string, value: string, day: string) => ({
    id,
    value,
    readAt: `${day}T07:00:00Z`,
    source: 'ami' as const,
  });
  const segments: SegmentFacts[] = [
    {
      serviceAgreementId: 'sa_w',
      serviceType: 'water',
      status: 'active',
      serviceStart: '2020-01-01',
      meter: { serialNumber: 'W1', unit: 'ccf', dialCount: 6, multiplier: '1' },
      openingRead: read(`r_${period}_a`, '100', p.start),
      closingRead: read(`r_${period}_b`, decToString((dec('100') + dec(usage)) as never), p.end),
      rates,
    },
  ];
  if (opts.sewer)
    segments.push({
      serviceAgreementId: 'sa_s',
      serviceType: 'sewer',
      status: 'active',
      serviceStart: '2020-01-01',
      meter: null,
      openingRead: null,
      closingRead: null,
      rates: [{ id: 'rv_s', scheduleCode: 'S-1', effectiveFrom: '2020-01-01', tariff: sewer }],
    });
  const r = calculateBill({ segments }, p);
  expect(r.holds).toEqual([]);
  const stored = r.segments.map((s) => ({
    serviceType: s.serviceType,
    consumption: s.consumption,
    unit: s.unit,
    totalCents: s.totalCents,
    lines: s.lines.map((l, i) => ({
      seq: i + 1,
      description: l.description,
      quantity: l.quantity && /^-?\d+(\.\d+)?$/.test(l.quantity) ? l.quantity : null,
      unit: l.unit,
      unitPrice: l.unitPrice,
      amountCents: l.amountCents,
      rateVersionId: l.rateVersionId,
      trace: { ...l.trace, quantity: l.quantity },
    })),
  }));
  return {
    id: `bill_${period}`,
    period,
    periodStart: p.start,
    periodEnd: p.end,
    totalCents: stored.reduce((n, s) => n + s.totalCents, 0),
    segments: stored,
  };
}

const drivers = (c: BillExplanation['previous']) => c!.drivers.map((d) => [d.kind, d.cents]);
/** the drivers add up to the change, to the cent */
function addsUp(c: BillExplanation['previous']) {
  expect(c!.drivers.reduce((n, d) => n + d.cents, 0)).toBe(c!.changeCents);
}

describe('the change against the last bill, split into drivers', () => {
  it('up $16.00: more days, more usage, and 2 ccf spilling into tier 2', () => {
    // Feb 2026, 28 days, 7 ccf: 10.00 + 7 x 2.00 = $24.00
    // Mar 2026, 31 days, 12 ccf: 10.00 + 10 x 2.00 + 2 x 5.00 = $40.00; change +1600
    // usage charge last bill P = 1400c, 200c/ccf on average
    //   days  = 1400 x (31 - 28) / 28 = 150
    //   usage = (12 - 7) x 200 - 150 = 850
    //   tier  = (10 x 2.00 + 2 x 5.00) - 12 x 200c = 3000 - 2400 = 600
    //   rate  = 0 (same prices); customer charge: a whole period on both bills, 0
    const e = explainBill(bill('2026-03', '12'), bill('2026-02', '7'), null);
    expect(e.totalCents).toBe(4000);
    expect(e.previous!.totalCents).toBe(2400);
    expect(e.previous!.changeCents).toBe(1600);
    expect(drivers(e.previous)).toEqual([
      ['usage', 850],
      ['tier', 600],
      ['days', 150],
    ]);
    addsUp(e.previous);
    const byKind = Object.fromEntries(e.previous!.drivers.map((d) => [d.kind, d]));
    expect(byKind.days).toMatchObject({ days: 3 });
    expect(byKind.usage).toMatchObject({ services: [{ serviceType: 'water', unit: 'ccf', change: '5' }] });
    expect(byKind.tier).toMatchObject({
      moves: [{ serviceType: 'water', component: 'Water usage', tier: 2, unit: 'ccf', change: '2' }],
    });
    expect(e.previous!.services).toEqual([
      {
        serviceType: 'water',
        unit: 'ccf',
        usage: { this: '12', other: '7', change: '5' },
        days: { this: 31, other: 28 },
        rateVersions: { this: ['rv_1'], other: ['rv_1'], changed: false },
        tiers: [
          { component: 'Water usage', tier: 1, this: '10', other: '7' },
          { component: 'Water usage', tier: 2, this: '2', other: '0' },
        ],
      },
    ]);
  });

  it('against the same month last year: same days, so only usage and tiers', () => {
    // Mar 2025, 31 days, 9 ccf: 10.00 + 9 x 2.00 = $28.00; change 4000 - 2800 = +1200
    //   days 0 (31 and 31); usage = (12 - 9) x 200c = 600
    //   tier = 3000 - 12 x 200 = 600 (tier 2 was not reached last year: its price is this bill's 5.00)
    const e = explainBill(bill('2026-03', '12'), bill('2026-02', '7'), bill('2025-03', '9'));
    expect(e.lastYear).toMatchObject({ billId: 'bill_2025-03', changeCents: 1200, days: 31 });
    expect(drivers(e.lastYear)).toEqual([
      ['usage', 600],
      ['tier', 600],
    ]);
    addsUp(e.lastYear);
  });

  it('a rate change with the same usage and days is all "rate"', () => {
    // Jul 2026 on rv_1, 12 ccf: 10.00 + 20.00 + 2 x 5.00 = $40.00
    // Aug 2026 on rv_2 (from Aug 1), 12 ccf: 12.00 + 10 x 2.50 + 2 x 6.00 = $49.00; change +900
    //   rate = customer charge 1200 - 1000 + usage 3700 - 3000 = 900; 31 days both, 12 ccf both
    const rates = [v1, v2('2026-08-01')];
    const e = explainBill(bill('2026-08', '12', rates), bill('2026-07', '12', rates), null);
    expect(e.previous!.changeCents).toBe(900);
    expect(drivers(e.previous)).toEqual([['rate', 900]]);
    expect(e.previous!.drivers[0]).toMatchObject({
      services: [{ serviceType: 'water', from: ['rv_1'], to: ['rv_2'] }],
    });
    expect(e.previous!.services[0]!.rateVersions).toEqual({
      this: ['rv_2'],
      other: ['rv_1'],
      changed: true,
    });
  });

  it('a tax and the roundings land in "other", and no cent is lost', () => {
    // $1.86/ccf and a 3% tax. Sep 2026 (30 days) 7.5 ccf: 13.95, tax 0.4185 -> 0.42: $14.37
    // Oct 2026 (31 days) 8.5 ccf: 15.81, tax 0.4743 -> 0.47: $16.28; change +191
    //   days  = 1395 x 1 / 30 = 46.5 -> 47
    //   usage = 1 ccf x 186c - 46.5 = 139.5 -> 140
    //   other = 191 - 47 - 140 = 4: the tax's +5, and -1 of rounding (two halves rounded up)
    const taxed = {
      id: 'rv_t',
      scheduleCode: 'W-T',
      effectiveFrom: '2020-01-01',
      tariff: {
        schema: 'cisflow.tariff/1',
        name: 'Taxed water',
        service: 'water',
        unit: 'ccf',
        components: [
          { type: 'volumetric', name: 'Water usage', tiers: [{ from: '0', price: '1.86' }] },
          { type: 'tax', name: 'Utility tax', percent: '3' },
        ],
      },
    };
    const e = explainBill(bill('2026-10', '8.5', [taxed]), bill('2026-09', '7.5', [taxed]), null);
    expect([e.totalCents, e.previous!.totalCents]).toEqual([1628, 1437]);
    expect(drivers(e.previous)).toEqual([
      ['usage', 140],
      ['days', 47],
      ['other', 4],
    ]);
    expect(e.previous!.drivers[2]).toEqual({ kind: 'other', cents: 4, linesCents: 5, roundingCents: -1 });
    addsUp(e.previous);
    expect(e.segments[0]!.lines[1]).toMatchObject({ kind: 'tax', percent: '3', amountCents: 47 });
  });
});

describe('each line in plain terms', () => {
  it('with no previous bill: tiers with their ranges, reads, and sewer billed on the water', () => {
    // Mar 2026, 12 ccf: customer charge $10.00, tier 1 (0 to 10) 10 x 2.00, tier 2 (above 10) 2 x 5.00;
    // sewer on the water's 12 ccf x 4.00 = $48.00
    const e = explainBill(bill('2026-03', '12', [v1], { sewer: true }), null, null);
    expect(e.previous).toBeNull();
    expect(e.lastYear).toBeNull();
    expect(e.totalCents).toBe(4000 + 4800);
    expect(e.days).toBe(31);
    const [sew, wat] = [e.segments.find((s) => s.serviceType === 'sewer')!, e.segments[0]!];
    expect(wat).toMatchObject({
      serviceType: 'water',
      usage: '12',
      days: 31,
      reads: { startValue: '100', endValue: '112', multiplier: '1', estimated: false },
      rateVersionIds: ['rv_1'],
    });
    expect(wat.lines.map((l) => [l.kind, l.amountCents, l.tier, l.proration])).toEqual([
      ['fixed', 1000, null, null],
      ['usage', 2000, { n: 1, from: '0', to: '10' }, null],
      ['usage', 1000, { n: 2, from: '10', to: null }, null],
    ]);
    expect(wat.lines[2]).toMatchObject({
      quantity: '2',
      unitPrice: '5.00',
      unit: 'ccf',
      scheduleCode: 'W-1',
    });
    expect(sew.lines).toHaveLength(1);
    expect(sew.lines[0]).toMatchObject({
      kind: 'usage',
      quantity: '12',
      amountCents: 4800,
      basis: { on: 'water', cappedAt: null },
      tier: null,
    });
  });

  it('a bill prorated across a rate-version date: 15 of 31 days on each version', () => {
    // rv_2 from Aug 16: Aug 1-15 (15 days) on rv_1, Aug 16-31 (16 days) on rv_2; 12.4 ccf shared by days:
    // 12.4 x 15/31 = 6 and 6.4. Tier 2 starts at 10 x 15/31 = 4.838709677 and 10 x 16/31 = 5.161290323.
    //   customer charge: round(10.00 x 15/31) = 4.84; 12.00 - round(12.00 x 15/31 = 5.806) = 12.00 - 5.81 = 6.19
    //   rv_1: 4.838709677 x 2.00 = 9.68; 1.161290323 x 5.00 = 5.81
    //   rv_2: 5.161290323 x 2.50 = 12.90; 1.238709677 x 6.00 = 7.43;  total $46.85
    // July on rv_1, 12.4 ccf: 10.00 + 20.00 + 2.4 x 5.00 = $42.00; change +485, all rate:
    //   customer charge exactly 10 x 15/31 + 12 x 16/31 = 11.0322580645, less 10.00 = 103.2258c
    //   usage exactly 35.8193548385, less the same ccf at July's prices 32.00 = 381.9355c
    //   rate = 485.1613 -> 485; days, usage and tier 0 (31 days, 12.4 ccf, 10 and 2.4 ccf by tier on both)
    const rates = [v1, v2('2026-08-16')];
    const e = explainBill(bill('2026-08', '12.4', rates), bill('2026-07', '12.4', rates), null);
    const lines = e.segments[0]!.lines;
    expect(lines.map((l) => l.amountCents)).toEqual([484, 968, 581, 619, 1290, 743]);
    expect(e.totalCents).toBe(4685);
    expect(e.days).toBe(31);
    const first = { from: '2026-08-01', to: '2026-08-15', days: 15, periodDays: 31 };
    const second = { from: '2026-08-16', to: '2026-08-31', days: 16, periodDays: 31 };
    expect(lines.map((l) => [l.rateVersionId, l.proration, l.tier])).toEqual([
      ['rv_1', first, null],
      ['rv_1', first, { n: 1, from: '0', to: '4.838709677' }],
      ['rv_1', first, { n: 2, from: '4.838709677', to: null }],
      ['rv_2', second, null],
      ['rv_2', second, { n: 1, from: '0', to: '5.161290323' }],
      ['rv_2', second, { n: 2, from: '5.161290323', to: null }],
    ]);
    expect(lines[0]).toMatchObject({ kind: 'fixed', quantity: '15/31', unitPrice: '10.00' });
    expect(e.previous!.changeCents).toBe(485);
    expect(drivers(e.previous)).toEqual([['rate', 485]]);
    expect(e.previous!.services[0]!.rateVersions).toEqual({
      this: ['rv_1', 'rv_2'],
      other: ['rv_1'],
      changed: true,
    });
  });
});
