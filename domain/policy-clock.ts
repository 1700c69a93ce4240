// Policy days. Collection, dispute and service-request rules are written in days ("final notice 20 days
// after the due date"); a policy says how long its day lasts, so tests can run a month in seconds.
// With a real day (86,400,000 ms) days turn at midnight in the utility's time zone; with a shrunk day, at
// whole multiples of it from the moment the clock started. Pure and deterministic: workflows pass in their
// own (replayed) time, and the business date their activities read from the injected clock.
import { addDays, dayStartsAt, daysBetween, localDate } from './period.js';

export { daysBetween };

export interface PolicyClock {
  anchorMs: number;
  anchorDate: string;
  dayMs: number;
  /** real days only: the utility's zone, and the wall date at anchorMs (days turn at local midnight) */
  timeZone?: string;
  wallDate?: string;
}

const UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};
const DAY = 86_400_000;

export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(text.trim());
  const unit = m ? UNITS[m[2]!] : undefined;
  if (!m || unit === undefined)
    throw new RangeError(`"${text}" is not a duration such as "1 day" or "500ms"`);
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < 1) throw new RangeError(`"${text}" is too short`);
  return ms;
}

/**
 * Starts a policy clock at `nowMs` (workflow time). `today` is the business date the caller's injected
 * clock gave (from an activity, so it replays); by default the wall date. With a real day, days turn at
 * local midnight in `timeZone`, so a 23- or 25-hour DST day is still one policy day.
 */
export function startClock(
  dayLength: string,
  nowMs: number,
  o: { today?: string; timeZone?: string } = {},
): PolicyClock {
  const dayMs = durationMs(dayLength);
  const timeZone = o.timeZone ?? 'UTC';
  const wallDate = localDate(nowMs, timeZone);
  const today = o.today ?? wallDate;
  if (dayMs === DAY)
    return {
      anchorMs: Date.parse(dayStartsAt(wallDate, timeZone)),
      anchorDate: today,
      dayMs,
      timeZone,
      wallDate,
    };
  return { anchorMs: nowMs, anchorDate: today, dayMs };
}

const realDays = (c: PolicyClock) => c.dayMs === DAY && c.wallDate !== undefined;

export function clockToday(c: PolicyClock, nowMs: number): string {
  if (realDays(c)) return addDays(c.anchorDate, daysBetween(c.wallDate!, localDate(nowMs, c.timeZone)));
  return addDays(c.anchorDate, Math.floor((nowMs - c.anchorMs) / c.dayMs));
}

/** Milliseconds from now until the given policy day begins (0 if it has begun). */
export function msUntilDay(c: PolicyClock, date: string, nowMs: number): number {
  if (realDays(c)) {
    const wall = addDays(c.wallDate!, daysBetween(c.anchorDate, date));
    return Math.max(0, Date.parse(dayStartsAt(wall, c.timeZone)) - nowMs);
  }
  return Math.max(0, c.anchorMs + daysBetween(c.anchorDate, date) * c.dayMs - nowMs);
}
