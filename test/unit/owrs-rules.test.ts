// OWRS charges rated the way RateParser reads them, worked by hand: each charge's own tiers and budget,
// Tiered starts that are the first unit of their tier, Budget starts rounded half-to-even.
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { importOwrs } from '../../domain/import/owrs.js';
import { ImportError } from '../../domain/import/urdb.js';
import { type RatingContext, rate } from '../../domain/rate-engine.js';

const oct = { periodStart: '2026-10-01', periodEnd: '2026-10-31' };
const yaml = (text: string) => {
  const body = text.includes('bill:') ? text : `${text.trim()}\nbill: commodity_charge`;
  return `metadata:\n  utility_name: Test\n  bill_frequency: monthly\nrate_structure:\n  RES:\n${body
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
};
const billOf = (body: string, ctx: Partial<RatingContext>) => {
  const { tariff } = importOwrs(yaml(body), { customerClass: 'RES' });
  return rate([{ id: 'rv', effectiveFrom: '2000-01-01', tariff }], { ...oct, ...ctx });
};
const cents = (body: string, usage: string, ctx: Partial<RatingContext> = {}) =>
  billOf(body, { usage: dec(usage), ...ctx }).totalCents;

describe('OWRS: each charge uses its own tiers and budget (bug 1)', () => {
  const waterAndSewer = `
commodity_charge: Tiered
tier_starts: [0, 11]
tier_prices: [2, 3]
sewer_charge: Tiered
sewer_tier_starts: [0, 6]
sewer_tier_prices: [1, 5]
bill: commodity_charge+sewer_charge`;

  it('a Tiered sewer charge bills on sewer tiers: 10 ccf = water 10 x 2 + sewer 5 x 1 + 5 x 5 = $50.00', () => {
    // water tier 1 is units 0-10 (start 11 is the first unit of tier 2); sewer tier 2 starts at unit 6,
    // so sewer units 1-5 are $1 and 6-10 are $5. Billed on the water tiers it would be $40.00.
    const r = billOf(waterAndSewer, { usage: dec('10') });
    expect(r.lines.map((l) => [l.component, l.tier, l.quantity, l.amountCents])).toEqual([
      ['Water', 1, '10', 2000],
      ['Sewer charge', 1, '5', 500],
      ['Sewer charge', 2, '5', 2500],
    ]);
    expect(r.totalCents).toBe(5000);
  });

  it('a Budget sewer charge uses sewer_budget: budget 10, 16 ccf = 10 x 1 + 5 x 2 + 1 x 4 = $24.00', () => {
    const body = `
commodity_charge: 0
sewer_charge: Budget
sewer_budget: 10
sewer_tier_starts: [0, 100%, 150%]
sewer_tier_prices: [1, 2, 4]
bill: sewer_charge`;
    // starts resolve at import to 0, 10, 15 (no customer budget needed)
    expect(cents(body, '16')).toBe(2400);
  });

  it('a Budget charge without its own budget is refused naming the field', () => {
    const body = `
sewer_charge: Budget
sewer_tier_starts: [0, 100%]
sewer_tier_prices: [1, 2]
bill: sewer_charge`;
    expect(() => importOwrs(yaml(body), { customerClass: 'RES' })).toThrow(
      /rate_structure\.RES\.sewer_budget: sewer_charge is a Budget charge but sewer_budget is not given/,
    );
  });
});

describe('OWRS tier starts (bug 2)', () => {
  const tiered = `
commodity_charge: Tiered
tier_starts: [0, 15, 40]
tier_prices: [1, 2, 3]`;

  it('Tiered: a tier "starting at 15" holds units 0-14 in tier 1; 15 is the first unit of tier 2', () => {
    expect(cents(tiered, '14')).toBe(1400); // 14 x 1
    expect(cents(tiered, '15')).toBe(1600); // 14 x 1 + 1 x 2
    expect(cents(tiered, '39')).toBe(6400); // 14 x 1 + 25 x 2
    expect(cents(tiered, '40')).toBe(6700); // 14 x 1 + 25 x 2 + 1 x 3
    expect(cents(tiered, '14.5')).toBe(1500); // 14 x 1 + 0.5 x 2
  });

  it('Tiered: the first start counts as 0 and the last tier is unbounded', () => {
    const body = `
commodity_charge: Tiered
tier_starts: [1, 15]
tier_prices: [1, 2]`;
    expect(cents(body, '14')).toBe(1400); // 14 x 1: units from 0 are tier 1 even though it "starts at 1"
    expect(cents(body, '1000')).toBe(1400 + 986 * 200); // 14 x 1 + 986 x 2
  });

  it('Tiered: a % start is an error naming the start', () => {
    const body = `
commodity_charge: Tiered
tier_starts: [0, 100%]
tier_prices: [1, 2]`;
    expect(() => importOwrs(yaml(body), { customerClass: 'RES' })).toThrow(ImportError);
    expect(() => importOwrs(yaml(body), { customerClass: 'RES' })).toThrow(
      /rate_structure\.RES\.tier_starts\[1\]: "100%" is a budget start, but commodity_charge is Tiered/,
    );
  });

  const budget = (b: string, starts: string) => `
commodity_charge: Budget
budget: ${b}
tier_starts: [${starts}]
tier_prices: [1, 2, 3]`;

  it('Budget: tier k covers (start_k, start_k+1], no -1: budget 10, starts 100% and 150%', () => {
    const body = budget('10', '0, 100%, 150%');
    expect(cents(body, '10')).toBe(1000); // 10 x 1: unit 10 belongs to tier 1
    expect(cents(body, '11')).toBe(1200); // 10 x 1 + 1 x 2
    expect(cents(body, '15')).toBe(2000); // 10 x 1 + 5 x 2
    expect(cents(body, '16')).toBe(2300); // 10 x 1 + 5 x 2 + 1 x 3
  });

  it('Budget: N% starts round half to even: 125% of 10 = 12.5 -> 12, 135% of 10 = 13.5 -> 14', () => {
    const body = budget('10', '0, 125%, 135%');
    expect(cents(body, '12')).toBe(1200); // 12 x 1 (half-up would put unit 12.5-13 in tier 1 too)
    expect(cents(body, '13')).toBe(1400); // 12 x 1 + 1 x 2 (half-up: 13 x 1 = 13.00)
    expect(cents(body, '14')).toBe(1600); // 12 x 1 + 2 x 2
    expect(cents(body, '15')).toBe(1900); // 12 x 1 + 2 x 2 + 1 x 3
  });

  it('Budget: a budget-named field is rounded half to even: 10.5 -> 10, 11.5 -> 12', () => {
    expect(cents(budget('10.5', '0, 100%, 200%'), '11')).toBe(1200); // 10 x 1 + 1 x 2
    expect(cents(budget('11.5', '0, 100%, 200%'), '12')).toBe(1200); // 12 x 1
    expect(cents(budget('11.5', '0, 100%, 200%'), '13')).toBe(1400); // 12 x 1 + 1 x 2
  });

  it('Budget with a customer budget formula: the given budget and its indoor part are rounded half-even', () => {
    const body = `
commodity_charge: Budget
indoor: gpcd*hhsize*days_in_period*(1/748)
budget: indoor+outdoor
tier_starts: [0, indoor, 100%]
tier_prices: [1, 2, 3]`;
    // indoor 7.5 -> 8, budget 20.5 -> 20: 21 ccf = 8 x 1 + 12 x 2 + 1 x 3 = $35.00
    const ctx = { budget: dec('20.5'), budgetParts: { indoor: dec('7.5') } };
    expect(cents(body, '21', ctx)).toBe(3500);
    expect(cents(body, '20', ctx)).toBe(3200); // 8 x 1 + 12 x 2: unit 20 is tier 2
    // indoor 6.5 -> 6 (even): 7 ccf = 6 x 1 + 1 x 2
    expect(cents(body, '7', { budget: dec('20'), budgetParts: { indoor: dec('6.5') } })).toBe(800);
  });
});
