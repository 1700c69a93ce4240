// Billing periods are calendar months keyed "YYYY-MM"; dates are ISO strings. Calendar dates in the
// utility's time zone come from localDate and dayStartsAt, the one place that converts instants to days.
import { localToUtcMs } from './import/local-time.js';

export interface Period {
  key: string;
  start: string; // first day, inclusive
  end: string; // last day, inclusive
}

export function monthlyPeriod(key: string): Period {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (!m) throw new RangeError(`period must look like 2026-10 (got "${key}")`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { key, start: `${m[1]}-${m[2]}-01`, end: `${m[1]}-${m[2]}-${String(last).padStart(2, '0')}` };
}

export function addDays(isoDate: string, days: number): string {
  return remembered(addDaysMemo, `${isoDate}|${days}`, () => {
    const d = new Date(`${isoDate}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  });
}

// A bill run asks the same few hundred date sums and local midnights for every account of a page (they
// were a tenth of a page's rating time); each answer is a pure function of its arguments, so kept.
const addDaysMemo = new Map<string, string>();
const dayStartMemo = new Map<string, string>();
function remembered(memo: Map<string, string>, key: string, compute: () => string): string {
  let v = memo.get(key);
  if (v === undefined) {
    if (memo.size >= 20_000) memo.clear();
    v = compute();
    memo.set(key, v);
  }
  return v;
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) in a time zone at an instant. */
export function localDate(ms: number, timeZone = 'UTC'): string {
  if (timeZone === 'UTC') return new Date(ms).toISOString().slice(0, 10);
  let f = dateFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, f);
  }
  return f.format(new Date(ms));
}

/** The instant (ISO) a local calendar day begins in a time zone. */
export function dayStartsAt(date: string, timeZone = 'UTC'): string {
  return remembered(dayStartMemo, `${date}|${timeZone}`, () => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    // midnight exists in every zone cisflow serves (US changes are at 2 am); else the day starts at 1 am
    const ms = localToUtcMs(timeZone, y, m, d, 0, 0, 0) ?? localToUtcMs(timeZone, y, m, d, 1, 0, 0);
    if (ms === null) throw new RangeError(`${date} has no midnight or 1 am in ${timeZone}`);
    return new Date(ms).toISOString();
  });
}

/** Whole calendar days from one date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The period (YYYY-MM) `n` months after `period` (negative: before). */
export function addMonths(period: string, n: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
