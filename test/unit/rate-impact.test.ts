// The impact report's percentile rule and figures, by hand.
import { describe, expect, it } from 'vitest';
import { impactFigures, nearestRank } from '../../domain/rate-impact.js';

describe('nearest-rank percentiles', () => {
  it('takes the change at rank ceil(p/100 x n), never an interpolation', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([7], 90)).toBe(7);
    // n = 4: median rank 2, p90 rank ceil(3.6) = 4
    expect(nearestRank([-5, 1, 3, 9], 50)).toBe(1);
    expect(nearestRank([-5, 1, 3, 9], 90)).toBe(9);
    // n = 10: p90 rank 9 exactly; n = 5: median rank ceil(2.5) = 3
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([10, 20, 30, 40, 50], 50)).toBe(30);
  });
});

describe('impact figures', () => {
  it('sums by class, counts increases and lists the largest first, ties by account number', () => {
    const row = (n: string, cls: string, cur: number, pro: number) => ({
      accountId: `acct_${n}`,
      accountNumber: n,
      customerClass: cls,
      months: 12,
      currentCents: cur,
      proposedCents: pro,
    });
    const f = impactFigures('water', [
      row('3', 'residential', 1000, 1500),
      row('1', 'residential', 1000, 1500),
      row('2', 'commercial', 5000, 4000),
      row('4', 'commercial', 100, 100),
    ]);
    expect(f.total).toEqual({ currentCents: 7100, proposedCents: 7100, changeCents: 0 });
    expect(f.byClass.map((c) => [c.customerClass, c.accounts, c.changeCents])).toEqual([
      ['commercial', 2, -1000],
      ['residential', 2, 1000],
    ]);
    expect(f.billChange).toMatchObject({
      medianCents: 0,
      p90Cents: 500,
      increased: 2,
      decreased: 1,
      unchanged: 1,
    });
    expect(f.largestIncreases.map((x) => x.accountNumber)).toEqual(['1', '3']);
  });
});
