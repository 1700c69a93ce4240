// The date range an hourly or daily usage request covers (GET /accounts/:id/usage?granularity=…): local
// calendar days in the utility's time zone, `from` and `to` both inclusive. The limits keep one answer small
// and fast: at most a month of hours (31 days) or a year and a day of days.
import { addDays, daysBetween, monthlyPeriod } from './period.js';

export type Granularity = 'day' | 'hour';

export const MAX_DAYS: Record<Granularity, number> = { hour: 31, day: 366 };

export class UsageRangeError extends Error {
  constructor(
    message: string,
    readonly param: 'from' | 'to',
  ) {
    super(message);
    this.name = 'UsageRangeError';
  }
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

/**
 * The days asked for. Defaults: by day, the month so far (the 1st to today); by hour, today. A date that is
 * not a calendar date, a range that ends before it starts or is longer than the limit is refused, naming
 * the field at fault.
 */
export function usageRange(
  granularity: Granularity,
  q: { from?: string; to?: string },
  today: string,
): { from: string; to: string; days: number } {
  for (const param of ['from', 'to'] as const) {
    const v = q[param];
    if (v !== undefined && (!isDate(v) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v))
      throw new UsageRangeError(`${param} must be a calendar date like 2026-11-30 (got "${v}")`, param);
  }
  const from = q.from ?? (granularity === 'day' ? monthlyPeriod(today.slice(0, 7)).start : today);
  // from alone: that day's hours, or the rest of its month's days
  const to = q.to ?? (!q.from ? today : granularity === 'hour' ? from : monthlyPeriod(from.slice(0, 7)).end);
  if (to < from) throw new UsageRangeError(`to (${to}) is before from (${from})`, 'to');
  const days = daysBetween(from, to) + 1;
  if (days > MAX_DAYS[granularity])
    throw new UsageRangeError(
      `at most ${MAX_DAYS[granularity]} days of ${granularity === 'hour' ? 'hourly' : 'daily'} usage per request (asked for ${days}, ${from} to ${to})`,
      'to',
    );
  return { from, to, days };
}

/** Every date from `from` to `to`, inclusive. */
export function datesOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
