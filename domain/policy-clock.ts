// Policy days. Collection, dispute and service-request rules are written in days ("final notice 20 days
// after the due date"); a policy says how long its day lasts, so tests can run a month in seconds.
// With a real day (86,400,000 ms) days turn at midnight UTC; with a shrunk day, at whole multiples of it
// from the moment the clock started. Pure and deterministic: workflows pass in their own (replayed) time.
import { addDays } from './period.js';

export interface PolicyClock {
  anchorMs: number;
  anchorDate: string;
  dayMs: number;
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

export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(text.trim());
  const unit = m ? UNITS[m[2]!] : undefined;
  if (!m || unit === undefined)
    throw new RangeError(`"${text}" is not a duration such as "1 day" or "500ms"`);
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < 1) throw new RangeError(`"${text}" is too short`);
  return ms;
}

export function startClock(dayLength: string, nowMs: number): PolicyClock {
  const dayMs = durationMs(dayLength);
  const today = new Date(nowMs).toISOString().slice(0, 10);
  if (dayMs === 86_400_000) return { anchorMs: Date.parse(`${today}T00:00:00Z`), anchorDate: today, dayMs };
  return { anchorMs: nowMs, anchorDate: today, dayMs };
}

export function clockToday(c: PolicyClock, nowMs: number): string {
  return addDays(c.anchorDate, Math.floor((nowMs - c.anchorMs) / c.dayMs));
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Milliseconds from now until the given policy day begins (0 if it has begun). */
export function msUntilDay(c: PolicyClock, date: string, nowMs: number): number {
  return Math.max(0, c.anchorMs + daysBetween(c.anchorDate, date) * c.dayMs - nowMs);
}
