// Rate-change impact: an account's billed months re-rated on the version in effect and on a proposed one,
// and the figures a rate case needs from all of them: revenue change by rate class and service, and the
// distribution of per-account annual bill changes. Pure; db/rate-impact.ts loads and stores.
import { rateByMonth } from './bill-calc.js';
import { dec } from './decimal.js';
import type { RateVersion, RatingContext } from './rate-engine.js';

/** What a stored bill segment recorded: the quantities it was billed on. */
export interface BilledUsage {
  periodStart: string;
  periodEnd: string;
  consumption: string | null;
  /** the bill's water, for a sewer charge on water use */
  water: string | null;
  meterSize: string | null;
  flags: readonly string[];
}

/** The rating context a billed month is re-rated from (shared by the what-if and the impact report). */
export function billedUsageContext(u: BilledUsage): RatingContext {
  return {
    periodStart: u.periodStart,
    periodEnd: u.periodEnd,
    usage: u.consumption ? dec(u.consumption) : undefined,
    waterUsage: u.water ? dec(u.water) : undefined,
    meterSize: u.meterSize ?? undefined,
    flags: u.flags,
  };
}

/** One tariff as the only version for any date: the whole period is priced on it. */
export const soleVersion = (id: string, tariff: RateVersion['tariff']): RateVersion[] => [
  { id, effectiveFrom: '1900-01-01', tariff },
];

/**
 * Rates accounts' billed months on the current and the proposed tariff, month by month as the bill run rates
 * them (a stored bill across months is split as it was billed). A month's bill depends only on its dates and
 * quantities, so each distinct month is rated once per rater: most accounts of a page share whole-unit
 * usage in the same months, and are looked up rather than rated again.
 */
export function impactRater(current: RateVersion[], proposed: RateVersion[]) {
  const seen = new Map<string, readonly [number, number]>();
  const month = (m: BilledUsage) => {
    const key = `${m.periodStart}|${m.periodEnd}|${m.consumption}|${m.water}|${m.meterSize}|${m.flags.join(',')}`;
    let r = seen.get(key);
    if (!r) {
      const ctx = billedUsageContext(m);
      r = [rateByMonth(current, ctx).totalCents, rateByMonth(proposed, ctx).totalCents] as const;
      seen.set(key, r);
    }
    return r;
  };
  return (months: readonly BilledUsage[]): { currentCents: number; proposedCents: number } => {
    let currentCents = 0;
    let proposedCents = 0;
    for (const m of months) {
      const [c, p] = month(m);
      currentCents += c;
      proposedCents += p;
    }
    return { currentCents, proposedCents };
  };
}

export interface AccountImpact {
  accountId: string;
  accountNumber: string;
  customerClass: string;
  months: number;
  currentCents: number;
  proposedCents: number;
}

/**
 * The percentile rule: nearest rank. Of n changes sorted ascending, the p-th percentile is the one at rank
 * ceil(p/100 × n) (1-based): the smallest change that at least p% of accounts are at or below. It is always
 * a change some account has, so it is exact in cents; the median of an even count is the lower middle one.
 */
export function nearestRank(sortedAscending: readonly number[], p: number): number | null {
  const n = sortedAscending.length;
  if (!n) return null;
  // p × n / 100 in integers (p is a whole percent), so no float decides the rank
  const rank = Math.max(1, Math.ceil((p * n) / 100));
  return sortedAscending[Math.min(rank, n) - 1]!;
}

export const LARGEST_INCREASES = 10;

export interface ImpactFigures {
  accounts: number;
  service: string;
  total: { currentCents: number; proposedCents: number; changeCents: number };
  byClass: {
    customerClass: string;
    service: string;
    accounts: number;
    currentCents: number;
    proposedCents: number;
    changeCents: number;
  }[];
  billChange: {
    rule: string;
    medianCents: number | null;
    p90Cents: number | null;
    minCents: number | null;
    maxCents: number | null;
    increased: number;
    decreased: number;
    unchanged: number;
  };
  largestIncreases: (AccountImpact & { changeCents: number })[];
}

/** The report's figures from every account's annual bills on both tariffs. */
export function impactFigures(service: string, rows: readonly AccountImpact[]): ImpactFigures {
  const withChange = rows.map((r) => ({ ...r, changeCents: r.proposedCents - r.currentCents }));
  const classes = new Map<string, ImpactFigures['byClass'][number]>();
  for (const r of withChange) {
    const c = classes.get(r.customerClass) ?? {
      customerClass: r.customerClass,
      service,
      accounts: 0,
      currentCents: 0,
      proposedCents: 0,
      changeCents: 0,
    };
    c.accounts++;
    c.currentCents += r.currentCents;
    c.proposedCents += r.proposedCents;
    c.changeCents += r.changeCents;
    classes.set(r.customerClass, c);
  }
  const sum = (k: 'currentCents' | 'proposedCents') => withChange.reduce((n, r) => n + r[k], 0);
  const changes = withChange.map((r) => r.changeCents).sort((a, b) => a - b);
  return {
    accounts: rows.length,
    service,
    total: {
      currentCents: sum('currentCents'),
      proposedCents: sum('proposedCents'),
      changeCents: sum('proposedCents') - sum('currentCents'),
    },
    byClass: [...classes.values()].sort((a, b) => (a.customerClass < b.customerClass ? -1 : 1)),
    billChange: {
      rule: 'nearest rank: the change at rank ceil(p/100 x n) of the n accounts sorted ascending',
      medianCents: nearestRank(changes, 50),
      p90Cents: nearestRank(changes, 90),
      minCents: changes[0] ?? null,
      maxCents: changes.at(-1) ?? null,
      increased: changes.filter((c) => c > 0).length,
      decreased: changes.filter((c) => c < 0).length,
      unchanged: changes.filter((c) => c === 0).length,
    },
    largestIncreases: withChange
      .filter((r) => r.changeCents > 0)
      .sort((a, b) => b.changeCents - a.changeCents || (a.accountNumber < b.accountNumber ? -1 : 1))
      .slice(0, LARGEST_INCREASES),
  };
}
