// Billing from interval data (AMI): which agreements bill from intervals, how a window's intervals become
// the rate engine's local-time intervals, how missing intervals are estimated, and what the bill's trace
// keeps of them. Pure: the intervals come from db/intervals.ts intervalsForBilling. Documented in
// docs/interval-billing.md.
//
// Which quantity bills:
// - a time-based tariff (a TOU energy charge, any demand charge, or net billing / a sell-rate series, which
//   net each interval) bills from the meter's intervals; without any in the window the bill is held;
// - a net-metered tariff that is not time-based (kWh or $ netting of the month's totals) bills from the
//   delivered and received intervals when the meter has intervals in the window, else from its registers;
// - every other tariff bills from register reads: intervals are not read for it.
//
// The gap rule (cisflow's estimate, quality 1): the window is every interval of the meter's length from the
// first day's local midnight to the day after the last. A run of missing intervals no longer than the
// policy's `maxIntervalGapHours` is filled linearly between the interval before it and the interval after it
// (value k of n = before + (after - before) x k / (n + 1), half-up to 9 decimals); at the window's edge the
// one neighbour's value is repeated. A longer run holds the bill (`interval_gap`) with the missing hours;
// staff approving it bill the gap by the same rule. Estimates live in the bill's trace only: meter_interval
// keeps what the meter (or its vendor, quality 2) sent.
import { type Dec, decToString, divRoundHalfUp, ONE, ZERO } from './decimal.js';
import { offsetAt } from './import/local-time.js';
import { addDays, dayStartsAt } from './period.js';
import { holidaysOf, type Interval, scheduleIndex } from './rate-engine.js';
import type { Tariff } from './tariff.js';

/** One channel of one meter as stored: parallel arrays in start order. */
export interface IntervalChannel {
  /** start, in minutes since 1970-01-01T00:00Z */
  startMinutes: number[];
  seconds: number[];
  /** decimal strings, in the meter's unit */
  values: string[];
  /** 0 actual, 1 estimated by cisflow's gap rule, 2 estimated by the vendor */
  quality: number[];
}

export interface MeterIntervals {
  delivered: IntervalChannel | null;
  received: IntervalChannel | null;
}

/** A billed interval: the rate engine's interval with its quality. */
export interface BilledInterval extends Interval {
  quality: 0 | 1 | 2;
}

export const QUALITY = { actual: 0, estimated: 1, vendorEstimated: 2 } as const;

export type IntervalBasis = 'required' | 'if_present' | 'none';

/** Whether (and when) an agreement on this tariff bills from its intervals; see the rule above. */
export function intervalBasis(t: Tariff): IntervalBasis {
  const timeBased =
    t.components.some((c) => c.type === 'tou' || c.type === 'demand') ||
    t.netMetering?.mode === 'net_billing' ||
    !!t.netMetering?.sellSeries;
  if (timeBased) return 'required';
  return t.netMetering ? 'if_present' : 'none';
}

// Local wall-clock starts with the zone's offset ("2026-11-01T01:00-05:00"): the rate engine reads the
// date and hour (anything after the minutes is ignored), the offset keeps the repeated hour of a fall-back
// day apart. Every meter of a page shares the same starts, so each is worked out once.
const startCache = new Map<string, Map<number, string>>();
const offsetCache = new Map<string, Map<number, number>>();
const pad = (n: number) => String(n).padStart(2, '0');

/** Minutes the zone is ahead of UTC in the UTC hour holding `minute` (zones change offset on the hour). */
function offsetMinutes(timeZone: string, minute: number): number {
  let m = offsetCache.get(timeZone);
  if (!m) {
    m = new Map();
    offsetCache.set(timeZone, m);
  }
  const hour = Math.floor(minute / 60);
  let off = m.get(hour);
  if (off === undefined) {
    if (m.size > 50_000) m.clear();
    off = timeZone === 'UTC' ? 0 : Math.round(offsetAt(timeZone, hour * 3_600_000) / 60_000);
    m.set(hour, off);
  }
  return off;
}

/** An instant (epoch minutes) as local wall-clock time with offset, e.g. "2026-03-08T03:00-05:00". */
export function localStart(minute: number, timeZone: string): string {
  let m = startCache.get(timeZone);
  if (!m) {
    m = new Map();
    startCache.set(timeZone, m);
  }
  let s = m.get(minute);
  if (s === undefined) {
    if (m.size > 200_000) m.clear();
    const off = offsetMinutes(timeZone, minute);
    const local = new Date((minute + off) * 60_000).toISOString().slice(0, 16);
    const a = Math.abs(off);
    s = `${local}${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
    m.set(minute, s);
  }
  return s;
}

const decCache = new Map<string, Dec>();
/** Interval values repeat a lot (a few thousand distinct readings in a page): parsed once each. */
function value(s: string): Dec {
  let d = decCache.get(s);
  if (d === undefined) {
    if (decCache.size > 500_000) decCache.clear();
    const dot = s.indexOf('.');
    const int = dot < 0 ? s : s.slice(0, dot);
    const frac = dot < 0 ? '' : s.slice(dot + 1, dot + 10);
    d = (BigInt(int) * ONE + BigInt(frac.padEnd(9, '0') || '0')) as Dec;
    decCache.set(s, d);
  }
  return d;
}

export interface Gap {
  /** local wall-clock start of the first missing interval and end of the last */
  from: string;
  to: string;
  hours: string;
  intervals: number;
}

export type ChannelResult =
  | { ok: true; intervals: BilledInterval[]; estimated: number; vendorEstimated: number; gaps: Gap[] }
  | { ok: false; code: 'missing_intervals' | 'interval_gap'; message: string };

/**
 * One channel's intervals for the days [from, to] (local dates in `timeZone`), gaps filled by the rule
 * above. `maxGapHours` absent: every gap is filled (a bill staff approved).
 */
export function windowIntervals(
  ch: IntervalChannel | null,
  days: { from: string; to: string },
  timeZone: string,
  maxGapHours: number | undefined,
  what: string,
): ChannelResult {
  const startMin = Date.parse(dayStartsAt(days.from, timeZone)) / 60_000;
  const endMin = Date.parse(dayStartsAt(addDays(days.to, 1), timeZone)) / 60_000;
  const n = ch?.startMinutes.length ?? 0;
  if (!ch || n === 0)
    return {
      ok: false,
      code: 'missing_intervals',
      message: `${what} has no intervals from ${days.from} to ${days.to}`,
    };
  const step = ch.seconds[0]! / 60; // the meter's interval length, in minutes
  const out: BilledInterval[] = [];
  const gaps: Gap[] = [];
  let estimated = 0;
  let vendorEstimated = 0;
  const fill = (from: number, to: number, before: Dec | undefined, after: Dec | undefined) => {
    const count = Math.ceil((to - from) / step);
    const hours = (to - from) / 60;
    const gap = {
      from: localStart(from, timeZone),
      to: localStart(to, timeZone),
      hours: String(hours),
      intervals: count,
    };
    if (maxGapHours !== undefined && hours > maxGapHours) return gap;
    const a = before ?? after!;
    const b = after ?? before!;
    for (let k = 1; k <= count; k++) {
      const at = from + (k - 1) * step;
      const minutes = Math.min(step, to - at);
      out.push({
        start: localStart(at, timeZone),
        minutes,
        value: (a + divRoundHalfUp((b - a) * BigInt(k), BigInt(count + 1))) as Dec,
        quality: 1,
      });
    }
    estimated += count;
    gaps.push(gap);
    return null;
  };
  let cursor = startMin;
  let prev: Dec | undefined;
  for (let x = 0; x < n; x++) {
    const at = ch.startMinutes[x]!;
    if (at < cursor || at >= endMin) continue; // outside this window (a meter shared by two agreements)
    const v = value(ch.values[x]!);
    if (at > cursor) {
      const tooLong = fill(cursor, at, prev, v);
      if (tooLong) return holdFor(what, tooLong, maxGapHours!);
    }
    const q = ch.quality[x]!;
    if (q === QUALITY.vendorEstimated) vendorEstimated++;
    else if (q === QUALITY.estimated) estimated++;
    out.push({
      start: localStart(at, timeZone),
      minutes: ch.seconds[x]! / 60,
      value: v,
      quality: q as 0 | 1 | 2,
    });
    prev = v;
    cursor = at + ch.seconds[x]! / 60;
  }
  if (cursor < endMin) {
    const tooLong = fill(cursor, endMin, prev, undefined);
    if (tooLong) return holdFor(what, tooLong, maxGapHours!);
  }
  return { ok: true, intervals: out, estimated, vendorEstimated, gaps };
}

const holdFor = (what: string, g: Gap, limit: number): ChannelResult => ({
  ok: false,
  code: 'interval_gap',
  message: `${what} has no intervals from ${g.from} to ${g.to} (${g.hours} hours), more than the ${limit}-hour limit for estimating`,
});

/** What a bill's trace keeps of its intervals: counts, the kWh of each TOU period, the peak and when. */
export interface IntervalSummary {
  timeZone: string;
  intervals: number;
  estimated: number;
  vendorEstimated: number;
  gaps: Gap[];
  /** delivered kWh per TOU period of the tariff's first TOU charge, in the tariff's order (a list: jsonb
   * would reorder an object's keys) */
  byPeriod?: { period: string; kwh: string }[];
  /** the highest interval demand (kW) and its local start */
  peak?: { kw: string; at: string };
  received?: { intervals: number; estimated: number; kwh: string };
}

export function summarize(
  t: Tariff,
  delivered: BilledInterval[],
  timeZone: string,
  counts: { estimated: number; vendorEstimated: number; gaps: Gap[] },
): IntervalSummary {
  const tou = t.components.find((c) => c.type === 'tou');
  let byPeriod: IntervalSummary['byPeriod'];
  if (tou?.type === 'tou') {
    const holidays = holidaysOf(t);
    const sums = tou.periods.map(() => ZERO as Dec);
    for (const i of delivered) {
      const k = scheduleIndex(i.start, tou.weekday, tou.weekend, holidays);
      sums[k] = (sums[k]! + i.value) as Dec;
    }
    byPeriod = tou.periods.map((p, k) => ({ period: p.name, kwh: decToString(sums[k]!) }));
  }
  let peak: { kw: Dec; at: string } | undefined;
  if (t.components.some((c) => c.type === 'demand'))
    for (const i of delivered) {
      if (i.minutes <= 0) continue;
      const kw = divRoundHalfUp(i.value * 60n, BigInt(i.minutes)) as Dec;
      if (!peak || kw > peak.kw) peak = { kw, at: i.start };
    }
  return {
    timeZone,
    intervals: delivered.length,
    estimated: counts.estimated,
    vendorEstimated: counts.vendorEstimated,
    gaps: counts.gaps,
    ...(byPeriod ? { byPeriod } : {}),
    ...(peak ? { peak: { kw: decToString(peak.kw), at: peak.at } } : {}),
  };
}
