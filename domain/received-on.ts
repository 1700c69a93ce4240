// When a payment can have been received: not in the future, and not so long ago that it is more likely a
// typing slip (1900 for 2026) than a cheque found in a drawer. Counter and lockbox payments share the rule.
import { addDays } from './period.js';

/** how far back a received date may go, in days, before it is refused */
export const RECEIVED_ON_MAX_AGE_DAYS = 90;

/** Why `receivedOn` (YYYY-MM-DD) cannot be a payment's received date, seen on `today`; null when it can. */
export function receivedOnProblem(receivedOn: string, today: string): string | null {
  const earliest = addDays(today, -RECEIVED_ON_MAX_AGE_DAYS);
  if (receivedOn > today) return `${receivedOn} is after today (${today})`;
  if (receivedOn < earliest)
    return `${receivedOn} is more than ${RECEIVED_ON_MAX_AGE_DAYS} days ago (earliest ${earliest})`;
  return null;
}
