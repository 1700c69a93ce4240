// SMS quiet hours (pure): a non-urgent text that would arrive in the quiet window waits until it ends.
import { localToUtcMs } from '../import/local-time.js';
import { addDays, localDate } from '../period.js';

export interface QuietHours {
  /** local time the quiet window starts, "HH:MM" or "HH:MM:SS" (e.g. "21:00") */
  start: string;
  /** local time it ends (e.g. "08:00"); a window may run past midnight */
  end: string;
  /** the utility's IANA time zone, e.g. "America/Los_Angeles" */
  timeZone: string;
}

const seconds = (hhmm: string) => {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59)
    throw new Error(`quiet hours: "${hhmm}" is not HH:MM[:SS]`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
};

/** Seconds since local midnight at `now` in the time zone. */
export function localSecondOfDay(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second');
}

/**
 * How long (ms) a non-urgent SMS queued at `now` must wait: 0 outside the window, else until it ends. The
 * end is found as a local wall time and converted to an instant, so on the nights the clocks change the
 * text still waits exactly until the window's end (not an hour early in November, nor late in March).
 */
export function quietDelayMs(now: Date, q: QuietHours): number {
  const start = seconds(q.start);
  const end = seconds(q.end);
  if (start === end) return 0;
  const cur = localSecondOfDay(now, q.timeZone);
  const inside = start < end ? cur >= start && cur < end : cur >= start || cur < end;
  if (!inside) return 0;
  // the window ends today (after midnight, or a same-day window) or tomorrow (before midnight)
  const today = localDate(now.getTime(), q.timeZone);
  const endDate = start > end && cur >= start ? addDays(today, 1) : today;
  const [y, m, d] = endDate.split('-').map(Number) as [number, number, number];
  const h = Math.floor(end / 3600);
  const mi = Math.floor((end % 3600) / 60);
  // an end inside the hour skipped in March does not exist: the window ends when the clocks jump
  const at =
    localToUtcMs(q.timeZone, y, m, d, h, mi, end % 60) ?? localToUtcMs(q.timeZone, y, m, d, h + 1, 0, 0)!;
  return Math.max(0, at - now.getTime());
}
