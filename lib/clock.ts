// The one clock that code outside workflows reads for "now" and "today" (workflows use workflow time).
// The API and every activity get it injected, so tests run on a fixed, named date whatever the wall says.
// "Today" is the date in the utility's time zone: a 7 pm payment in Chicago is received that day, not the
// next UTC day.
import { localDate } from '../domain/period.js';

export interface Clock {
  now(): Date;
  /** the utility's calendar date now, YYYY-MM-DD */
  today(): string;
  readonly timeZone: string;
}

export function systemClock(timeZone = 'UTC'): Clock {
  return {
    timeZone,
    now: () => new Date(),
    today: () => localDate(Date.now(), timeZone),
  };
}

/**
 * A clock that starts at a given instant and runs at real speed from there: tests name their date and
 * still see time pass (timeouts, SLAs on shrunk policy days).
 */
export function clockStartingAt(startIso: string, timeZone = 'UTC'): Clock {
  const start = Date.parse(startIso);
  if (Number.isNaN(start)) throw new RangeError(`"${startIso}" is not an instant`);
  const offset = start - Date.now();
  return {
    timeZone,
    now: () => new Date(Date.now() + offset),
    today: () => localDate(Date.now() + offset, timeZone),
  };
}

/** What a workflow needs to start its policy clock on the injected clock's date (domain/policy-clock.ts). */
export const clockStart = (clock: Clock) => ({ today: clock.today(), timeZone: clock.timeZone });
