// The date every test runs on: fixed and named, never the wall clock. CISFLOW_TEST_TODAY runs the suite on
// another day (month ends, leap days, DST changes), e.g. CISFLOW_TEST_TODAY=2028-02-29 npx vitest run …
import { addDays } from '../../domain/period.js';
import { type Clock, clockStartingAt } from '../../lib/clock.js';

export const TODAY = process.env.CISFLOW_TEST_TODAY ?? '2026-12-01';
if (!/^\d{4}-\d{2}-\d{2}$/.test(TODAY)) throw new Error(`CISFLOW_TEST_TODAY must be a date, got ${TODAY}`);

const shared = new Map<string, Clock>();

/**
 * The test clock: mid-afternoon of TODAY in UTC, running at real speed so timeouts still pass. One clock
 * per date in a test process, so the API, the workers and the test itself read the same instant.
 */
export function testClock(today = TODAY): Clock {
  const c = shared.get(today) ?? clockStartingAt(`${today}T15:00:00.000Z`);
  shared.set(today, c);
  return c;
}

export const daysFromToday = (n: number) => addDays(TODAY, n);
