// Which monthly partitions of meter_interval should exist: months are calendar months in UTC, named
// meter_interval_yYYYYmMM. Pure: a date in, month names out (db/interval-partitions.ts acts on them).

/** A month as 'YYYY-MM'. */
export type Month = string;

export const INTERVAL_PARTITION_POLICY = {
  /** months created ahead of the current one, so a day's import never waits on DDL */
  monthsAhead: 2,
  /** whole months kept before the current one (INTERVAL_RETENTION_MONTHS) */
  retentionMonths: 24,
} as const;
export type IntervalPartitionPolicy = { monthsAhead: number; retentionMonths: number };

const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** The UTC month an instant falls in. */
export function monthOf(at: string | Date): Month {
  return new Date(at).toISOString().slice(0, 7);
}

export function addMonths(m: Month, n: number): Month {
  const [, y, mo] = MONTH_RE.exec(m) ?? [];
  if (!y) throw new RangeError(`"${m}" is not a month (YYYY-MM)`);
  const i = Number(y) * 12 + Number(mo) - 1 + n;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** meter_interval_y2026m03 for '2026-03'. */
export function partitionName(m: Month): string {
  if (!MONTH_RE.test(m)) throw new RangeError(`"${m}" is not a month (YYYY-MM)`);
  return `meter_interval_y${m.slice(0, 4)}m${m.slice(5, 7)}`;
}

/** The month a partition name stands for, or null for a table that is not one of them. */
export function partitionMonth(name: string): Month | null {
  const x = /^meter_interval_y(\d{4})m(0[1-9]|1[0-2])$/.exec(name);
  return x ? `${x[1]}-${x[2]}` : null;
}

/** Partition bounds: [first instant of the month, first instant of the next), UTC. */
export function monthBounds(m: Month): { from: string; to: string } {
  return { from: `${m}-01T00:00:00.000Z`, to: `${addMonths(m, 1)}-01T00:00:00.000Z` };
}

/** Every month from `first` to `last`, both included. */
export function monthRange(first: Month, last: Month): Month[] {
  const out: Month[] = [];
  for (let m = first; m <= last; m = addMonths(m, 1)) out.push(m);
  return out;
}

/**
 * On `today` (an instant; its UTC month is "current"): the months that must exist (current and
 * `monthsAhead` after it) and the oldest month kept. With 24 months' retention in December 2026, December
 * 2024 is the oldest kept: 24 whole months before the current one, plus the current one.
 */
export function partitionPlan(
  today: string | Date,
  p: IntervalPartitionPolicy = INTERVAL_PARTITION_POLICY,
): { ensure: Month[]; oldestKept: Month } {
  const current = monthOf(today);
  return {
    ensure: monthRange(current, addMonths(current, p.monthsAhead)),
    oldestKept: addMonths(current, -p.retentionMonths),
  };
}
