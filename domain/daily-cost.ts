// An estimate of what one day's usage costs under the account's tariff, from the rate engine itself: the
// day is rated as the one day of service in its month (fixed charges are the day's share, block tiers
// scaled to one day, as a bill prorates them). It is an estimate: the bill rates the whole period, and
// riders, minimums and taxes on a month's subtotal do not split exactly by day.
import { dec } from './decimal.js';
import { monthlyPeriod } from './period.js';
import { type RateVersion, RatingError, rate } from './rate-engine.js';

/** Cents (exact, each line rounded half-up as on a bill), or null when the tariff cannot rate the day alone. */
export function estimateDayCents(
  versions: RateVersion[],
  day: string,
  usage: string,
  o: { meterSize?: string; flags?: readonly string[] } = {},
): number | null {
  if (!versions.length) return null;
  const month = monthlyPeriod(day.slice(0, 7));
  try {
    return rate(versions, {
      periodStart: month.start,
      periodEnd: month.end,
      serviceStart: day,
      serviceEnd: day,
      usage: dec(usage),
      ...(o.meterSize ? { meterSize: o.meterSize } : {}),
      ...(o.flags ? { flags: o.flags } : {}),
    }).totalCents;
  } catch (e) {
    if (e instanceof RatingError) return null;
    throw e;
  }
}
